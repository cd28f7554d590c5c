"""The ODS etr/eccg reader on the real published files and on damaged copies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.structure.ods import OdsFileKind, read_ods_file

from .conftest import ODS


def test_reads_the_2025_trust_file() -> None:
    snap = read_ods_file(ODS / "etr_snapshot_2025b.csv")
    assert snap.kind is OdsFileKind.ETR
    assert len(snap.records) == 273
    assert sum(1 for r in snap.records if r.close_date is None) == 205
    rj1 = next(r for r in snap.records if r.code == "RJ1")
    assert (rj1.region, rj1.icb, rj1.postcode) == ("Y56", "QKK", "SE1 7EH")
    assert rj1.open_date == dt.date(1993, 4, 1)


def test_welsh_pseudo_codes_mean_no_english_parent() -> None:
    snap = read_ods_file(ODS / "etr_snapshot_2025a.csv")
    velindre = next(r for r in snap.records if r.code == "RQF")
    assert velindre.region is None and velindre.icb is None


def test_recognises_the_sub_icb_file_by_content(tmp_path: Path) -> None:
    renamed = tmp_path / "trusts.csv"  # a misleading name: the content decides
    renamed.write_bytes((ODS / "eccg_snapshot_2025b.csv").read_bytes())
    snap = read_ods_file(renamed)
    assert snap.kind is OdsFileKind.ECCG
    assert sum(1 for r in snap.records if r.close_date is None) == 159


def _damaged(tmp_path: Path, line_no: int, edit: str) -> Path:
    lines = (ODS / "etr_snapshot_2025b.csv").read_text().splitlines()
    lines[line_no - 1] = edit
    path = tmp_path / "etr.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _row(code: str = "RZZ", open_date: str = "20200101", close: str = "", icb: str = "QKK") -> str:
    cols = [code, "TEST NHS TRUST", "Y56", icb] + [""] * 6 + [open_date, close] + [""] * 15
    return ",".join(f'"{c}"' for c in cols)


@pytest.mark.parametrize(
    ("edit", "field", "expected"),
    [
        ('"RZZ","TEST NHS TRUST","Y56"', None, "expected 27 columns, found 3"),
        (_row(open_date="2020-01-01"), "open_date", "expected a date as YYYYMMDD"),
        (_row(open_date="20201345"), "open_date", "expected a date as YYYYMMDD"),
        (_row(close="20190101"), "close_date", "before open date"),
        (_row(code="R0A"), "organisation_code", "duplicate code R0A"),
        (_row(code="R-0A"), "organisation_code", "expected an ODS code"),
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_path: Path, edit: str, field: str | None, expected: str) -> None:
    path = _damaged(tmp_path, 10, edit)
    with pytest.raises(InputError) as err:
        read_ods_file(path)
    problem = err.value.problems[0]
    assert problem.file == str(path)
    assert problem.line == 10
    assert problem.field == field
    assert expected in problem.message
    assert "line 10" in str(err.value)


def test_rejects_a_file_that_is_not_ods(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(InputError, match="not an ODS etr or eccg file"):
        read_ods_file(path)


def test_rejects_an_empty_or_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_ods_file(empty)
    with pytest.raises(InputError, match="file not found"):
        read_ods_file(tmp_path / "missing.csv")
