"""Issue 20 "Done when" (item 3): every score from its value, on a held-out quarter's file loaded as users load it.

The file is NHS England's MH/community CSV cut to Q3 2025/26 (the quarter the scores were never fitted on as a
file of its own). Loaded, re-published with every per-metric ``Rank`` reversed, and re-published again with
one trust's staff-engagement value changed: the reversed ranks are stored (a changed extra is a change, item 3)
yet move no computed average; the changed value moves that trust's score.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from opmodel.metrics.loader import load_files
from opmodel.oversight import SegmentationRun, segment
from opmodel.store import Store

from .conftest import NOF_CSV

Q3 = "2025-26-Q3"


def _write(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def q3_rows() -> list[dict[str, str]]:
    with NOF_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["Quarter"].startswith("Q3")]


def _run(store: Store) -> SegmentationRun:
    return segment(store, Q3, peer_group="mental_health_community", save=False, link=False)


def test_reversed_published_ranks_move_no_computed_average(empty_store: Store, q3_rows: list[dict[str, str]],
                                                           tmp_path: Path) -> None:
    first = load_files(empty_store, [_write(q3_rows, tmp_path / "nof-q3.csv")])
    assert first.files[0].status == "loaded"
    before = _run(empty_store)
    top: dict[str, float] = {}
    for r in q3_rows:
        if r["Rank"]:
            top[r["Metric_ID"]] = max(top.get(r["Metric_ID"], 0.0), float(r["Rank"]))
    reversed_rows = [dict(r, Rank=str(top[r["Metric_ID"]] + 1 - float(r["Rank"]))) if r["Rank"] else r
                     for r in q3_rows]
    second = load_files(empty_store, [_write(reversed_rows, tmp_path / "nof-q3-v2.csv")])
    # Only ranks changed: the write API still treats each as a change (issue 20 item 3).
    assert second.files[0].status == "loaded" and second.files[0].replaced > 1000
    stored = empty_store.scalar("SELECT TRY_CAST(json_extract_string(extra, '$.rank') AS DOUBLE) FROM metric_values "
                                "WHERE metric = 'OF0084' AND org_code = 'RWR' AND period_start = '2025-10-01'")
    assert stored == top["OF0084"] + 1 - 11  # RWR's OF0084 rank was 11
    after = _run(empty_store)
    for a, b in zip(before.results, after.results, strict=True):
        assert (a.org_code, a.average_unrounded, a.adjusted_segment) == (b.org_code, b.average_unrounded,
                                                                         b.adjusted_segment)
        assert {m: s.score for m, s in a.scores.items()} == {m: s.score for m, s in b.scores.items()}


def test_one_value_changed_moves_that_trusts_score(empty_store: Store, q3_rows: list[dict[str, str]],
                                                  tmp_path: Path) -> None:
    """RWR's OF0084 from 7.28 (ranked 11th of 61) to the worst value held: its OF1084 score goes to 4.00."""
    load_files(empty_store, [_write(q3_rows, tmp_path / "nof-q3.csv")])
    before = _run(empty_store).by_org()["RWR"]
    worst = min(float(r["Value"]) for r in q3_rows if r["Metric_ID"] == "OF0084" and r["Value"])
    changed = [dict(r, Value=str(worst - 1)) if (r["Metric_ID"], r["Trust_code"]) == ("OF0084", "RWR") else r
               for r in q3_rows]
    load_files(empty_store, [_write(changed, tmp_path / "nof-q3-v2.csv")])
    after = _run(empty_store).by_org()["RWR"]
    assert before.scores["OF1084"].value == 7.28 and after.scores["OF1084"].value == worst - 1
    assert before.scores["OF1084"].score is not None and before.scores["OF1084"].score < 2.0
    assert after.scores["OF1084"].score == 4.0 and after.average_unrounded != before.average_unrounded


def test_no_result_using_a_published_score_says_computed(empty_store: Store, q3_rows: list[dict[str, str]],
                                                        tmp_path: Path) -> None:
    """Item 4: a result resting on any published score (OF1035's survey band here; every score with
    --use-published-scores) is provisional, and names the metric."""
    load_files(empty_store, [_write(q3_rows, tmp_path / "nof-q3.csv")])
    for run in (_run(empty_store), segment(empty_store, Q3, peer_group="mental_health_community", save=False,
                                           link=False, use_published_scores=True)):
        uses = 0
        for r in run.results:
            published = sorted(m for m in r.metrics_used if r.scores[m].source == "published")
            if published:
                uses += 1
                assert r.result_source == "provisional" and r.as_row()["result_source"] == "provisional"
                assert any(why.startswith("published metric scores used: ") and all(m in why for m in published)
                           for why in r.provisional_reasons), r.org_code
                assert all(r.as_row()["score_sources"][m] == "published" for m in published)
        assert uses >= 40
