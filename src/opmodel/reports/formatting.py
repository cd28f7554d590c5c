"""How the board pack writes numbers, periods and MDC icons in words (one place for PDF, slides, web)."""

from __future__ import annotations

import datetime as dt

__all__ = ["ASSURANCE_WORDS", "VARIATION_WORDS", "display_name", "fmt_period", "fmt_span", "fmt_value"]

VARIATION_WORDS = {
    "common_cause": "common cause variation only (no signal)",
    "improvement_high": "special cause improvement (unusually high)",
    "improvement_low": "special cause improvement (unusually low)",
    "concern_high": "special cause concern (unusually high)",
    "concern_low": "special cause concern (unusually low)",
    "neither_high": "special cause variation, unusually high",
    "neither_low": "special cause variation, unusually low",
}
ASSURANCE_WORDS = {
    "consistently_pass": "will consistently meet the target",
    "consistently_fail": "will consistently miss the target",
    "hit_and_miss": "will meet and miss the target at random",
}


def fmt_value(value: float | None, unit: str) -> str:
    """76.2%, 1,234, 32:05 (minutes:seconds) or 7.12, by the metric's unit."""
    if value is None:
        return "–"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "seconds":
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes}:{seconds:02d} min"
    return f"{value:.2f}"


def fmt_period(day: dt.date | None, frequency: str = "monthly") -> str:
    """'July 2025' for a month; 'Q2 2025 (from April)' style is left to callers that need it."""
    if day is None:
        return "–"
    if frequency == "annual":
        return str(day.year)
    return day.strftime("%B %Y")


_UPPER = {"NHS", "ICB", "UK", "NW", "NE", "SE", "SW", "II"}
_LOWER = {"and", "of", "the", "for", "in", "on", "at", "to"}


def display_name(name: str) -> str:
    """ODS names are upper case ("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST"); print them as a board would."""
    if not name.isupper():
        return name
    words = []
    for i, w in enumerate(name.split()):
        if w in _UPPER:
            words.append(w)
        elif i and w.lower() in _LOWER:
            words.append(w.lower())
        else:
            words.append("-".join(p[:1] + p[1:].lower() for p in w.split("-")))
    return " ".join(words)


def fmt_span(start: dt.date, end: dt.date) -> str:
    """'July 2025' for one month, 'October to December 2025' for a quarter, '2024' for a year."""
    if (start.year, start.month) == (end.year, end.month):
        return start.strftime("%B %Y")
    if start.month == 1 and end.month == 12 and start.year == end.year:
        return str(start.year)
    first = start.strftime("%B") if start.year == end.year else start.strftime("%B %Y")
    return f"{first} to {end.strftime('%B %Y')}"
