"""The calibration parsers read the raw publications' finer counts exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.records import ae_calibration_files, read_ae_counts, read_rtt_cells

from .conftest import AE_FOLDER, RTT_EXTRACT


def test_every_monthly_file_is_recognised_by_its_header() -> None:
    files = ae_calibration_files(AE_FOLDER)
    assert len(files) == 14
    months = {next(read_ae_counts(f)).month for f in files}
    assert min(months) == dt.date(2024, 6, 1) and max(months) == dt.date(2025, 7, 1)


def test_rj1_may_2025_check_value() -> None:
    rows = {c.org_code: c for c in read_ae_counts(AE_FOLDER / "Monthly-AE-May-2025.csv")}
    rj1 = rows["RJ1"]
    assert sum(rj1.attendances) == 18_092 and sum(rj1.over_4h) == 3_782
    assert rj1.dta_12h == 69 and rj1.dta_4_12h == 103
    assert rj1.attendances[:3] == (10_064, 719, 7_309)
    assert "TOTAL" not in rows and all(c.month == dt.date(2025, 5, 1) for c in rows.values())


def test_september_file_with_empty_trailing_columns_reads() -> None:
    rows = list(read_ae_counts(AE_FOLDER / "Monthly-AE-September-2024.csv"))
    assert len(rows) == 197
    assert all(c.month == dt.date(2024, 9, 1) for c in rows)


def test_a_bad_count_names_file_line_and_column(tmp_path: Path) -> None:
    src = (AE_FOLDER / "Monthly-AE-May-2025.csv").read_text(encoding="utf-8-sig").splitlines()
    cells = src[3].split(",")
    cells[4] = "lots"
    src[3] = ",".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(src), encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(read_ae_counts(bad))
    problem = err.value.problems[0]
    assert (problem.line, problem.field) == (4, "A&E attendances Type 1")
    assert "whole number" in problem.message


def test_rtt_cells_cover_every_incomplete_pathway() -> None:
    total = 0
    providers = set()
    for cell in read_rtt_cells(RTT_EXTRACT):
        total += sum(cell.buckets)
        providers.add(cell.provider)
        assert cell.treatment_function != "C_999" and cell.census_date == dt.date(2026, 4, 30)
    assert total == 7_123_980
    assert len(providers) == 528
