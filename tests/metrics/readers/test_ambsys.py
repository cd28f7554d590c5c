"""AmbSYS reader: golden figures from the real time series, and damaged copies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.ambsys import AmbsysReader
from tests.conftest import SHARED_DATA
from tests.metrics.readers.workbooks import read_error, write_workbook

FOLDER = SHARED_DATA / "nhse-ambulance-ambsys"
WORKBOOK = FOLDER / "AmbSYS-Time-Series-until-20250831.xlsx"
READER = AmbsysReader()
TRUSTS = {"RX9", "RYC", "R1F", "RRU", "RX6", "RX7", "RYE", "RYD", "RYF", "RYA", "RX8"}
JULY_2025 = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def rows() -> list[MetricRow]:
    return list(READER.read(WORKBOOK))


def _july(rows: list[MetricRow], metric: str) -> list[MetricRow]:
    return [r for r in rows if r.metric == metric and r.period_start == JULY_2025]


def test_recognises_the_workbook_not_the_derived_csvs() -> None:
    found = [p for p in SHARED_DATA.rglob("*") if p.is_file() and READER.recognises(p)]
    assert found == [WORKBOOK]


def test_trust_rows_only(rows: list[MetricRow]) -> None:
    assert {r.org_code for r in rows} == TRUSTS  # no ENG, no region rows
    assert {r.metric for r in rows} == {"amb_c1_mean", "amb_c1_p90", "amb_c2_mean", "amb_c2_p90"}
    assert {r.period_start for r in rows} >= {dt.date(2017, 8, 1), dt.date(2025, 8, 1)}
    assert all(r.period_end.month == r.period_start.month for r in rows)


def test_england_july_2025_from_trust_numerators(rows: list[MetricRow]) -> None:
    """England's published C1 mean 476 s and C2 mean 1,720 s, from the trust totals."""
    for metric, mean, incidents in (("amb_c1_mean", 476, 79653), ("amb_c2_mean", 1720, 393474)):
        sel = _july(rows, metric)
        assert len(sel) == 11  # every ambulance trust, Isle of Wight included
        assert sum(r.denominator or 0 for r in sel) == incidents
        assert round(sum(r.numerator or 0 for r in sel) / incidents) == mean


def test_london_july_2025(rows: list[MetricRow]) -> None:
    got = {r.metric: r for r in _july(rows, "amb_c1_mean") + _july(rows, "amb_c1_p90")
           + _july(rows, "amb_c2_mean") + _july(rows, "amb_c2_p90") if r.org_code == "RRU"}
    assert {m: r.value for m, r in got.items()} == {
        "amb_c1_mean": 417, "amb_c1_p90": 717, "amb_c2_mean": 1846, "amb_c2_p90": 3871}
    assert got["amb_c1_p90"].numerator is None and got["amb_c1_p90"].denominator is None
    assert got["amb_c1_mean"].denominator == 14321


def test_months_without_incidents_give_no_value(rows: list[MetricRow]) -> None:
    """East of England sent no return for August 2017: zeros, not a 0-second response time."""
    assert not [r for r in rows if r.org_code == "RYC" and r.period_start == dt.date(2017, 8, 1)]
    assert all((r.value or 0) > 0 for r in rows)


# -- damaged copies -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample() -> list[list[Any]]:
    """The Raw sheet's five header rows and its last 60 rows (England, regions, trusts)."""
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True, data_only=True)
    ws = wb["Raw"]
    ws.reset_dimensions()
    all_rows = [list(v) for v in ws.iter_rows(values_only=True)]
    wb.close()
    return all_rows[:5] + all_rows[-60:]


def _copy(tmp_path: Path, sample: list[list[Any]], damage: Callable[[list[list[Any]]], None]) -> Path:
    data = [list(r) for r in sample]
    damage(data)
    return write_workbook(tmp_path / "ambsys.xlsx", {"Raw": data},
                          cover=("Introduction", "Response times", "Incidents"))


def _col(sample: list[list[Any]], code: str) -> int:
    return sample[4].index(code)


def _error(path: Path) -> InputError:
    return read_error(READER, path)


def test_undamaged_copy_reads(tmp_path: Path, sample: list[list[Any]]) -> None:
    got = list(READER.read(_copy(tmp_path, sample, lambda d: None)))
    assert got and all(r.org_code in TRUSTS for r in got)
    assert all(r.source_row and r.source_row > 5 for r in got)


def test_truncated_file(tmp_path: Path) -> None:
    data = WORKBOOK.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) * 2 // 3])
    assert "truncated" in str(_error(path))


def test_missing_column(tmp_path: Path, sample: list[list[Any]]) -> None:
    def damage(d: list[list[Any]]) -> None:
        d[4][_col(sample, "A31")] = None
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (5, "A31")


def test_non_numeric_count(tmp_path: Path, sample: list[list[Any]]) -> None:
    def damage(d: list[list[Any]]) -> None:
        d[-1][_col(sample, "A8")] = "lots"
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (65, "A8")


def test_mean_that_does_not_match_its_total(tmp_path: Path, sample: list[list[Any]]) -> None:
    """The analogue of numerator > denominator: a mean far from total time / incidents."""
    def damage(d: list[list[Any]]) -> None:
        d[-2][_col(sample, "A24")] *= 3
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (64, "A25")


def test_duplicate_row(tmp_path: Path, sample: list[list[Any]]) -> None:
    err = _error(_copy(tmp_path, sample, lambda d: d.append(list(d[-3]))))
    assert err.problems[0].line == 66
    assert "duplicate" in err.problems[0].message and "row 63" in err.problems[0].message


def test_unparseable_period(tmp_path: Path, sample: list[list[Any]]) -> None:
    def damage(d: list[list[Any]]) -> None:
        d[-4][2] = "JULLY"
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (62, "Month")


def test_bad_financial_year(tmp_path: Path, sample: list[list[Any]]) -> None:
    def damage(d: list[list[Any]]) -> None:
        d[-4][1] = "2025-27"
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (62, "Year")


def test_published_region_rows_equal_their_trusts(rows: list[MetricRow]) -> None:
    """The workbook's own region rows (C2, July 2025: total seconds, incidents) from the trust rows."""
    published = {"Y59": (118134916, 60714), "Y60": (124973556, 81352), "Y63": (83466843, 58306)}
    for region, (total, incidents) in published.items():
        sel = [r for r in _july(rows, "amb_c2_mean") if r.extra["region"] == region]
        assert (sum(r.numerator or 0 for r in sel), sum(r.denominator or 0 for r in sel)) == (total, incidents)
