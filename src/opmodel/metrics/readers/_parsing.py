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

__all__ = ["MONTHS", "month_bounds", "norm_header", "parse_count", "parse_month_text"]

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_YEAR = re.compile(r"([A-Za-z]+)[\s\-_]+(\d{4})")
_SPACES = re.compile(r"\s+")


def norm_header(text: Any) -> str:
    """A header cell compared case- and whitespace-insensitively (publications vary both)."""
    return _SPACES.sub(" ", str(text if text is not None else "")).strip().lower()


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of a calendar month."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_month_text(text: str, file: Path, row: int | None, column: str) -> tuple[dt.date, dt.date]:
    """'MSitAE-MAY-2025', 'RTT-April-2026', 'July 2025' -> (first day, last day) of that month."""
    for m in _MONTH_YEAR.finditer(text):
        month = MONTHS.get(m.group(1).lower())
        if month is not None:
            return month_bounds(int(m.group(2)), month)
    raise InputError.one(file, row, column, f"expected a month and year such as 'MAY-2025', got {text!r}")


def parse_count(value: Any, file: Path, row: int, column: str, *, allow_blank: bool = False) -> float | None:
    """A non-negative count from a CSV or spreadsheet cell (thousands separators allowed)."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "-")):
        if allow_blank:
            return None
        raise InputError.one(file, row, column, "expected a count, got an empty cell")
    if isinstance(value, bool):
        raise InputError.one(file, row, column, f"expected a count, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise InputError.one(file, row, column, f"expected a count, got {value!r}") from None
    if number != number or number < 0:  # NaN or negative
        raise InputError.one(file, row, column, f"expected a non-negative count, got {value!r}")
    return number
