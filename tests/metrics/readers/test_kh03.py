"""KH03 reader: golden figures from the four real quarterly files, and damaged copies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.kh03 import Kh03Reader
from tests.conftest import SHARED_DATA
from tests.metrics.readers.workbooks import read_error, write_workbook

FOLDER = SHARED_DATA / "nhse-beds-kh03-2024-25"
Q1_2025 = FOLDER / "Beds-Open-Overnight-Web_File-Q1-2025-26.xlsx"
Q3_REVISED = FOLDER / "Beds-Open-Overnight-Web_File-Q3-2024-25revised.xlsx"
READER = Kh03Reader()
#: England G&A beds (available, occupied) from each file's own England row.
ENGLAND = {
    dt.date(2024, 7, 1): (103656.22826086955, 93664.40217391304),
    dt.date(2024, 10, 1): (107409.81521739135, 96124.96739130437),
    dt.date(2025, 1, 1): (106068.13663003662, 98145.94175824178),
    dt.date(2025, 4, 1): (104197.48351648351, 95316.7912087912),
}


@pytest.fixture(scope="module")
def rows() -> list[MetricRow]:
    out: list[MetricRow] = []
    for path in sorted(FOLDER.glob("*.xlsx")):
        out.extend(READER.read(path))
    return out


def test_recognises_the_four_web_files_not_the_derived_csv() -> None:
    found = sorted(p.name for p in SHARED_DATA.rglob("*") if p.is_file() and READER.recognises(p))
    assert found == sorted(p.name for p in FOLDER.glob("*.xlsx"))


def test_quarters_are_whole_date_ranges(rows: list[MetricRow]) -> None:
    assert {(r.period_start, r.period_end) for r in rows} == {
        (dt.date(2024, 7, 1), dt.date(2024, 9, 30)), (dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        (dt.date(2025, 1, 1), dt.date(2025, 3, 31)), (dt.date(2025, 4, 1), dt.date(2025, 6, 30))}


def test_trust_rows_add_up_to_each_files_england_row(rows: list[MetricRow]) -> None:
    for start, (available, occupied) in ENGLAND.items():
        sel = [r for r in rows if r.period_start == start]
        assert sum(r.denominator or 0 for r in sel) == pytest.approx(available, rel=1e-12)
        assert sum(r.numerator or 0 for r in sel) == pytest.approx(occupied, rel=1e-12)
    q1 = [r for r in rows if r.period_start == dt.date(2025, 4, 1)]
    assert round(100 * sum(r.numerator or 0 for r in q1) / sum(r.denominator or 0 for r in q1), 1) == 91.5


def test_rj1_q1_2025_26(rows: list[MetricRow]) -> None:
    (rj1,) = [r for r in rows if r.org_code == "RJ1" and r.period_start == dt.date(2025, 4, 1)]
    assert round(rj1.denominator or 0, 1) == 1219.5
    assert round(rj1.value or 0, 1) == 82.1
    assert rj1.value == pytest.approx(100 * (rj1.numerator or 0) / (rj1.denominator or 1))


def test_trusts_without_general_and_acute_beds_have_no_value(rows: list[MetricRow]) -> None:
    # North London NHS FT (mental health) has only LD and MI beds.
    assert not [r for r in rows if r.org_code == "G6V2S"]
    assert all((r.denominator or 0) > 0 for r in rows)


def test_data_quality_notes_are_kept(rows: list[MetricRow]) -> None:
    (rna,) = [r for r in rows if r.org_code == "RNA" and r.period_start == dt.date(2024, 10, 1)]
    assert "did not submit" in rna.extra["data_quality"]


# -- damaged copies -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample() -> list[list[Any]]:
    wb = openpyxl.load_workbook(Q3_REVISED, read_only=True, data_only=True)
    ws = wb["NHS Trust by Sector"]
    ws.reset_dimensions()
    out = [list(v) for v in ws.iter_rows(values_only=True)][:60]
    wb.close()
    return out


def _copy(tmp_path: Path, sample: list[list[Any]], damage: Callable[[list[list[Any]]], None]) -> Path:
    data = [list(r) for r in sample]
    damage(data)
    return write_workbook(tmp_path / "beds.xlsx", {"NHS Trust by Sector": data}, cover=("Data Quality",))


def _row(sample: list[list[Any]], code: str) -> int:
    """0-based index of a trust's row in the sample (its sheet row is this + 1)."""
    return next(i for i, r in enumerate(sample) if len(r) > 4 and r[4] == code)


def _error(path: Path) -> InputError:
    return read_error(READER, path)


def test_undamaged_copy_reads(tmp_path: Path, sample: list[list[Any]]) -> None:
    got = list(READER.read(_copy(tmp_path, sample, lambda d: None)))
    assert got and {r.period_start for r in got} == {dt.date(2024, 10, 1)}


def test_truncated_file(tmp_path: Path) -> None:
    data = Q1_2025.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "truncated" in str(_error(path))


def test_missing_column(tmp_path: Path, sample: list[list[Any]]) -> None:
    def damage(d: list[list[Any]]) -> None:
        d[14][13] = "General and acute (occupied)"
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (15, "Occupied / General & Acute")


def test_non_numeric_count(tmp_path: Path, sample: list[list[Any]]) -> None:
    i = _row(sample, "R1H")
    def damage(d: list[list[Any]]) -> None:
        d[i][7] = "about 2000"
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (i + 1, "Available / General & Acute")


def test_occupied_above_available(tmp_path: Path, sample: list[list[Any]]) -> None:
    i = _row(sample, "R1H")
    def damage(d: list[list[Any]]) -> None:
        d[i][13] = d[i][7] + 1
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (i + 1, "Occupied / General & Acute")


def test_duplicate_row(tmp_path: Path, sample: list[list[Any]]) -> None:
    i = _row(sample, "R1H")
    err = _error(_copy(tmp_path, sample, lambda d: d.append(list(d[i]))))
    assert err.problems[0].line == len(sample) + 1
    assert "duplicate" in err.problems[0].message


def test_unparseable_period(tmp_path: Path, sample: list[list[Any]]) -> None:
    i = _row(sample, "R1H")
    def damage(d: list[list[Any]]) -> None:
        d[i][2] = "November"  # not a quarter end
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (i + 1, "Period End")


def test_rows_for_another_quarter(tmp_path: Path, sample: list[list[Any]]) -> None:
    i = _row(sample, "R1H") + 3
    def damage(d: list[list[Any]]) -> None:
        d[i][2] = "September"
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (i + 1, "Period End")
    assert "one quarter per file" in err.problems[0].message


def test_stated_period_must_match_the_rows(tmp_path: Path, sample: list[list[Any]]) -> None:
    def damage(d: list[list[Any]]) -> None:
        d[4][2] = "July to September 2024"
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (5, "Period")


def test_publication_dates_are_kept(rows: list[MetricRow]) -> None:
    revised = {r.extra.get("revised") for r in rows if r.period_start == dt.date(2024, 10, 1)}
    assert revised == {"21st May 2025"}
