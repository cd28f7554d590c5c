"""Oversight periods: financial-year quarters written ``2025-26-Q3``.

NOF segmentations are quarterly (methodology §1.1); the NOF dashboard CSV labels them
``Q3 2025/26``. Both spellings are accepted; the canonical one is ``2025-26-Q3``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from opmodel.errors import OpmodelError

__all__ = ["Period", "parse_period"]

_CANON = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$", re.IGNORECASE)
_NOF = re.compile(r"^Q([1-4])\s*(\d{4})\s*/\s*(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """One quarter of a financial year (April to March)."""

    year: int  # the calendar year the financial year starts in (2025 for 2025-26)
    quarter: int

    @property
    def label(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}-Q{self.quarter}"

    @property
    def framework_year(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def start(self) -> dt.date:
        month = 4 + 3 * (self.quarter - 1)
        return dt.date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        nxt = Period(self.year + (self.quarter == 4), self.quarter % 4 + 1).start
        return nxt - dt.timedelta(days=1)

    def previous(self) -> Period:
        return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)

    def __str__(self) -> str:
        return self.label


def parse_period(text: str) -> Period:
    """``2025-26-Q3`` or ``Q3 2025/26`` -> Period; a clear error otherwise."""
    s = text.strip()
    m = _CANON.match(s)
    if m:
        year, yy, q = int(m[1]), int(m[2]), int(m[3])
    else:
        n = _NOF.match(s)
        if not n:
            raise OpmodelError(f"Unknown period {text!r}: expected a quarter such as 2025-26-Q3")
        q, year, yy = int(n[1]), int(n[2]), int(n[3])
    if (year + 1) % 100 != yy:
        raise OpmodelError(f"Unknown period {text!r}: {year}-{yy:02d} is not a financial year")
    return Period(year, q)
