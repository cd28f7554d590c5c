"""What-if on the computed path, --compare published, and the oversight messages of issue 16 item 16."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import Result

from opmodel.errors import OpmodelError
from opmodel.oversight import Cutoffs, explain, round_half_up, segment, weighted_average, whatif
from opmodel.oversight.explain import boundaries
from opmodel.store import Store

from ..conftest import Cli


def _run(path: Path, *args: str) -> Result:
    res = Cli(path)(*args)
    assert isinstance(res, Result)
    return res


def test_whatif_drop_of1086_changes_the_averages_of_the_trusts_that_had_it(nof_store: Store,
                                                                          nof_store_path: Path) -> None:
    base = segment(nof_store, "2025-26-Q3", save=False, link=False).by_org()
    had = {c for c, r in base.items() if "OF1086" in r.metrics_used}
    assert len(had) >= 55
    res = _run(nof_store_path, "whatif", "--period", "2025-26-Q3", "--set", "drop=OF1086", "--format", "json")
    assert res.exit_code == 0, res.stderr
    d = json.loads(res.stdout)
    changed = {c["org_code"]: c for c in d["changed"]}
    assert set(changed[next(iter(changed))]) >= {"org_code", "average_before", "average_after", "segment_before",
                                                  "segment_after"}
    assert d["cutoffs_before"] and d["cutoffs_after"] and d["cutoffs_before"] != d["cutoffs_after"]
    moved = 0
    for code in had:
        r = base[code]
        rest = [(float(s.score), s.weight) for m, s in r.scores.items()  # type: ignore[arg-type]
                if s.counted and m != "OF1086"]
        want = round_half_up(weighted_average(rest) or 0.0)
        if want != r.average_score:
            moved += 1
            c = changed[code]
            assert (c["average_before"], c["average_after"]) == (r.average_score, want), code
    assert moved >= 50
    # Trusts without OF1086 keep their average; any of them listed moved segment with the cut-offs only.
    for code, c in changed.items():
        if code not in had:
            assert c["average_before"] == c["average_after"] and c["segment_before"] != c["segment_after"]
    g = changed["G6V2S"]
    assert (g["average_before"], g["average_after"], g["segment_before"], g["segment_after"]) == (2.62, 2.82, 3, 4)


def test_whatif_that_cannot_change_anything_says_why(nof_store: Store) -> None:
    d = whatif(nof_store, "2025-26-Q3", ["metrics.OF1084.weight=1"])
    assert d["changed"] == [] and "leave the policy as it was" in d["note"]
    d = whatif(nof_store, "2025-26-Q3", ["drop=OF1017"])  # ambulance Category 2: no computed trust holds it
    assert d["changed"] == [] and "move no average, segment or rank" in d["note"]


def test_compare_published_contract_and_summary(nof_store_path: Path) -> None:
    res = _run(nof_store_path, "segment", "--period", "2025-26-Q3", "--compare", "published", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert all({"result_source", "metrics_used", "metrics_expected", "published_average",
                "published_adjusted_segment", "published_rank"} <= set(r) for r in rows)
    rwr = next(r for r in rows if r["org_code"] == "RWR")
    assert (rwr["published_average"], rwr["published_adjusted_segment"]) == (2.06, 3)
    assert rwr["average_score"] == 1.99 and "pooled metrics" in rwr["difference_reason"]
    res = _run(nof_store_path, "segment", "--period", "2025-26-Q3", "--compare", "published")
    assert "compared with published: " in res.stderr and "of 190 computed" in res.stderr
    assert "coverage: acute: 129 provisional of 129 (5 missing of 134" in res.stderr
    res = _run(nof_store_path, "league", "--period", "2025-26-Q3", "--peer-group", "acute")
    assert "coverage: acute: 129 provisional of 129 (5 missing of 134" in res.stderr


def test_explain_org_without_a_result_says_which_periods_it_has(nof_store: Store, nof_store_path: Path) -> None:
    """Issue 16 item 16: RYF exists (Q3 third-party extract) but has no Q2 result: no 'Did you mean'.
    (RJ1 has one since issue 20: acute Q2 is computed from the shipped derived values.)"""
    with pytest.raises(OpmodelError) as e:
        explain(nof_store, "RYF", "2025-26-Q2")
    msg = str(e.value)
    assert "RYF" in msg and "has no nof-2025-26 result for 2025-26-Q2" in msg and "2025-26-Q3" in msg
    assert "Did you mean" not in msg
    assert explain(nof_store, "RJ1", "2025-26-Q2")["period"] == "2025-26-Q2"
    res = _run(nof_store_path, "explain", "RYF", "--period", "2025-26-Q2")
    assert res.exit_code != 0 and "it has results for 2025-26-Q3" in res.stderr and "Traceback" not in res.stderr
    res = _run(nof_store_path, "explain", "ZZZ9", "--period", "2025-26-Q2")
    assert res.exit_code != 0 and "Unknown organisation" in res.stderr


def test_segment_for_an_uncovered_period_names_the_frameworks(nof_store_path: Path) -> None:
    res = _run(nof_store_path, "segment", "--period", "2024-25-Q3")
    assert res.exit_code != 0
    assert "No oversight framework covers 2024-25-Q3" in res.stderr and "nof-2025-26 (2025-26-Q1 to Q4)" in res.stderr
    assert "Unknown framework" not in res.stderr
    res = _run(nof_store_path, "segment", "--period", "2025-26-Q4")
    assert res.exit_code != 0 and "it holds 2025-26-Q1, 2025-26-Q2, 2025-26-Q3" in res.stderr


@pytest.mark.parametrize(("avg", "segment_no", "text"), [
    (2.07, 1, "(already reached)"), (2.08, 2, "(0.01 below this organisation's 2.08)")])
def test_boundary_text_agrees_with_the_segment(avg: float, segment_no: int, text: str, nof_store: Store) -> None:
    """Issue 16 item 16: 2.07 in segment 1 must not read '2.06 or better reaches segment 1 (already reached)'."""
    from opmodel.oversight import OrgResult, segment_for

    cut = Cutoffs([2.075, 2.355, 2.705], "computed", 205)
    assert segment_for(avg, cut.values or []) == segment_no
    r = OrgResult("X", "X", "acute", "2025-26-Q3", {}, avg, avg, 10, "segmented", unadjusted_segment=segment_no)
    b1 = boundaries(r, cut)[0]
    assert b1["reach_with_average"] == 2.07 and b1["text"] == f"an average of 2.07 or better reaches segment 1 {text}"
