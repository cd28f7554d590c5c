"""Small parsers shared by the A&E, RTT and DM01 readers: counts, month names and headers.

Every parser takes the file, row and column so that a bad cell becomes an InputError
that says exactly where it is and what was expected.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.readers._periods import month_range

__all__ = ["MONTHS", "mentions", "norm_header", "parse_count", "parse_month_text"]

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_YEAR = re.compile(r"([A-Za-z]+)[\s\-_]+(\d{4})")


def norm_header(text: Any) -> str:
    """A header cell compared case- and whitespace-insensitively (publications vary both)."""
    return " ".join(str(text if text is not None else "").split()).lower()  # split(): faster than a regex


def mentions(text: str, *words: str) -> bool:
    """True if every (lower-case, single-spaced) word occurs in ``text`` compared like :func:`norm_header`.

    A cheap test before parsing a header line cell by cell: recognition asks every reader
    about every file, most of them not CSV at all (about 950 JSON files in ``../shared/data``).
    """
    flat = norm_header(text)
    return all(w in flat for w in words)


def parse_month_text(text: str, file: Path, row: int | None, column: str) -> tuple[dt.date, dt.date]:
    """'MSitAE-MAY-2025', 'RTT-April-2026', 'July 2025' -> (first day, last day) of that month."""
    for m in _MONTH_YEAR.finditer(text):
        month = MONTHS.get(m.group(1).lower())
        if month is not None:
            return month_range(int(m.group(2)), month)
    raise InputError.one(file, row, column, f"expected a month and year such as 'MAY-2025', got {text!r}")


def parse_count(value: Any, file: Path, row: int, column: str, *, allow_blank: bool = False,
                missing: frozenset[str] = frozenset({"", "-"}), percent: bool = False) -> float | None:
    """A non-negative number from a CSV or spreadsheet cell (thousands separators allowed).

    ``missing`` lists the (lower-case) markers a publication uses for a suppressed or absent
    value; with ``allow_blank`` they give None, otherwise an error. ``percent`` accepts "82.1%".
    """
    if value is None or (isinstance(value, str) and value.strip().lower() in missing):
        if allow_blank:
            return None
        raise InputError.one(file, row, column, "expected a count, got an empty cell")
    if isinstance(value, bool):
        if allow_blank:
            return None
        raise InputError.one(file, row, column, f"expected a count, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "")
        if percent:
            text = text.rstrip("%")
        try:
            number = float(text)
        except ValueError:
            raise InputError.one(file, row, column, f"expected a count, got {value!r}") from None
    if number != number or number < 0:  # NaN or negative
        raise InputError.one(file, row, column, f"expected a non-negative count, got {value!r}")
    return number
