"""Monthly Diagnostics Waiting Times and Activity (DM01): the full extract (zipped CSV or bare CSV).

Since 2025 NHS England also publishes DM01 as one CSV per month (``DM01-MARCH-2026-full-extract``):
one row per provider, commissioner and test, with the waiting list in weekly bands (``00 < 01
Week`` ... ``13+ Weeks``) and ``Total WL``. Each provider and commissioner pair has a ``TOTAL``
test row that already sums the 15 tests, so a provider's figures are the sum of its ``TOTAL`` rows
over commissioners; the other test rows must add up to the same waiting list, or the file is
refused (the double-counting guard of the RTT extract, docs/decisions.md).

``dm01_6wk`` counts the bands from ``06 < 07 Weeks`` up (six weeks or more), over ``Total WL``,
as the provider web file's "Number waiting 6+ Weeks" does (:mod:`.dm01`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._archive import csv_first_line, csv_member
from opmodel.metrics.readers._parsing import mentions, norm_header, parse_count, parse_month_text
from opmodel.metrics.readers.dm01 import PUBLICATION, dm01_rows

__all__ = ["Dm01FullExtractReader"]

_REQUIRED = ("period", "provider org code", "provider org name", "commissioner org code", "diagnostic tests",
             "total wl")
_BAND = re.compile(r"^(\d+) < (\d+) weeks?$")
_OVER = re.compile(r"^(\d+)\+ weeks?$")
_TOTAL_TEST = "TOTAL"
_SIX_WEEKS = 6


@dataclass
class _Provider:
    name: str
    first_row: int
    total: float = 0.0
    six: float = 0.0
    by_test: float = 0.0


class Dm01FullExtractReader:
    """The DM01 full extract: header ``Period, Provider Org Code, ..., Diagnostic Tests, ..., Total WL``."""

    publication = PUBLICATION

    def recognises(self, path: Path) -> bool:
        line = csv_first_line(path)
        if not mentions(line, "provider org code", "diagnostic tests", "total wl"):
            return False
        return set(_REQUIRED) <= {norm_header(c) for c in next(csv.reader([line]), [])}

    def read(self, path: Path) -> Iterator[MetricRow]:
        zf, raw = csv_member(path)
        try:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            providers, period = self._accumulate(path, text)
        finally:
            raw.close()
            if zf is not None:
                zf.close()
        if not providers or period is None:
            raise InputError.one(path, None, None, "no provider rows: the file looks truncated")
        for code, p in providers.items():
            if abs(p.by_test - p.total) > 0.5:
                raise InputError.one(path, p.first_row, "Total WL", f"{code}'s test rows add up to {p.by_test:g} "
                                     f"but its TOTAL rows to {p.total:g}; expected the same waiting list")
            yield from dm01_rows(code, p.name, period, p.first_row, p.total, p.six, path)

    def _accumulate(self, path: Path, text: IO[str]) -> tuple[dict[str, _Provider], tuple[dt.date, dt.date] | None]:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            raise InputError.one(path, 1, None, "the file is empty; expected a header row")
        heads = [norm_header(h) for h in header]
        missing = [c for c in _REQUIRED if c not in heads]
        if missing:
            raise InputError.one(path, 1, ", ".join(missing), "missing column(s) of the DM01 full extract")
        col = {c: heads.index(c) for c in _REQUIRED}
        bands = [i for i, h in enumerate(heads) if _BAND.match(h) or _OVER.match(h)]
        six = [i for i in bands if int((_BAND.match(heads[i]) or _OVER.match(heads[i])).group(1)) >= _SIX_WEEKS]  # type: ignore[union-attr]
        if not six:
            raise InputError.one(path, 1, "06 < 07 Weeks", "no weekly waiting bands from 6 weeks up")
        providers: dict[str, _Provider] = {}
        period: tuple[dt.date, dt.date] | None = None
        period_text = ""
        for line, rec in enumerate(reader, start=2):
            if not any(c.strip() for c in rec):
                continue
            if len(rec) != len(header):
                raise InputError.one(path, line, header[min(len(rec), len(header) - 1)],
                                     f"row has {len(rec)} fields, the header has {len(header)}: truncated row")
            ptext = rec[col["period"]].strip()
            if period is None:
                period, period_text = parse_month_text(ptext, path, line, header[col["period"]]), ptext
            elif ptext != period_text:
                raise InputError.one(path, line, header[col["period"]], f"{ptext!r} differs from the file's first "
                                                                        f"period {period_text!r}; expected one month")
            code = rec[col["provider org code"]].strip().upper()
            if not code:
                raise InputError.one(path, line, header[col["provider org code"]], "expected a provider code")
            p = providers.get(code)
            if p is None:
                p = providers[code] = _Provider(rec[col["provider org name"]].strip(), line)
            total = parse_count(rec[col["total wl"]], path, line, header[col["total wl"]]) or 0.0
            if rec[col["diagnostic tests"]].strip().upper() == _TOTAL_TEST:
                p.total += total
                p.six += sum(parse_count(rec[i], path, line, header[i]) or 0.0 for i in six)
            else:
                p.by_test += total
        return providers, period
