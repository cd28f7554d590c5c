"""The CLI and API against a store holding the real NOF CSV: JSON contract, storage, explain, what-if."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import Result

from opmodel.oversight import explain, list_runs, segment, whatif
from opmodel.store import Store

from ..conftest import Cli


def _run(path: Path, *args: str) -> Result:
    res = Cli(path)(*args)
    assert isinstance(res, Result)
    return res

CONTRACT = {"org_code", "org_name", "peer_group", "period", "average_score", "metric_count", "unadjusted_segment",
            "financial_override", "adjusted_segment", "final_segment", "rank", "scores"}


def test_segment_json_contract(nof_store_path: Path) -> None:
    res = _run(nof_store_path, "segment", "--framework", "nof-2025-26", "--period", "2025-26-Q3", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    # 61 MH/community trusts from NHS England's CSV + 129 acute and 1 ambulance from the third-party extract.
    assert len(rows) == 191 and set(rows[0]) >= CONTRACT
    assert sum(r["peer_group"] == "mental_health_community" for r in rows) == 61
    rwr = next(r for r in rows if r["org_code"] == "RWR")
    assert rwr["period"] == "2025-26-Q3" and rwr["financial_override"] is True
    assert rwr["unadjusted_segment"] == 1 and rwr["adjusted_segment"] == 3 and rwr["final_segment"] == 3
    assert rwr["score_sources"]["OF1084"] == "computed" and rwr["score_sources"]["OF1082"] == "provisional"
    assert set(rwr["scores"]) == set(rwr["score_sources"]) and rwr["segment_source"] == "computed_partial_pool"
    # Issue 11 contract: every row says what it is and which metrics it rests on.
    assert rwr["result_source"] == "provisional" and "OF1084" in rwr["metrics_used"]
    assert set(rwr["metrics_used"]) <= set(rwr["metrics_expected"]) and "OF1079" not in rwr["metrics_expected"]
    acute = [r for r in rows if r["peer_group"] == "acute"]
    assert {r["result_source"] for r in acute} == {"provisional"}  # computed from ~10 of 18 metrics held
    assert all("OF1010" in r["metrics_expected"] for r in acute)


def test_segment_peer_group_filter_and_table(nof_store_path: Path) -> None:
    """Acute Q1 is computed from the shipped derived values (issue 20 item 5); nothing is published for it, so
    every acute row headlines the computed result, labelled provisional."""
    res = _run(nof_store_path, "segment", "--period", "2025-26-Q1", "--peer-group", "acute", "--format", "json")
    rows = json.loads(res.stdout)
    assert res.exit_code == 0 and len(rows) == 129 and {r["peer_group"] for r in rows} == {"acute"}
    assert {r["headline"]["source"] for r in rows} == {"computed"} and all(r["headline"]["provisional"] for r in rows)
    assert {r["agreement"]["status"] for r in rows} == {"not_published"}
    assert sum("OF1013" in r["metrics_used"] for r in rows) >= 100  # A&E April-June 2025 pooled
    res = _run(nof_store_path, "league", "--period", "2025-26-Q2", "--peer-group", "mental_health_community",
               "--format", "csv")
    lines = res.stdout.splitlines()
    header = lines[0].split(",")
    assert res.exit_code == 0 and header[:5] == ["peer_group", "headline_source", "headline_segment",
                                                  "headline_rank", "headline_average"] and len(lines) == 62
    first = dict(zip(header, next(csv.reader([lines[1]])), strict=False))
    assert first["headline_source"] == "published" and first["headline_rank"] == "1 of 61"


def test_bad_period_and_unknown_org_and_group(nof_store_path: Path) -> None:
    res = _run(nof_store_path, "segment", "--period", "2025-Q3")
    assert res.exit_code == 1 and "expected a quarter such as 2025-26-Q3" in res.stderr
    res = _run(nof_store_path, "explain", "ZZZ", "--period", "2025-26-Q3")
    assert res.exit_code == 1 and "Unknown organisation" in res.stderr
    res = _run(nof_store_path, "segment", "--period", "2025-26-Q3", "--peer-group", "acutee")
    assert res.exit_code == 1 and "Unknown peer group 'acutee'" in res.stderr
    res = _run(nof_store_path, "segment", "--period", "2024-25-Q3")
    assert res.exit_code == 1 and "No oversight framework covers 2024-25-Q3" in res.stderr


def test_runs_stored_with_hashes_idempotently(nof_store: Store) -> None:
    a = segment(nof_store, "2025-26-Q2")
    segment(nof_store, "2025-26-Q2")
    runs = list_runs(nof_store, "nof-2025-26", "2025-26-Q2")
    assert len(runs) == 1 and runs[0]["organisations"] == 61 + 129  # MH/community CSV + shipped acute values
    assert runs[0]["inputs_sha256"] == a.inputs_sha256 and runs[0]["policy_sha256"] == a.policy_sha256
    stored = nof_store.rows("SELECT org_code, adjusted_segment FROM oversight_results WHERE run_id = ?",
                            [runs[0]["run_id"]])
    assert {r["org_code"]: r["adjusted_segment"] for r in stored} == {r.org_code: r.adjusted_segment
                                                                     for r in a.results}
    srcs = nof_store.rows("SELECT source_hashes FROM oversight_runs")[0]["source_hashes"]
    assert json.loads(srcs) == a.source_hashes and len(a.source_hashes) == 2  # the CSV's sha256 + shipped file
    assert "shipped:nof_inputs.csv" in a.source_hashes


def test_explain_deficit_cap_in_plain_words(nof_store: Store, nof_store_path: Path) -> None:
    d = explain(nof_store, "RWR", "2025-26-Q3")
    assert d["deficit_cap_applied"] and d["unadjusted_segment"] == 1 and d["final_segment"] == 3
    assert "in segment 3 because of the deficit cap" in d["summary"]
    assert "Without the deficit it would be in segment 1" in d["summary"]
    assert d["change_since_previous"]["previous_period"] == "2025-26-Q2"
    pulls = [m["pull"] for m in d["metrics"] if m["pull"] is not None]
    assert pulls == sorted(pulls, key=lambda p: -abs(p)) and d["pulled_up_most"][0]["pull"] > 0
    b1 = d["boundaries"][0]
    # Issue 16 item 16: the boundary text agrees with the segment (2.07 is in segment 1: already reached).
    assert b1["segment"] == 1 and "cut-off" in b1["basis"] and d["unadjusted_segment"] == 1
    # 1.99 from values (issue 20 item 3: OF1084/OF1061 ordered by value, no longer by the published rank)
    assert b1["reach_with_average"] >= d["average_score"] == 1.99 and d["published_average_score"] == 2.06
    assert b1["text"].endswith("(already reached)")
    res = _run(nof_store_path, "explain", "RWR", "--period", "2025-26-Q3")
    assert res.exit_code == 0 and "because of the deficit cap" in res.stdout
    res = _run(nof_store_path, "explain", "rwr", "--period", "2025-26-Q3", "--format", "json")
    assert json.loads(res.stdout)["org_code"] == "RWR"


def test_explain_segment5_and_change_reason(nof_store: Store) -> None:
    d = explain(nof_store, "RW1", "2025-26-Q1")
    assert d["final_segment"] == 5 and "Recovery Support Programme" in d["summary"]
    assert d["change_since_previous"]["previous_period"] is None
    q2 = explain(nof_store, "RXV", "2025-26-Q2")
    assert "segment 5 left" in q2["change_since_previous"]["reason"]


def test_whatif_lists_changed_organisations(nof_store: Store, nof_store_path: Path) -> None:
    d = whatif(nof_store, "2025-26-Q3", ["segmentation.cutoffs.2025-26-Q3=[1.9, 2.2, 2.5]"])
    assert d["cutoffs_after"] == [1.9, 2.2, 2.5] and d["cutoffs_source_after"] == "policy"
    moved = [c for c in d["changed"] if c["change"] == "average or segment"]
    assert moved and all(c["adjusted_before"] != c["adjusted_after"] or c["final_before"] != c["final_after"]
                         for c in moved)
    # Issue 20 item 6: rank-only changes are listed too, each with its ranks before and after.
    assert all(c["rank_before"] != c["rank_after"] for c in d["changed"] if c["change"] == "rank only")
    assert all(c["adjusted_after"] >= c["adjusted_before"] for c in d["changed"])  # stricter cut-offs only worsen
    none = whatif(nof_store, "2025-26-Q3", ["metrics.OF1084.weight=1"])
    assert none["changed"] == []
    res = _run(nof_store_path, "whatif", "--period", "2025-26-Q3", "--set", "financial_override.enabled=false",
                              "--format", "json")
    lifted = [c for c in json.loads(res.stdout)["changed"] if c["change"] == "average or segment"]
    assert {c["org_code"] for c in lifted} >= {"RWR", "RAT"}
    assert all(c["adjusted_after"] < c["adjusted_before"] for c in lifted)


def test_results_name_the_body_that_acts_and_the_support(nof_store: Store) -> None:
    """Requirement 5: from the operating model in force (nhs-2025: the NHS England region, methodology §6.4)."""
    run = segment(nof_store, "2025-26-Q3", save=False)
    rwr = run.by_org()["RWR"].as_row()["operating_model"]
    region = nof_store.scalar("SELECT code FROM organisations WHERE kind = 'region' AND name ILIKE 'East of England'")
    assert rwr["performance_manager"] == region and rwr["support_delivered_by_tier"] == "region"
    d = explain(nof_store, "RW1", "2025-26-Q1")
    assert d["operating_model"]["support"]["segment"] == 5 and d["operating_model"]["support"]["programme"]


def test_metrics_load_then_segment_in_a_store_without_defaults(empty_store: Store) -> None:
    """Loading a published NOF CSV and segmenting its quarters needs no code change (issue 5 contract)."""
    from opmodel.metrics.loader import load_files

    from .conftest import NOF_CSV

    report = load_files(empty_store, [NOF_CSV])
    assert report.files[0].status == "loaded" and report.files[0].inserted == 6639
    run = segment(empty_store, "2025-26-Q1")
    mh = [r for r in run.results if r.peer_group == "mental_health_community"]
    assert len(mh) == 61 and sum(r.final_segment == 5 for r in mh) == 3
    assert all(r.result_source == "provisional" and r.segment_source == "computed_partial_pool" for r in mh)
    # The headline is NHS England's published result for all 61 (issue 20); the reconstruction beside it.
    assert all(r.headline is not None and r.headline.source == "published" for r in mh)
    assert sum(r.headline.segment == r.published["adjusted"] for r in mh if r.headline) == 61
    assert {r.peer_group for r in run.results} == {"mental_health_community", "acute", "ambulance"}


def test_bad_policy_file_rejected_naming_file_line_and_element(nof_store_path: Path, tmp_path: Path) -> None:
    src = Path(__file__).parents[2] / "src/opmodel/oversight/policies/nof-2025-26.yaml"
    bad = tmp_path / "mine.yaml"
    bad.write_text(src.read_text().replace("regime: {type: floor, threshold: 70}", "regime: {type: floor}"))
    res = _run(nof_store_path, "segment", "--framework", str(bad), "--period", "2025-26-Q3")
    assert res.exit_code == 1
    assert f"{bad}, line" in res.stderr and "metrics.OF1057.regime" in res.stderr and "threshold" in res.stderr


def test_change_reasons_q2_to_q3(nof_store: Store) -> None:
    before = segment(nof_store, "2025-26-Q2", save=False).by_org()
    after = segment(nof_store, "2025-26-Q3", save=False).by_org()
    moved = [c for c in after if c in before and before[c].final_segment != after[c].final_segment]
    assert len(moved) >= 10
    for code in moved:
        reason = explain(nof_store, code, "2025-26-Q3")["change_since_previous"]["reason"]
        if before[code].financial_override != after[code].financial_override:
            assert "financial override" in reason, code
        elif before[code].final_segment == 5:
            assert "segment 5 left" in reason, code
        else:
            assert reason.startswith(("score change", "boundary move")), code
