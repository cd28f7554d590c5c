"""Query parameters that mean dates, parsed the way the CLI parses them.

A bare ``dt.date`` query parameter lets pydantic read ``?on=0`` as 1 January 1970 (a Unix
timestamp) and refuses ``?start=2025-05``, which the CLI accepts. Dates here are ISO days
(YYYY-MM-DD) or months (YYYY-MM, meaning the first day), and nothing else. An empty value means
"not given" on pages (a cleared date box); the API refuses empty parameters outright
(:mod:`opmodel.web.conformance`). The refusal does not repeat what was sent, so no page shows
text an attacker put in a link.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator

__all__ = ["DayParam", "MonthOrDayParam", "parse_day"]

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def parse_day(value: Any) -> dt.date | None:
    """YYYY-MM-DD or YYYY-MM (first of the month); anything else is refused with what was expected."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if text == "":
        return None
    try:
        if _MONTH.match(text):
            return dt.date.fromisoformat(text + "-01")
        if _DAY.match(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError("expected a date as YYYY-MM-DD or a month as YYYY-MM")


_Date = Annotated[dt.date | None, BeforeValidator(parse_day)]

#: ``?on=``: the day a structural question is asked about.
DayParam = Annotated[_Date, Query(description="Date (YYYY-MM-DD, or YYYY-MM for the month's first day); "
                                  "default today.")]
#: ``?start=`` / ``?end=``: a period bound.
MonthOrDayParam = _Date
