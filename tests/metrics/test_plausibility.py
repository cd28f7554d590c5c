"""Issue 21, items 4 and 5: implausible values refused by name, and every file loaded or refused on its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from opmodel.metrics import MetricRow, MetricsLoadError, catalogue, load_files
from opmodel.metrics.plausibility import check_row, find_nul
from opmodel.store import Store
from tests.conftest import SHARED_DATA
from tests.metrics.conftest import AE_DIR, AE_MAY_2025

NOF_CSV = (SHARED_DATA / "nof-2025-26-mh-community-raw"
           / "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")
PROFILES = SHARED_DATA / "cqc-ratings-and-shmi-2026-thirdparty"


def _values(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM metric_values"))


def _refused(store: Store, path: Path) -> Any:
    with pytest.raises(MetricsLoadError) as err:
        load_files(store, [path])
    return err.value


def test_an_ae_file_for_april_2099_is_refused_and_nothing_is_stored(bare_store: Store, tmp_path: Path) -> None:
    future = tmp_path / "Monthly-AE-April-2099.csv"
    future.write_text(AE_MAY_2025.read_text(encoding="utf-8").replace("MAY-2025", "APRIL-2099"), encoding="utf-8")
    err = _refused(bare_store, future)
    problem = err.problems[0]
    assert problem.file == str(future) and problem.line == 2 and problem.field == "period"
    assert "2099-04-30 has not ended" in problem.message
    assert _values(bare_store) == 0 and bare_store.scalar("SELECT count(*) FROM metric_sources") == 0


def test_a_future_period_is_refused_whatever_today_is(tmp_path: Path) -> None:
    row = MetricRow("ae_4hr", "RJ1", dt.date(2026, 12, 1), dt.date(2026, 12, 31), 80.0, 80, 100, source_row=7)
    check_row(row, catalogue()["ae_4hr"], tmp_path / "f.csv", dt.date(2027, 1, 1))  # December is over
    with pytest.raises(Exception, match="has not ended"):
        check_row(row, catalogue()["ae_4hr"], tmp_path / "f.csv", dt.date(2026, 12, 7))


def test_a_negative_nof_percentage_is_refused_with_file_line_and_field(bare_store: Store, tmp_path: Path) -> None:
    text = NOF_CSV.read_text(encoding="utf-8-sig").splitlines()
    line = next(i for i, t in enumerate(text) if ",R1A," in t and ",OF0005," in t and t.startswith("Q1"))
    text[line] = text[line].replace(",%,9.03,", ",%,-9.03,")
    bad = tmp_path / "nof.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    err = _refused(bare_store, bad)
    problem = err.problems[0]
    assert (problem.file, problem.line, problem.field) == (str(bad), line + 1, "value")
    assert "-9.03 is impossible for a percent value; expected from 0 to 100" in problem.message
    assert _values(bare_store) == 0


def test_percentages_outside_0_to_100_and_negative_counts(tmp_path: Path) -> None:
    cat = catalogue()
    ok = MetricRow("ae_4hr", "RJ1", dt.date(2025, 1, 1), dt.date(2025, 1, 31), 100.0, source_row=3)
    check_row(ok, cat["ae_4hr"], tmp_path, dt.date(2026, 12, 7))
    for metric, value in (("ae_4hr", 100.5), ("ae_attendances", -1.0), ("OF5002", 4.5), ("OF5000", 0.0)):
        row = MetricRow(metric, "RJ1", dt.date(2025, 1, 1), dt.date(2025, 1, 31), value, source_row=3)
        with pytest.raises(Exception, match="impossible"):
            check_row(row, cat[metric], tmp_path, dt.date(2026, 12, 7))
    deficit = MetricRow("OF0079", "RJ1", dt.date(2025, 1, 1), dt.date(2025, 3, 31), -3.26, source_row=3)
    check_row(deficit, cat["OF0079"], tmp_path, dt.date(2026, 12, 7))  # a deficit is negative: declared so


def test_nul_bytes_are_refused_with_line_and_field(bare_store: Store, tmp_path: Path) -> None:
    data = AE_MAY_2025.read_bytes().replace(b",RJ1,", b",RJ\x001,", 1)
    bad = tmp_path / "may.csv"
    bad.write_bytes(data)
    line = data[:data.index(b"\x00")].count(b"\n") + 1
    assert find_nul(bad) == (line, "Org Code")
    err = _refused(bare_store, bad)
    assert (err.problems[0].line, err.problems[0].field) == (line, "Org Code")
    assert "NUL" in err.problems[0].message and _values(bare_store) == 0


def test_a_publication_with_a_nul_in_its_header_is_refused_not_skipped(bare_store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "renamed.csv"  # not NHS England's name: only its content says what it is
    bad.write_bytes(AE_MAY_2025.read_bytes().replace(b"Org Code", b"Org Code\x00", 1))
    err = _refused(bare_store, bad)
    assert err.problems[0].line == 1 and "holds NUL bytes" in err.problems[0].message


def test_a_folder_with_a_good_and_a_cut_file_loads_the_good_one(bare_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a-good.csv").write_bytes((AE_DIR / "Monthly-AE-April-2025.csv").read_bytes())
    whole = AE_MAY_2025.read_bytes()
    (folder / "b-cut.csv").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(MetricsLoadError) as err:
        load_files(bare_store, [folder])
    report = err.value.report
    assert {Path(f.path).name: f.status for f in report.files} == {"a-good.csv": "loaded", "b-cut.csv": "rejected"}
    assert report.exit_code == 1 and report.committed
    assert [p.file for p in err.value.problems] == [str(folder / "b-cut.csv")]
    assert bare_store.scalar("SELECT count(DISTINCT period_start) FROM metric_values") == 1  # April only


def test_the_cli_loads_the_good_file_exits_1_and_names_the_bad_one(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    good = AE_MAY_2025.read_text(encoding="utf-8").replace("MAY-2025", "MAY-2019")  # not in the shipped data
    (folder / "good.csv").write_text(good, encoding="utf-8")
    (folder / "future.csv").write_text(good.replace("MAY-2019", "APRIL-2099"), encoding="utf-8")
    res = cli("metrics", "load", str(folder))
    assert res.exit_code == 1
    out = " ".join(res.output.split())
    assert "refused" in out and "future.csv, line 2, field period" in out
    assert "the other files were loaded" in out
    shown = cli("metrics", "show", "ae_4hr", "--org", "RJ1", "--from", "2019-05", "--to", "2019-05")
    assert "2019-05-01" in shown.stdout


def test_a_look_alike_never_blocks_a_folder(bare_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "good.csv").write_bytes(AE_MAY_2025.read_bytes())
    (folder / "Monthly-AE-June-2025.csv").write_text("not,a,publication\n1,2,3\n", encoding="utf-8")
    with pytest.raises(MetricsLoadError) as err:
        load_files(bare_store, [folder])
    statuses = {Path(f.path).name: f.status for f in err.value.report.files}
    assert statuses == {"good.csv": "loaded", "Monthly-AE-June-2025.csv": "rejected"}
    assert _values(bare_store) > 0


def test_third_party_profiles_beside_publications_are_skipped_not_refused(bare_store: Store) -> None:
    """The per-trust CQC/SHMI/NOF profile table is another table: never mistaken for the NOF extract. The
    quality area's reader takes it (issue 22); nothing in the folder is refused."""
    report = load_files(bare_store, [PROFILES])
    assert report.exit_code == 0 and "rejected" not in {f.status for f in report.files}
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["trustpulse_trust_profiles.csv"].publication != "nof_extract"
    assert by_name["trustpulse_trust_profiles.csv"].status == "loaded"


@pytest.mark.parametrize("name", ["ftt-summary-may-26.xlsx", "DM01-APRIL-2026-full-extract.zip",
                                  "csds-apr26-exp-core-data.zip"])
def test_damaged_copies_of_the_new_publications_are_refused_by_name(bare_store: Store, tmp_path: Path,
                                                                    name: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(b"PK\x03\x04 cut short")
    err = _refused(bare_store, bad)
    assert err.problems[0].file == str(bad) and "looks like" in err.problems[0].message
