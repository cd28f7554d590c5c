"""The A&E monthly readers on the real NHS England files (CSV and the by-provider workbook)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.ae import AeMonthlyCsvReader, AeProviderWorkbookReader
from tests.metrics.conftest import AE_DIR, AE_MAY_2025, AE_XLSX

CSV = AeMonthlyCsvReader()
XLSX = AeProviderWorkbookReader()


def _by_key(path: Path, reader: AeMonthlyCsvReader | AeProviderWorkbookReader) -> dict[tuple[str, str], MetricRow]:
    return {(r.metric, r.org_code): r for r in reader.read(path)}


def test_rj1_may_2025_matches_the_published_check_values() -> None:
    rows = _by_key(AE_MAY_2025, CSV)
    four = rows[("ae_4hr", "RJ1")]
    assert four.denominator == 18092 and four.numerator is not None
    assert four.denominator - four.numerator == 3782
    assert four.value is not None and round(four.value, 1) == 79.1
    assert four.period_start == dt.date(2025, 5, 1) and four.period_end == dt.date(2025, 5, 31)
    assert rows[("ae_12hr_dta", "RJ1")].value == 69
    assert rows[("ae_attendances", "RJ1")].value == 18092
    # type 1 includes booked type 1 attendances: 10,064 attendances, 3,483 over 4 hours
    t1 = rows[("ae_type1_4hr", "RJ1")]
    assert (t1.numerator, t1.denominator) == (10064 - 3483, 10064)


def test_every_monthly_csv_is_recognised_and_reads_one_month() -> None:
    files = sorted(AE_DIR.glob("*.csv"))
    assert len(files) == 14
    months = set()
    for f in files:
        assert CSV.recognises(f) and not XLSX.recognises(f)
        starts = {r.period_start for r in CSV.read(f)}
        assert len(starts) == 1
        months |= starts
    assert len(months) == 14  # June 2024 .. July 2025, one file each


def test_trailing_empty_columns_are_tolerated() -> None:
    rows = list(CSV.read(AE_DIR / "Monthly-AE-September-2024.csv"))
    assert {r.period_start for r in rows} == {dt.date(2024, 9, 1)}
    assert len({r.org_code for r in rows}) == 197


def test_zero_attendance_providers_keep_counts_but_have_no_rate() -> None:
    rows = _by_key(AE_MAY_2025, CSV)
    assert rows[("ae_attendances", "RAN")].value == 0
    assert ("ae_4hr", "RAN") not in rows


def test_workbook_agrees_with_the_csv_for_june_2025() -> None:
    from_xlsx = {k: (r.numerator, r.denominator, r.value) for k, r in _by_key(AE_XLSX, XLSX).items()}
    june_csv = AE_DIR / "Monthly-AE-June-2025-1-1.csv"
    from_csv = {k: (r.numerator, r.denominator, r.value) for k, r in _by_key(june_csv, CSV).items()}
    assert len(from_xlsx) == 714
    assert from_xlsx == from_csv


def test_recognition_is_by_content_not_name(tmp_path: Path) -> None:
    odd = tmp_path / "download (3).txt"
    shutil.copy(AE_MAY_2025, odd)
    assert CSV.recognises(odd)
    book = tmp_path / "renamed.bin"
    shutil.copy(AE_XLSX, book)
    assert XLSX.recognises(book) and not CSV.recognises(book)
    not_ae = tmp_path / "Monthly-AE-May-2025.csv"
    not_ae.write_text("a,b,c\n1,2,3\n")
    assert not CSV.recognises(not_ae)


@pytest.mark.parametrize("path", [AE_DIR / "PROVENANCE.md"])
def test_other_files_are_not_recognised(path: Path) -> None:
    assert not CSV.recognises(path) and not XLSX.recognises(path)
