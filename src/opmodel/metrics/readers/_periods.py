"""Calendar helpers for publication periods: months, NHS financial-year quarters, years.

Periods are stored as inclusive start and end dates, so a month is its first to its last
day and a quarter of the financial year (April to March) is three whole months.
"""

from __future__ import annotations

import calendar
import datetime as dt

__all__ = ["MONTH_NAMES", "financial_year_month", "month_range", "quarter_ending"]

#: Upper-case English month names, January first.
MONTH_NAMES = tuple(calendar.month_name[i].upper() for i in range(1, 13))


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar month."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def financial_year_month(fy_label: str, month: int) -> int | None:
    """Calendar year of ``month`` in financial year ``'2024-25'`` (or ``2024/25``); None if malformed.

    April to December fall in the first year, January to March in the second.
    """
    text = fy_label.strip().replace("/", "-")
    parts = text.split("-")
    if len(parts) != 2 or not (parts[0].isdigit() and parts[1].isdigit()) or len(parts[0]) != 4:
        return None
    first = int(parts[0])
    if (first + 1) % 100 != int(parts[1]) % 100:
        return None
    return first if month >= 4 else first + 1


def quarter_ending(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The three whole months ending with ``month`` of ``year``."""
    start_month = month - 2
    start_year = year
    if start_month < 1:
        start_month += 12
        start_year -= 1
    return dt.date(start_year, start_month, 1), month_range(year, month)[1]
