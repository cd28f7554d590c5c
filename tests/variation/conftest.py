"""Series for the variation tests: hand-built months and real A&E publications read independently."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from opmodel.variation import Observation
from tests.conftest import SHARED_DATA

NHSR_CSV = SHARED_DATA / "nhsr-ae-attendances" / "ae_attendances.csv"
AE_MONTHLY = SHARED_DATA / "nhse-ae-monthly-2024-25"
_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}


def month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: dt.date, k: int) -> dt.date:
    y, m = divmod(d.month - 1 + k, 12)
    return dt.date(d.year + y, m + 1, 1)


def monthly(values: Sequence[float | None], start: dt.date = dt.date(2024, 1, 1)) -> list[Observation]:
    """One observation per month from ``start``."""
    out = []
    for k, v in enumerate(values):
        first = add_months(start, k)
        out.append(Observation(first, month_end(first), v))
    return out


def nhsr_type1_performance(org: str) -> list[Observation]:
    """Type 1 4-hour performance (%) of ``org`` from NHSRdatasets ae_attendances, read with csv only."""
    rows = []
    with NHSR_CSV.open(newline="") as fh:
        for r in csv.DictReader(fh):
            if r["org_code"] == org and r["type"] == "1":
                first = dt.date.fromisoformat(r["period"])
                att, br = int(r["attendances"]), int(r["breaches"])
                rows.append(Observation(first, month_end(first), 100 * (1 - br / att)))
    return sorted(rows, key=lambda o: o.period_start)


def _num(s: str) -> float:
    return float(s.replace(",", "").strip() or 0)


def ae_monthly_counts(org: str) -> dict[dt.date, tuple[float, float]]:
    """(attendances, over 4 hours), all six groups, per month for ``org`` from the raw monthly CSVs."""
    out: dict[dt.date, tuple[float, float]] = {}
    for path in sorted(Path(AE_MONTHLY).glob("Monthly-AE-*.csv")):
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
            for r in csv.DictReader(fh):
                if (r.get("Org Code") or "").strip() != org:
                    continue
                _, mon, year = r["Period"].strip().split("-")
                first = dt.date(int(year), _MONTHS[mon[:3]], 1)
                att = sum(_num(v) for k, v in r.items() if k and k.startswith("A&E attendances"))
                over = sum(_num(v) for k, v in r.items() if k and k.startswith("Attendances over 4hrs"))
                out[first] = (att, over)
    return out


@pytest.fixture(scope="session")
def rj1_2024_25() -> list[Observation]:
    counts = ae_monthly_counts("RJ1")
    return [Observation(d, month_end(d), 100 * (1 - over / att)) for d, (att, over) in sorted(counts.items())]
