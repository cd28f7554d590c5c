"""Every kind of bad input on damaged copies of the real files: a clear InputError, nothing written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.metrics import MetricsLoadError, load_files, reader_for
from opmodel.store import Store
from tests.metrics.conftest import AE_MAY_2025, AE_XLSX, DM01_CSV, DM01_XLS, RTT_ZIP

Edit = Callable[[list[list[str]]], None]


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _write(rows: list[list[str]], path: Path) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _rj1(rows: list[list[str]]) -> int:
    return next(i for i, r in enumerate(rows) if len(r) > 1 and r[1] == "RJ1")


def _col(rows: list[list[str]], name: str) -> int:
    return rows[0].index(name)


def _set(name: str, value: str) -> Edit:
    def edit(rows: list[list[str]]) -> None:
        rows[_rj1(rows)][_col(rows, name)] = value
    return edit


def _drop_column(name: str) -> Edit:
    def edit(rows: list[list[str]]) -> None:
        i = _col(rows, name)
        for r in rows:
            del r[i]
    return edit


def _add_column(rows: list[list[str]]) -> None:
    rows[0].append("Mystery")
    for r in rows[1:]:
        r.append("5")


def _duplicate(rows: list[list[str]]) -> None:
    rows.insert(_rj1(rows) + 1, list(rows[_rj1(rows)]))


def _drop_total(rows: list[list[str]]) -> None:
    del rows[-5:]


AE_CASES: dict[str, tuple[Edit, str | None, str]] = {
    "missing column": (_drop_column("Attendances over 4hrs Type 1"), "attendances over 4hrs type 1", "missing"),
    "unexpected column": (_add_column, "Mystery", "unexpected column"),
    "non-numeric count": (_set("A&E attendances Type 1", "n/a"), "A&E attendances Type 1", "expected a count"),
    "negative count": (_set("A&E attendances Type 2", "-4"), "A&E attendances Type 2", "non-negative"),
    "over 4h exceed attendances": (_set("Attendances over 4hrs Type 1", "99999"), "A&E attendances Type 1",
                                   "exceed"),
    "duplicate row": (_duplicate, "Org Code", "duplicate"),
    "unparseable period": (_set("Period", "MSitAE-SMARCH-25"), "Period", "month and year"),
    "truncated at a row boundary": (_drop_total, None, "truncated"),
    "totals disagree": (_set("Patients who have waited 12+ hrs from DTA to admission", "70"),
                        "Patients who have waited 12+ hrs from DTA to admission", "TOTAL row"),
}


@pytest.mark.parametrize("case", sorted(AE_CASES))
def test_ae_csv_damage(case: str, tmp_path: Path) -> None:
    edit, field, words = AE_CASES[case]
    rows = _rows(AE_MAY_2025)
    edit(rows)
    bad = _write(rows, tmp_path / "ae.csv")
    with pytest.raises(InputError) as err:
        list(reader_for(bad).read(bad))
    problem = err.value.problems[0]
    assert problem.file == str(bad)
    assert words in problem.message
    if field is not None:
        assert problem.field is not None and field in problem.field
    if case == "totals disagree":
        assert problem.line == len(rows)  # the TOTAL row, last in the file
    elif case not in ("missing column", "unexpected column", "truncated at a row boundary"):
        assert problem.line == _rj1(_rows(AE_MAY_2025)) + 1 + (1 if case == "duplicate row" else 0)


def test_ae_csv_cut_mid_row(tmp_path: Path) -> None:
    data = AE_MAY_2025.read_bytes()
    bad = tmp_path / "cut.csv"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        list(reader_for(bad).read(bad))
    assert err.value.problems[0].line is not None and "truncated" in err.value.problems[0].message


def test_ae_workbook_truncated(tmp_path: Path) -> None:
    bad = tmp_path / "ae.xlsx"
    bad.write_bytes(AE_XLSX.read_bytes()[:150_000])
    with pytest.raises(InputError) as err:
        list(reader_for(bad).read(bad))
    assert err.value.problems[0].file == str(bad)


def _rtt_csv_rows(limit: int = 3000) -> list[list[str]]:
    with zipfile.ZipFile(RTT_ZIP) as zf, zf.open("20260430-RTT-April-2026-full-extract.csv") as fh:
        reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8-sig"))
        return [row for _, row in zip(range(limit), reader, strict=False)]


def _first_part2_total(rows: list[list[str]]) -> int:
    part, tf = rows[0].index("RTT Part Type"), rows[0].index("Treatment Function Code")
    return next(i for i, r in enumerate(rows) if i and r[part] == "Part_2" and r[tf] == "C_999")


def test_rtt_sample_reads_cleanly(tmp_path: Path) -> None:
    """The sample used for the damage cases below is itself valid."""
    good = _write(_rtt_csv_rows(), tmp_path / "rtt.csv")
    assert sum(1 for r in reader_for(good).read(good) if r.metric == "rtt_waiting_list") > 0


def _drop_rtt_total(rows: list[list[str]]) -> None:
    i = rows[0].index("Total All")
    for r in rows:
        del r[i]


RTT_CASES: dict[str, tuple[Callable[[list[list[str]]], None], str, str]] = {
    "missing column": (_drop_rtt_total, "total all", "missing"),
    "non-numeric bucket": (lambda rows: rows[_first_part2_total(rows)].__setitem__(
        rows[0].index("Gt 00 To 01 Weeks SUM 1"), "lots"), "Gt 00 To 01 Weeks SUM 1", "expected a count"),
    "buckets exceed total": (lambda rows: rows[_first_part2_total(rows)].__setitem__(
        rows[0].index("Gt 03 To 04 Weeks SUM 1"), "999999"), "Total All", "more than Total All"),
    "duplicate row": (lambda rows: rows.insert(_first_part2_total(rows), list(rows[_first_part2_total(rows)])),
                      "Treatment Function Code", "duplicate"),
    "unparseable period": (lambda rows: rows[_first_part2_total(rows)].__setitem__(0, "RTT-Smarch-2026"),
                           "Period", "month and year"),
}


@pytest.mark.parametrize("case", sorted(RTT_CASES))
def test_rtt_damage(case: str, tmp_path: Path) -> None:
    edit, field, words = RTT_CASES[case]
    rows = _rtt_csv_rows()
    edit(rows)
    bad = _write(rows, tmp_path / "rtt.csv")
    with pytest.raises(InputError) as err:
        list(reader_for(bad).read(bad))
    problem = err.value.problems[0]
    assert problem.file == str(bad) and words in problem.message
    assert problem.field is not None and field in problem.field


def test_rtt_truncated_zip_is_recognised_and_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "rtt.zip"
    bad.write_bytes(RTT_ZIP.read_bytes()[:1_000_000])
    with pytest.raises(InputError) as err:
        list(reader_for(bad).read(bad))
    assert "truncated" in err.value.problems[0].message


def test_dm01_xls_truncated(tmp_path: Path) -> None:
    bad = tmp_path / "dm01.xls"
    bad.write_bytes(DM01_XLS.read_bytes()[:400_000])
    with pytest.raises(InputError) as err:
        list(reader_for(bad).read(bad))
    assert err.value.problems[0].file == str(bad)


DM01_CASES: dict[str, tuple[Callable[[list[list[str]]], None], str, str]] = {
    "six weeks exceed list": (lambda rows: rows[_rj1x(rows)].__setitem__(rows[0].index("Number waiting 6+ Weeks"),
                                                                         "99999999"),
                              "Number waiting 6+ Weeks", "exceed"),
    "duplicate row": (lambda rows: rows.insert(_rj1x(rows), list(rows[_rj1x(rows)])), "Provider Code", "duplicate"),
    "bad period": (lambda rows: rows[_rj1x(rows)].__setitem__(0, "2024-13"), "period", "month and year"),
    "non-numeric": (lambda rows: rows[_rj1x(rows)].__setitem__(rows[0].index("Total Waiting List"), "x"),
                    "Total Waiting List", "expected a count"),
}


def _rj1x(rows: list[list[str]]) -> int:
    return next(i for i, r in enumerate(rows) if len(r) > 3 and r[3] == "RJ1")


@pytest.mark.parametrize("case", sorted(DM01_CASES))
def test_dm01_csv_damage(case: str, tmp_path: Path) -> None:
    edit, field, words = DM01_CASES[case]
    rows = _rows(DM01_CSV)[:600]
    edit(rows)
    bad = _write(rows, tmp_path / "dm01.csv")
    with pytest.raises(InputError) as err:
        list(reader_for(bad).read(bad))
    problem = err.value.problems[0]
    assert problem.file == str(bad) and words in problem.message
    assert problem.field == field and problem.line is not None


def test_a_bad_file_is_refused_alone_and_the_good_one_is_committed(bare_store: Store, tmp_path: Path) -> None:
    """Issue 21, item 5: per-file loads. The good file is committed, the bad one refused by name."""
    rows = _rows(AE_MAY_2025)
    _duplicate(rows)
    bad = _write(rows, tmp_path / "bad.csv")
    good = tmp_path / "good.csv"
    good.write_bytes((AE_MAY_2025.parent / "Monthly-AE-April-2025.csv").read_bytes())
    with pytest.raises(MetricsLoadError) as err:
        load_files(bare_store, [good, bad])
    report = err.value.report
    assert [f.status for f in report.files] == ["loaded", "rejected"] and report.committed
    assert report.exit_code == 1 and err.value.problems[0].file == str(bad)
    files = [r["file_name"] for r in bare_store.rows("SELECT file_name FROM metric_sources")]
    assert files == ["good.csv"]
    months = {r[0] for r in bare_store.execute("SELECT DISTINCT period_start FROM metric_values").fetchall()}
    assert months == {dt.date(2025, 4, 1)}  # nothing from May (the refused file)


def test_ae_workbook_missing_column_and_bad_count(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(AE_XLSX)
    ws = wb["Provider Level Data"]
    rj1 = next(r for r in range(17, ws.max_row + 1) if ws.cell(r, 2).value == "RJ1")
    ws.cell(rj1, 5).value = "lots"  # type 1 attendances
    bad_count = tmp_path / "count.xlsx"
    wb.save(bad_count)
    with pytest.raises(InputError) as err:
        list(reader_for(bad_count).read(bad_count))
    assert (err.value.problems[0].line, err.value.problems[0].field) == (
        rj1, "a&e attendances: type 1 departments - major a&e")
    ws.cell(rj1, 5).value = 10089
    ws.cell(rj1, 6).value = ws.cell(rj1, 6).value + 1  # type 2 attendances no longer add up to England
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    with pytest.raises(InputError) as err:
        list(reader_for(edited).read(edited))
    assert "England row" in err.value.problems[0].message and "type 2" in (err.value.problems[0].field or "")
    ws.cell(16, 28).value = "Something else"  # the >12 hours decision-to-admit column
    bad_header = tmp_path / "header.xlsx"
    wb.save(bad_header)
    with pytest.raises(InputError) as err:
        list(reader_for(bad_header).read(bad_header))
    assert err.value.problems[0].line == 16
    assert ">12 hours from decision to admit" in (err.value.problems[0].field or "")
