"""The third-party quality files: recognised by content, read faithfully, refused clearly when damaged, and
not a second source for the NOF results the store already holds (issue 22, item 1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.metrics import catalogue, load_files
from opmodel.metrics.readers.quality_thirdparty import CqcRatingsExtractReader, TrustProfilesReader
from opmodel.metrics.readers.registry import find_reader
from opmodel.store import Store
from tests.metrics.conftest import structure_only_store
from tests.quality.conftest import EXTRACT, FOLDER, PROFILES, profile_rows


def test_both_files_are_recognised_by_content_not_name(tmp_path: Path) -> None:
    for src, kind in ((PROFILES, TrustProfilesReader), (EXTRACT, CqcRatingsExtractReader)):
        renamed = tmp_path / f"copy-of-{src.stem}-{src.stem[::-1]}.csv"
        shutil.copy(src, renamed)
        assert isinstance(find_reader(renamed), kind)
    # The profiles also carry NOF columns: the NOF extract reader must not take the file.
    assert find_reader(PROFILES).publication == "trust_profiles_thirdparty"  # type: ignore[union-attr]


def test_rj1_values_and_labels_as_in_the_file() -> None:
    rows = {(r.metric, r.org_code): r for r in TrustProfilesReader().read(PROFILES)}
    raw = profile_rows()["RJ1"]
    overall, safe = rows[("cqc_overall", "RJ1")], rows[("cqc_safe", "RJ1")]
    assert (overall.value, overall.extra["rating"]) == (2.0, "Good")  # 1 Outstanding ... 4 Inadequate
    assert (safe.value, safe.extra["rating"]) == (3.0, "Requires improvement")
    assert overall.period_start == dt.date.fromisoformat(raw["publication_date"][:10]) == dt.date(2019, 7, 23)
    shmi = rows[("shmi", "RJ1")]
    assert (shmi.value, shmi.numerator, shmi.denominator) == (0.9373, 1600.0, 1710.0)
    assert (shmi.period_start, shmi.period_end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert rows[("shmi_band", "RJ1")].value == 2 and rows[("shmi_band", "RJ1")].extra["label"] == "As expected"
    fft = rows[("fft_positive", "RJ1")]
    assert round(fft.value, 1) == 95.6 and fft.denominator == 2432 and fft.numerator == round(0.956414 * 2432)
    assert all(r.extra["evidence"] == "third-party" for r in rows.values())
    assert {m for m, _ in rows} <= set(catalogue())  # every metric is catalogued (units, polarity)


def test_counts_match_the_provenance() -> None:
    rows = list(TrustProfilesReader().read(PROFILES))
    overall = [r for r in rows if r.metric == "cqc_overall"]
    assert len(overall) == 139  # "139 trusts rated"
    assert len([r for r in rows if r.metric == "shmi"]) == 118
    bands = [r.value for r in rows if r.metric == "shmi_band"]
    assert (len(bands), bands.count(1), bands.count(3)) == (120, 9, 8)  # 9 higher, 8 lower among 120 banded
    assert sum(1 for r in overall if r.value is None and r.extra["rating"] == "Not rated") == 2
    tracker = list(CqcRatingsExtractReader().read(EXTRACT))
    assert len([r for r in tracker if r.metric == "cqc_overall_tracker"]) == 133


def test_the_nof_copy_is_not_loaded_and_agrees_with_the_one_held(store: Store) -> None:
    """Decision (docs/decisions.md, issue 22): the file's NOF Q3 columns are left out; they agree with the store."""
    metrics = {r.metric for r in TrustProfilesReader().read(PROFILES)}
    assert not {m for m in metrics if m.startswith("OF")}
    held = {r["org_code"]: (r["s"], r["a"]) for r in store.rows("""
        SELECT org_code, max(CASE WHEN metric = 'OF5000' THEN value END) AS s,
               max(CASE WHEN metric = 'OF5002' THEN value END) AS a
        FROM metric_values WHERE period_start = DATE '2025-10-01' AND metric IN ('OF5000', 'OF5002')
        GROUP BY org_code""")}
    second = {c: (float(r["lt_segment"]), float(r["lt_avg_score"])) for c, r in profile_rows().items()
              if r["lt_segment"]}
    assert len(second) == 129
    assert all(held[c] == pytest.approx(v) for c, v in second.items())


def test_loading_the_folder_finds_the_shipped_copy_already_loaded(store: Store) -> None:
    report = load_files(store, [FOLDER])
    assert report.exit_code == 0
    assert {Path(f.path).name: f.status for f in report.files} == {
        "trustpulse_trust_profiles.csv": "unchanged", "cqc_ratings_extracted.csv": "unchanged",
        "PROVENANCE.md": "skipped"}


def test_a_fresh_store_loads_the_folder(tmp_path: Path) -> None:
    store = structure_only_store(tmp_path / "s.duckdb")
    report = load_files(store, [FOLDER])
    assert report.count("loaded") == 2 and report.exit_code == 0
    sha = hashlib.sha256(PROFILES.read_bytes()).hexdigest()
    assert store.scalar("SELECT publication FROM metric_sources WHERE sha256 = ?", [sha]) == "trust_profiles_thirdparty"
    store.close()


@pytest.mark.parametrize(("old", "new", "field", "expected"), [
    (",Requires improvement,", ",Very good,", "rating_", "expected a CQC rating"),
    ("2019-07-23 00:00:00", "23 July 2019", "publication_date", "expected a date"),
    (",0.9373,", ",x,", "shmi_value_latest", "expected a number"),
])
def test_damaged_rows_are_refused_with_file_line_and_column(tmp_path: Path, old: str, new: str, field: str,
                                                            expected: str) -> None:
    lines = PROFILES.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.startswith("RJ1,"))
    assert old in lines[n]
    lines[n] = lines[n].replace(old, new, 1)
    bad = tmp_path / "profiles.csv"
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(TrustProfilesReader().read(bad))
    problem = err.value.problems[0]
    assert problem.line == n + 1 and problem.field is not None and problem.field.startswith(field)
    assert expected in problem.message


def test_a_truncated_extract_row_is_refused(tmp_path: Path) -> None:
    text = EXTRACT.read_text(encoding="utf-8").splitlines()
    text[3] = text[3].rsplit(",", 1)[0]
    bad = tmp_path / "cqc.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="fields, expected 5"):
        list(CqcRatingsExtractReader().read(bad))
