"""The DM01 readers on the raw July 2025 .xls and the derived per-provider CSV."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from opmodel.metrics.readers.dm01 import Dm01DerivedCsvReader, Dm01WorkbookReader
from tests.metrics.conftest import DM01_CSV, DM01_DIR, DM01_XLS

XLS = Dm01WorkbookReader()
CSV = Dm01DerivedCsvReader()


def test_xls_england_july_2025() -> None:
    rows = list(XLS.read(DM01_XLS))
    wl = sum(r.value or 0 for r in rows if r.metric == "dm01_waiting_list")
    six = sum(r.numerator or 0 for r in rows if r.metric == "dm01_6wk")
    assert wl == 1_730_933
    assert round(100 * six / wl, 1) == 21.9
    assert {r.period_start for r in rows} == {dt.date(2025, 7, 1)}
    rj1 = {r.metric: r for r in rows if r.org_code == "RJ1"}
    assert (rj1["dm01_6wk"].numerator, rj1["dm01_6wk"].denominator) == (7321, 22865)


def test_derived_csv_covers_twelve_months_and_agrees_with_the_xls() -> None:
    rows = list(CSV.read(DM01_CSV))
    months: dict[dt.date, float] = defaultdict(float)
    for r in rows:
        if r.metric == "dm01_waiting_list":
            months[r.period_start] += r.value or 0
    assert len(months) == 12 and min(months) == dt.date(2024, 8, 1)
    july = {(r.metric, r.org_code): (r.numerator, r.denominator) for r in rows if r.period_start == dt.date(2025, 7, 1)}
    raw = {(r.metric, r.org_code): (r.numerator, r.denominator) for r in XLS.read(DM01_XLS)}
    assert july == raw


def test_recognition() -> None:
    assert XLS.recognises(DM01_XLS) and not CSV.recognises(DM01_XLS)
    assert CSV.recognises(DM01_CSV) and not XLS.recognises(DM01_CSV)
    by_test = DM01_DIR / "dm01_provider_by_test_monthly_2024-08_2025-07.csv"
    assert not CSV.recognises(by_test) and not XLS.recognises(by_test)
