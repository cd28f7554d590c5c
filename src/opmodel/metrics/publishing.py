"""How each publication comes out: its cycle, release day, who publishes it and whether it is official.

Every reader's ``publication`` id has one :class:`Publication` here. The release rule follows
NHS England's statistical release calendar: monthly performance statistics come out at 9:30 on
the second Thursday of the month (A&E and ambulance figures for the previous month; RTT, cancer
and diagnostics two months on), quarterly and annual collections on a Thursday a fixed number of
months after the period ends. The rule gives each period's publication date, so a store can say
how current it is and when the next figures are due (issue 21). Dates from the rule are the
calendar's, not the day a file was actually released; files carry no release date inside.

A third-party series (``third_party=True``) ranks below any official publication of the same
figures: it never replaces them, and they replace it (see :data:`THIRD_PARTY_VERSION`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "PUBLICATIONS",
    "SNAPSHOTS",
    "THIRD_PARTY_VERSION",
    "Publication",
    "get_publication",
    "latest_possible_end",
    "nth_weekday",
    "period_label",
    "third_party_publications",
]

Frequency = Literal["weekly", "monthly", "quarterly", "annual"]
THURSDAY = 3
#: The version third-party sources are written with: below every official one (0 first, 1 revised,
#: 2 final), so the store keeps official figures whenever both are held for the same key.
THIRD_PARTY_VERSION = -1


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The ``nth`` ``weekday`` (0 Monday) of a month; ``nth=-1`` is the last one."""
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month and d.weekday() == weekday]
    return days[nth - 1] if nth > 0 else days[nth]


def _add_months(day: dt.date, months: int) -> tuple[int, int]:
    total = day.year * 12 + day.month - 1 + months
    return total // 12, total % 12 + 1


@dataclass(frozen=True)
class Publication:
    """One publication: who publishes it, how often, and when a period's figures are released."""

    id: str
    title: str
    #: A short name for "as of" lines: "A&E", "RTT", "cancer", ...
    short: str
    publisher: str
    frequency: Frequency
    #: Months from the month a period ends to the month its figures come out.
    lag_months: int
    #: Which Thursday of that month (2: the second; -1: the last).
    nth_thursday: int = 2
    third_party: bool = False
    #: Annual periods: "calendar" (2024) or "financial" (2024/25); monthly/quarterly ignore it.
    year: Literal["calendar", "financial"] = "financial"

    def release_date(self, period_end: dt.date) -> dt.date:
        """The calendar's publication date for the period ending ``period_end``."""
        year, month = _add_months(period_end, self.lag_months)
        return nth_weekday(year, month, THURSDAY, self.nth_thursday)

    def next_period_end(self, period_end: dt.date) -> dt.date:
        """The last day of the period after the one ending ``period_end``."""
        step = {"weekly": 0, "monthly": 1, "quarterly": 3, "annual": 12}[self.frequency]
        if step == 0:
            return period_end + dt.timedelta(days=7)
        year, month = _add_months(period_end.replace(day=1), step)
        return dt.date(year, month, calendar.monthrange(year, month)[1])

    def next_release(self, period_end: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
        """(period end, release date) of the first period after ``period_end`` released on or after ``today``."""
        end = self.next_period_end(period_end)
        for _ in range(600):
            released = self.release_date(end)
            if released >= today:
                return end, released
            end = self.next_period_end(end)
        raise ValueError(f"no release of {self.id} after {period_end} within 50 years")  # pragma: no cover


def latest_possible_end(today: dt.date | None = None) -> dt.date:
    """The latest period end any publication can hold: today (nothing in the future)."""
    return today or dt.date.today()


def period_label(start: dt.date, end: dt.date, year: str = "financial") -> str:
    """'March 2026', 'the quarter to June 2025', '2024' or '2024/25', from a period's dates."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months <= 1:
        return f"{end:%B %Y}"
    if months <= 3:
        return f"the quarter to {end:%B %Y}"
    if start.month == 1 and year == "calendar":
        return f"{start.year}"
    if start.month == 4:
        return f"{start.year}/{(start.year + 1) % 100:02d}"
    return f"{start:%B %Y} to {end:%B %Y}"


def _p(id: str, title: str, short: str, frequency: Frequency, lag: int, *, nth: int = 2,
       publisher: str = "NHS England", third_party: bool = False,
       year: Literal["calendar", "financial"] = "financial") -> Publication:
    return Publication(id, title, short, publisher, frequency, lag, nth, third_party, year)


#: By reader publication id.
PUBLICATIONS: dict[str, Publication] = {p.id: p for p in (
    _p("ae_monthly", "A&E Attendances and Emergency Admissions", "A&E", "monthly", 1),
    _p("rtt_full_extract", "Referral to Treatment (RTT) Waiting Times", "RTT", "monthly", 2),
    _p("cancer_waiting_times", "Cancer Waiting Times", "cancer", "monthly", 2),
    _p("dm01", "Diagnostics Waiting Times and Activity (DM01)", "diagnostics", "monthly", 2),
    _p("ambsys", "Ambulance Quality Indicators (AmbSYS)", "ambulance", "monthly", 1),
    _p("kh03_beds", "Bed Availability and Occupancy (KH03)", "beds", "quarterly", 2),
    _p("kh03_overnight", "Bed Availability and Occupancy (KH03), overnight time series", "beds (overnight series)",
       "quarterly", 2),
    _p("nhs_staff_survey", "NHS Staff Survey", "staff survey", "annual", 3,
       publisher="NHS Staff Survey Coordination Centre for NHS England", year="calendar"),
    _p("nof_dashboard", "NHS Oversight Framework dashboard", "NOF", "quarterly", 2),
    _p("nof_league_table", "NHS Oversight Framework league tables", "NOF league", "quarterly", 2),
    _p("nof_q3_thirdparty_extract", "NHS Oversight Framework Q3 results (third-party extract)", "NOF (third-party)",
       "quarterly", 2, publisher="larsen-analyst/trustpulse (third party), from NHS England", third_party=True),
    _p("fft_summary", "Friends and Family Test", "FFT", "monthly", 2),
    _p("eric_trust", "Estates Returns Information Collection (ERIC)", "estates (ERIC)", "annual", 7),
    _p("csds_monthly", "Community Services Statistics (CSDS)", "community services", "monthly", 2, nth=-1),
    _p("waiting_times_thirdparty", "RTT and cancer waiting times by organisation (third-party JSON)",
       "RTT and cancer (third-party)", "monthly", 2,
       publisher="drjmartins/waiting-times (third party), from NHS England", third_party=True),
)}


#: Third-party snapshots with no release calendar of their own (read once, not published on a cycle): their
#: short name for "as of" lines. Their figures are labelled third-party like any third-party publication.
SNAPSHOTS: dict[str, str] = {
    "trust_profiles_thirdparty": "SHMI and FFT (third-party)",
    "cqc_ratings_thirdparty": "CQC ratings (third-party)",
}


def get_publication(publication: str) -> Publication | None:
    """The declaration of a reader's publication id (None for derived sources such as ``records``)."""
    return PUBLICATIONS.get(publication)


def third_party_publications() -> tuple[str, ...]:
    """Publication ids whose figures are third-party processed (labelled wherever they appear)."""
    return tuple(sorted({p.id for p in PUBLICATIONS.values() if p.third_party} | set(SNAPSHOTS)))
