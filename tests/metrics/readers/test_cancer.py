"""Cancer waiting times reader: golden figures from the real extracts, and damaged copies."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.cancer import SHEET, CancerWaitingTimesReader
from tests.conftest import SHARED_DATA
from tests.metrics.readers.workbooks import read_error, write_workbook

FOLDER = SHARED_DATA / "nhse-cancer-cwt-2024-25"
FINAL = FOLDER / "CWT-CRS-Apr-2024-to-Sep-2024-Data-Extract-Provider-Final.xlsx"
PROVISIONAL = FOLDER / "CWT-CRS-Apr-2025-to-Jul-2025-Data-Extract-Provider.xlsx"
READER = CancerWaitingTimesReader()


@pytest.fixture(scope="module")
def rows() -> list[MetricRow]:
    out: list[MetricRow] = []
    for path in sorted(FOLDER.glob("*.xlsx")):
        out.extend(READER.read(path))
    return out


def _england(rows: list[MetricRow], metric: str, month: str) -> float:
    sel = [r for r in rows if r.metric == metric and r.period_start.strftime("%Y-%m") == month]
    return 100 * sum(r.numerator or 0 for r in sel) / sum(r.denominator or 0 for r in sel)


def test_recognises_only_the_three_extracts() -> None:
    found = sorted(p.name for p in SHARED_DATA.rglob("*") if p.is_file() and READER.recognises(p))
    assert found == sorted(p.name for p in FOLDER.glob("*.xlsx"))


def test_england_check_values(rows: list[MetricRow]) -> None:
    assert round(_england(rows, "cancer_fds_28d", "2025-02"), 1) == 80.2
    assert round(_england(rows, "cancer_62d", "2025-03"), 1) == 71.4
    assert round(_england(rows, "cancer_31d", "2025-07"), 1) == 92.4


def test_rj1_july_2025_without_double_counting(rows: list[MetricRow]) -> None:
    got = {r.metric: r for r in rows if r.org_code == "RJ1" and r.period_start == dt.date(2025, 7, 1)}
    assert {m: round(r.value or 0, 1) for m, r in got.items()} == {
        "cancer_fds_28d": 81.6, "cancer_31d": 90.5, "cancer_62d": 56.8}
    # 324 first treatments: the ALL MODALITIES rows only (summing every row would give 648).
    assert (got["cancer_62d"].numerator, got["cancer_62d"].denominator) == (184, 324)
    assert got["cancer_62d"].period_end == dt.date(2025, 7, 31)


def test_matches_every_figure_of_the_derived_csv(rows: list[MetricRow]) -> None:
    """The folder's derived CSV (built independently) has the same totals for all 6,821 groups."""
    metric = {"28-day FDS": "cancer_fds_28d", "31-day Combined": "cancer_31d", "62-day Combined": "cancer_62d"}
    ours = {(r.metric, r.org_code, r.period_start.strftime("%Y-%m")): r for r in rows}
    with (FOLDER / "cwt_provider_month_standard_2024-04_2025-07.csv").open(newline="") as fh:
        derived = list(csv.DictReader(fh))
    assert len(ours) == len(derived) == 6821
    for d in derived:
        r = ours[(metric[d["standard"]], d["org_code"], d["period"])]
        assert (r.denominator, r.numerator) == (float(d["total"]), float(d["within_standard"]))


def test_provisional_months_are_flagged(rows: list[MetricRow]) -> None:
    by_month = {r.period_start: r.provisional for r in rows}
    assert by_month[dt.date(2024, 4, 1)] is False  # the "Final" extract
    assert by_month[dt.date(2025, 7, 1)] is True


def test_halves_from_shared_pathways_are_kept(rows: list[MetricRow]) -> None:
    assert any((r.denominator or 0) % 1 == 0.5 for r in rows)


# -- damaged copies -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample() -> list[list[Any]]:
    """The header and every row of two providers (all standards, routes and modalities)."""
    wb = openpyxl.load_workbook(PROVISIONAL, read_only=True, data_only=True)
    ws = wb[SHEET]
    ws.reset_dimensions()
    out = [list(v) for i, v in enumerate(ws.iter_rows(values_only=True)) if i == 0 or v[4] in {"RJ1", "R0A"}]
    wb.close()
    return out


def _copy(tmp_path: Path, sample: list[list[Any]], damage: Callable[[list[list[Any]]], None]) -> Path:
    data = [list(r) for r in sample]
    damage(data)
    return write_workbook(tmp_path / "extract.xlsx", {SHEET: data}, cover=("Sheet",))


def _error(path: Path) -> InputError:
    return read_error(READER, path)


def test_undamaged_copy_reads_and_case_variants_are_accepted(tmp_path: Path, sample: list[list[Any]]) -> None:
    def lower(d: list[list[Any]]) -> None:
        for r in d[1:]:
            r[3] = str(r[3]).upper()
            r[5] = str(r[5]).lower()
    got = list(READER.read(_copy(tmp_path, sample, lower)))
    assert got and {r.metric for r in got} <= {"cancer_fds_28d", "cancer_31d", "cancer_62d"}


def test_truncated_file(tmp_path: Path) -> None:
    data = FINAL.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    err = _error(path)
    assert "truncated" in str(err)


def test_missing_column(tmp_path: Path, sample: list[list[Any]]) -> None:
    def damage(d: list[list[Any]]) -> None:
        for r in d:
            del r[10]
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (1, "BREACHES")


def test_non_numeric_count(tmp_path: Path, sample: list[list[Any]]) -> None:
    def damage(d: list[list[Any]]) -> None:
        d[4][8] = "n/k"
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (5, "TOTAL TREATED")
    assert "expected a count" in err.problems[0].message


def test_numerator_above_denominator(tmp_path: Path, sample: list[list[Any]]) -> None:
    def damage(d: list[list[Any]]) -> None:
        d[6][9] = d[6][8] + 5
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (7, "WITHIN STANDARD")


def test_duplicate_row(tmp_path: Path, sample: list[list[Any]]) -> None:
    err = _error(_copy(tmp_path, sample, lambda d: d.append(list(d[2]))))
    assert err.problems[0].line == len(sample) + 1
    assert "duplicate" in err.problems[0].message and "row 3" in err.problems[0].message


def test_unparseable_period(tmp_path: Path, sample: list[list[Any]]) -> None:
    def damage(d: list[list[Any]]) -> None:
        d[9][0] = "Apri 2025"
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (10, "PERIOD")


def test_views_that_disagree_are_rejected(tmp_path: Path, sample: list[list[Any]]) -> None:
    """A single-modality row that no longer matches the ALL MODALITIES total is a damaged file."""
    def damage(d: list[list[Any]]) -> None:
        row = next(r for r in d[1:] if r[6] not in (None, "", "ALL MODALITIES"))
        row[8] += 3
        row[10] += 3
    err = _error(_copy(tmp_path, sample, damage))
    assert err.problems[0].field == "TREATMENT MODALITY"
    assert "agree" in err.problems[0].message
