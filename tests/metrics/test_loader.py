"""Loading: atomic, idempotent, revisions recorded, unknown codes kept and reported."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest

from opmodel.errors import InputError
from opmodel.metrics import expand_paths, load_files
from opmodel.store import Store
from tests.metrics.conftest import AE_DIR, AE_MAY_2025, DM01_CSV, DM01_XLS

TABLES = ("metric_values", "metric_sources", "metric_revisions", "organisations")


def _content(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {t: sorted(store.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


def _revised_may(path: Path, delta: int = 100) -> Path:
    """May 2025 with RJ1's type 1 over-4-hour count lowered by ``delta`` (TOTAL row kept consistent)."""
    with AE_MAY_2025.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("Attendances over 4hrs Type 1")
    for r in rows:
        if r[1] in ("RJ1", "TOTAL"):
            r[col] = str(int(r[col]) - delta)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_loading_the_same_folder_twice_changes_nothing(bare_store: Store) -> None:
    first = load_files(bare_store, [AE_DIR])
    assert first.committed and first.count("loaded") == 15 and first.count("skipped") == 1
    snapshot = _content(bare_store)
    second = load_files(bare_store, [AE_DIR])
    assert second.count("loaded") == 0 and second.count("unchanged") == 15
    assert second.inserted == 0 and second.replaced == 0
    assert _content(bare_store) == snapshot


def test_same_content_under_another_name_is_recognised_as_loaded(bare_store: Store, tmp_path: Path) -> None:
    load_files(bare_store, [AE_MAY_2025])
    copy = tmp_path / "may (1).csv"
    shutil.copy(AE_MAY_2025, copy)
    report = load_files(bare_store, [copy])
    assert [f.status for f in report.files] == ["unchanged"]


def test_a_revised_file_replaces_values_and_records_the_revision(bare_store: Store, tmp_path: Path) -> None:
    load_files(bare_store, [AE_MAY_2025])
    old = bare_store.rows("SELECT value, source_id FROM metric_values WHERE metric = 'ae_4hr' AND org_code = 'RJ1'")[0]
    report = load_files(bare_store, [_revised_may(tmp_path / "may-revised.csv")])
    f = report.files[0]
    assert (f.status, f.replaced, f.inserted) == ("loaded", 2, 0)  # ae_4hr and ae_type1_4hr of RJ1
    new = bare_store.rows("SELECT numerator, denominator, value, source_id FROM metric_values "
                          "WHERE metric = 'ae_4hr' AND org_code = 'RJ1'")[0]
    assert (new["numerator"], new["denominator"]) == (14310 + 100, 18092)
    revs = bare_store.rows("SELECT * FROM metric_revisions ORDER BY metric")
    assert [r["metric"] for r in revs] == ["ae_4hr", "ae_type1_4hr"]
    assert revs[0]["old_value"] == old["value"] and revs[0]["new_value"] == new["value"]
    assert revs[0]["old_source_id"] == old["source_id"] and revs[0]["new_source_id"] == new["source_id"]
    # values the revision did not change keep their original source
    assert bare_store.execute("SELECT count(DISTINCT source_id) FROM metric_values").fetchall()[0][0] == 2


def test_dry_run_counts_but_writes_nothing(bare_store: Store) -> None:
    before = _content(bare_store)
    report = load_files(bare_store, [AE_MAY_2025], dry_run=True)
    assert report.dry_run and not report.committed
    assert report.inserted == 711 and report.new_organisations
    assert _content(bare_store) == before


def test_unknown_codes_are_kept_as_other_providers_and_reported(bare_store: Store) -> None:
    report = load_files(bare_store, [AE_MAY_2025])
    new = {o["code"]: o["name"] for o in report.new_organisations}
    assert new["8J094"] == "BADGER LTD"
    assert "RJ1" not in new  # in the registry
    row = bare_store.rows("SELECT kind, name FROM organisations WHERE code = '8J094'")[0]
    assert row == {"kind": "other_provider", "name": "BADGER LTD"}
    in_file = bare_store.execute("SELECT count(DISTINCT org_code) FROM metric_values").fetchall()[0][0]
    assert in_file == 200  # every row of the file is kept, none dropped


def test_raw_and_derived_dm01_agree_so_loading_both_revises_nothing(bare_store: Store) -> None:
    report = load_files(bare_store, [DM01_XLS, DM01_CSV])
    assert [f.status for f in report.files] == ["loaded", "loaded"]
    assert report.files[1].unchanged == report.files[0].rows == 816
    assert report.replaced == 0


def test_skipped_and_missing_paths(bare_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "notes.pdf").write_bytes(b"%PDF-1.4 not a publication")
    (folder / ".hidden.csv").write_text("x")
    assert expand_paths([folder]) == [folder / "sub" / "notes.pdf"]
    report = load_files(bare_store, [folder])
    assert [f.status for f in report.files] == ["skipped"] and report.committed
    with pytest.raises(InputError, match="no such file"):
        load_files(bare_store, [tmp_path / "nope.csv"])


class _Broken:
    """A reader that recognises everything and then fails in an unanticipated way."""

    publication = "broken"

    def __init__(self, fail_on_recognise: bool) -> None:
        self.fail_on_recognise = fail_on_recognise

    def recognises(self, path: Path) -> bool:
        if self.fail_on_recognise:
            raise RuntimeError("confused")
        return True

    def read(self, path: Path) -> Any:
        raise KeyError("sheet")


def test_reader_failures_never_escape_as_tracebacks(bare_store: Store, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from opmodel.metrics.readers import registry

    f = tmp_path / "x.dat"
    f.write_text("whatever")
    monkeypatch.setattr(registry, "READERS", [_Broken(fail_on_recognise=True)])
    skipped = load_files(bare_store, [f])
    assert skipped.files[0].status == "skipped" and "confused" in (skipped.files[0].message or "")
    monkeypatch.setattr(registry, "READERS", [_Broken(fail_on_recognise=False)])
    with pytest.raises(InputError) as err:
        load_files(bare_store, [f])
    assert err.value.problems[0].file == str(f) and "KeyError" in err.value.problems[0].message


def test_dry_run_refuses_to_nest(bare_store: Store) -> None:
    from opmodel.errors import OpmodelError

    with bare_store.transaction(), pytest.raises(OpmodelError, match="dry run"):
        load_files(bare_store, [AE_MAY_2025], dry_run=True)


def _original_of_revised(tmp_path: Path) -> tuple[Path, Path]:
    """November 2024 as published in the '-revised' file, and an 'original' whose RJ1 count differs."""
    revised = AE_DIR / "Monthly-AE-November-2024-revised.csv"
    original = tmp_path / "Monthly-AE-November-2024.csv"
    with revised.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("Attendances over 4hrs Type 1")
    for r in rows:
        if r[1] in ("RJ1", "TOTAL"):
            r[col] = str(int(r[col]) + 250)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    original.write_text(buf.getvalue(), encoding="utf-8")
    return revised, original


def test_an_older_file_loaded_later_does_not_undo_a_revision(bare_store: Store, tmp_path: Path) -> None:
    revised, original = _original_of_revised(tmp_path)
    load_files(bare_store, [revised])
    sql = "SELECT value FROM metric_values WHERE metric = 'ae_4hr' AND org_code = 'RJ1' AND period_start = '2024-11-01'"
    kept = bare_store.scalar(sql)
    report = load_files(bare_store, [original])
    f = report.files[0]
    assert f.status == "loaded" and f.kept >= 2 and f.replaced == 0 and report.kept == f.kept
    assert f.message is not None and "newer" in f.message and revised.name in f.message
    assert bare_store.scalar(sql) == kept
    assert bare_store.scalar("SELECT count(*) FROM metric_revisions") == 0


def test_the_revision_loaded_after_the_original_replaces_it(bare_store: Store, tmp_path: Path) -> None:
    revised, original = _original_of_revised(tmp_path)
    load_files(bare_store, [original])
    report = load_files(bare_store, [revised])
    assert report.replaced >= 2 and report.kept == 0
    assert bare_store.scalar("SELECT count(*) FROM metric_revisions") == report.replaced


def test_final_figures_are_not_replaced_by_provisional_ones(bare_store: Store) -> None:
    import datetime as dt

    from opmodel.metrics import MetricRow, Source, write_values

    def row(value: float, provisional: bool) -> MetricRow:
        return MetricRow("cancer_62d", "RJ1", dt.date(2025, 3, 1), dt.date(2025, 3, 31), value,
                         numerator=value, denominator=100.0, provisional=provisional)

    write_values(bare_store, [row(70.0, False)], Source(Path("final.xlsx"), "cancer_waiting_times", "1" * 64))
    later = write_values(bare_store, [row(60.0, True)], Source(Path("later.xlsx"), "cancer_waiting_times", "2" * 64))
    assert later.kept == 1 and later.replaced == 0 and later.warning is not None
    assert bare_store.scalar("SELECT value FROM metric_values WHERE metric = 'cancer_62d'") == 70.0
