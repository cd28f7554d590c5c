"""The engine on small synthetic quarters: every regime, complete and incomplete pools, bad cases."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opmodel.errors import OpmodelError
from opmodel.oversight import (
    InputValue,
    OrgInfo,
    PeriodInputs,
    Policy,
    apply_settings,
    load_policy,
    parse_period,
    parse_policy,
    run_segmentation,
)

Q = parse_period("2025-26-Q3")


def _policy(**over: Any) -> Policy:
    data: dict[str, Any] = {
        "framework": "test", "version": "1", "title": "t", "status": "complete",
        "domains": {"a": {"name": "A"}, "b": {"name": "B"}},
        "metrics": {
            "OF1001": {"name": "m1", "domain": "a", "raw": "OF0001", "direction": "higher",
                       "regime": {"type": "ranked"}},
            "OF1002": {"name": "m2", "domain": "a", "raw": "OF0002", "direction": "lower",
                       "regime": {"type": "standard", "threshold": 5}, "population": "all_reporting"},
            "OF1003": {"name": "m3", "domain": "b", "raw": "OF0003", "direction": "higher",
                       "regime": {"type": "floor", "threshold": 70}},
        },
        "peer_groups": {
            "g1": {"name": "G1", "labels": ["Group one"], "metrics": ["OF1001", "OF1002", "OF1003"]},
            "g2": {"name": "G2", "labels": ["Group two"], "metrics": ["OF1001", "OF1002"]},
        },
        "min_scored_metrics": 2,
        "segmentation": {"method": "quartiles", "pool": "pooled", "pool_groups": ["g1", "g2"]},
        "financial_override": {"flag_metric": "OF5004", "fallback_metrics": ["OF0079", "OF0081"]},
        "segment5": {"flag_metric": "OF5007"},
    }
    data.update(over)
    return parse_policy(data, "test.yaml")


def _inputs(values: dict[str, dict[str, float | None]], groups: dict[str, str]) -> PeriodInputs:
    out = PeriodInputs(period=Q)
    for code, g in groups.items():
        out.orgs[code] = OrgInfo(code, f"Trust {code}", g)
    for metric, per_org in values.items():
        out.values[metric] = {o: InputValue(v) for o, v in per_org.items()}
    return out


GROUPS = {"A": "g1", "B": "g1", "C": "g1", "D": "g2", "E": "g2"}
VALUES: dict[str, dict[str, float | None]] = {
    "OF0001": {"A": 9.0, "B": 7.0, "C": 7.0, "D": 5.0, "E": 1.0},
    "OF0002": {"A": 3.0, "B": 5.0, "C": 6.0, "D": 8.0, "E": 10.0},
    "OF0003": {"A": 90.0, "B": 80.0, "C": 60.0},
}


def test_regimes_and_populations() -> None:
    run = run_segmentation(_policy(), _inputs(VALUES, GROUPS))
    by = run.by_org()
    # OF1001 ranked within each peer group: g1 A best (1), B and C tie at position 2 (2.5); g2 D 1, E 4.
    assert [by[o].scores["OF1001"].score for o in "ABCDE"] == [1.0, 2.5, 2.5, 1.0, 4.0]
    # OF1002 standard 5 (lower better) over all reporting: A, B meet it (1); C, D, E rank 2..4.
    assert [by[o].scores["OF1002"].score for o in "ABCDE"] == [1.0, 1.0, 2.0, 3.0, 4.0]
    # OF1003 floor 70: C fails (4); A, B rank 1..3.
    assert [by[o].scores["OF1003"].score for o in "ABC"] == [1.0, 3.0, 4.0]
    assert all(s.source == "computed" for r in run.results for s in r.scores.values())
    assert by["A"].average_score == 1.0 and by["C"].average_score == pytest.approx(2.83)
    assert run.cutoffs.source == "computed" and run.cutoffs.pool_size == 5


def test_incomplete_population_ranks_within_what_is_held_and_says_so() -> None:
    """Issue 11 item 2: a pooled metric whose population is not held is ranked within the part held
    (provisional); published segments (OF5003) are never read, whatever they say."""
    groups = {k: v for k, v in GROUPS.items() if v == "g1"}
    values: dict[str, dict[str, float | None]] = {k: {o: x for o, x in v.items() if o in groups}
                                                  for k, v in VALUES.items()}
    values["OF1002"] = {"A": 1.0, "B": 1.5, "C": 2.5}
    values["OF5003"] = {"A": 4.0, "B": 4.0, "C": 1.0}
    run = run_segmentation(_policy(), _inputs(values, groups))
    by = run.by_org()
    b = by["B"].scores["OF1002"]
    assert b.source == "computed" and b.provisional and b.label == "provisional" and b.score == 1.0
    assert "not held: g2" in b.population
    assert by["B"].scores["OF1001"].label == "computed"
    assert run.cutoffs.source == "computed" and [by[o].unadjusted_segment for o in "ABC"] == [1, 3, 4]
    assert all(by[o].result_source == "provisional" for o in "ABC")
    assert any("OF1002" in why for why in by["B"].provisional_reasons)
    asked = run_segmentation(apply_settings(_policy(), ["use_published_scores=true"]), _inputs(values, groups))
    assert asked.by_org()["B"].scores["OF1002"].source == "published"
    assert asked.by_org()["B"].scores["OF1002"].score == 1.5


def test_incomplete_pool_is_flagged_with_its_counts() -> None:
    groups = {k: v for k, v in GROUPS.items() if v == "g1"}
    sized = _policy(peer_groups={
        "g1": {"name": "G1", "labels": ["Group one"], "size": 3, "metrics": ["OF1001", "OF1002", "OF1003"]},
        "g2": {"name": "G2", "labels": ["Group two"], "size": 2, "metrics": ["OF1001", "OF1002"]}})
    run = run_segmentation(sized, _inputs({**VALUES, "OF1002": {"A": 1.0, "B": 2.0, "C": 3.0}}, groups))
    assert run.cutoffs.source == "computed_partial_pool"
    assert run.cutoffs.pool == {"computed": 3, "published": 0, "missing": 2}
    assert any("3 computed, 0 by published average, 2 missing" in w for w in run.warnings)


def test_too_few_scored_metrics_reported_not_segmented() -> None:
    values = {**VALUES, "OF0002": {o: v for o, v in VALUES["OF0002"].items() if o != "E"}}
    run = run_segmentation(_policy(), _inputs(values, GROUPS))
    e = run.by_org()["E"]
    assert e.status == "insufficient_data" and e.metric_count == 1
    assert e.unadjusted_segment is None and e.rank is None
    assert any("fewer than 2 scored metrics: E" in w for w in run.warnings)


def test_override_flag_heuristic_and_segment5() -> None:
    values: dict[str, dict[str, float | None]] = {
        **VALUES, "OF5004": {"A": 1.0}, "OF0079": {"B": -1.0}, "OF0081": {"B": 0.5}, "OF5007": {"D": 1.0}}
    run = run_segmentation(_policy(), _inputs(values, GROUPS))
    by = run.by_org()
    assert by["A"].unadjusted_segment == 1 and by["A"].adjusted_segment == 3 and by["A"].override_source == "published"
    assert by["B"].financial_override and by["B"].override_source == "heuristic"
    assert by["D"].final_segment == 5 and by["D"].adjusted_segment != 5
    assert any("estimated from plan" in w for w in run.warnings)


def test_policy_cutoffs_take_precedence_and_thresholds_unknown_in_2026_27() -> None:
    p = _policy(segmentation={"method": "quartiles", "pool": "pooled", "pool_groups": ["g1", "g2"],
                              "cutoffs": {"2025-26-Q3": [1.5, 2.0, 3.0]}})
    run = run_segmentation(p, _inputs(VALUES, GROUPS))
    assert run.cutoffs.source == "policy" and run.by_org()["A"].unadjusted_segment == 1
    p26 = load_policy("nof-2026-27")
    one = _inputs({"OF1084": {"X": 2.0}}, {"X": "mental_health_community"})
    with pytest.raises(OpmodelError, match="thresholds are unknown"):
        run_segmentation(p26, one)
    ok = apply_settings(p26, ["segmentation.thresholds=[2.0, 2.5, 3.0]", "min_scored_metrics=1"])
    assert run_segmentation(ok, one).results[0].unadjusted_segment == 2


def test_weights_enter_the_average() -> None:
    p = _policy()
    heavy = apply_settings(p, ["metrics.OF1003.weight=2"])
    a = run_segmentation(p, _inputs(VALUES, GROUPS)).by_org()["C"]
    b = run_segmentation(heavy, _inputs(VALUES, GROUPS)).by_org()["C"]
    assert a.average_score == pytest.approx((2.5 + 2 + 4) / 3, abs=0.005)
    assert b.average_score == pytest.approx((2.5 + 2 + 8) / 4, abs=0.005)


def test_inputs_hash_changes_with_any_value() -> None:
    one, two = _inputs(VALUES, GROUPS), _inputs(VALUES, GROUPS)
    assert one.sha256() == two.sha256()
    two.values["OF0001"]["A"] = InputValue(9.5)
    assert one.sha256() != two.sha256()


def test_explanation_boundaries_from_computed_cutoffs() -> None:
    from opmodel.oversight.explain import explain_result

    p = _policy(segmentation={"method": "quartiles", "pool": "pooled", "pool_groups": ["g1", "g2"],
                              "cutoffs": {"2025-26-Q3": [1.505, 2.5, 3.0]}})
    run = run_segmentation(p, _inputs(VALUES, GROUPS))
    c = run.by_org()["C"]  # average 2.83: segment 3
    d = explain_result(p, c, run.cutoffs)
    b = {x["segment"]: x for x in d["boundaries"]}
    assert b[1]["reach_with_average"] == 1.5 and b[1]["improvement_needed"] == pytest.approx(1.33)
    assert b[2]["text"] == "an average of 2.49 or better reaches segment 2 (0.34 below this organisation's 2.83)"
    assert b[3]["improvement_needed"] == 0.0 and d["unadjusted_segment"] == 3
    assert d["pulled_up_most"][0]["metric"] == "OF1003"  # the floor failure (4.00) pulls hardest


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100), st.floats(0, 100), st.booleans()),
                min_size=2, max_size=30))
def test_segment_invariants(rows: list[tuple[float, float, float, bool]]) -> None:
    """Whatever the values: scores in 1–4, adjusted >= unadjusted, the cap only lifts to 3, ranks consistent."""
    groups = {f"T{i}": ("g1" if i % 2 else "g2") for i in range(len(rows))}
    values: dict[str, dict[str, float | None]] = {"OF0001": {}, "OF0002": {}, "OF0003": {}, "OF5004": {}}
    for i, (a, b, c, deficit) in enumerate(rows):
        code = f"T{i}"
        values["OF0001"][code], values["OF0002"][code], values["OF5004"][code] = a, b, float(deficit)
        if groups[code] == "g1":
            values["OF0003"][code] = c
    run = run_segmentation(_policy(), _inputs(values, groups))
    for r in run.results:
        assert all(s.score is not None and 1.0 <= s.score <= 4.0 for s in r.scores.values())
        assert r.unadjusted_segment is not None and r.adjusted_segment is not None
        assert r.adjusted_segment >= r.unadjusted_segment
        if r.financial_override:
            assert r.adjusted_segment == max(3, r.unadjusted_segment)
        else:
            assert r.adjusted_segment == r.unadjusted_segment
    for g in ("g1", "g2"):
        members = [r for r in run.results if r.peer_group == g]
        for r in members:
            better = sum(1 for o in members if (o.adjusted_segment, o.average_score) < (r.adjusted_segment,
                                                                                       r.average_score))
            assert r.rank == 1 + better


def test_icbs_say_not_segmented_rather_than_giving_empty_results() -> None:
    """nof-2026-27's ICB group has no metric list yet: a run says so, and asking for ICBs is refused with why."""
    p26 = apply_settings(load_policy("nof-2026-27"), ["segmentation.thresholds=[2.0, 2.5, 3.0]",
                                                       "min_scored_metrics=1"])
    inputs = _inputs({"OF1084": {"X": 2.0}, "OF0001": {"QKK": 1.0}},
                     {"X": "mental_health_community", "QKK": "icb"})
    run = run_segmentation(p26, inputs)
    assert [r.org_code for r in run.results] == ["X"]
    assert any(w == "icb (1 organisation): not segmented: metric list not yet published" for w in run.warnings)
