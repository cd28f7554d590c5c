"""Issue 11: the computed path fed metric values only, compared with NHS England's published results.

The input is the published MH/community CSV with every answer the engine computes removed (OF1xxx scores
of metrics with a raw value, OF4xxx, OF5000, OF5002, OF5003). Agreement per quarter is recorded in
docs/decisions.md ("Oversight: computed path"); every disagreement must carry a reason.
"""

from __future__ import annotations

import random

import pytest

from opmodel.metrics.models import MetricRow
from opmodel.oversight import (
    InputValue,
    PeriodInputs,
    Policy,
    SegmentationRun,
    compare_published,
    inputs_from_rows,
    parse_period,
    run_segmentation,
)

from .conftest import QUARTERS, metric_values_only

# Measured on the real file (docs/decisions.md): averages within 0.1, adjusted segments equal, ranks equal.
AGREEMENT = {"2025-26-Q1": (59, 57, 24), "2025-26-Q2": (60, 55, 24), "2025-26-Q3": (60, 46, 23)}


def _values_inputs(nof_rows: list[MetricRow], policy: Policy, q: str) -> PeriodInputs:
    return inputs_from_rows(metric_values_only(nof_rows, policy), policy, parse_period(q))


@pytest.mark.parametrize("q", QUARTERS)
def test_metric_values_only_segments_every_trust(q: str, nof_rows: list[MetricRow], policy: Policy,
                                                 values_runs: dict[str, SegmentationRun]) -> None:
    run = values_runs[q]
    kept = {r.metric for r in metric_values_only(nof_rows, policy)}
    assert not kept & {"OF5000", "OF5002", "OF5003", "OF1082", "OF1086", "OF1080"}
    assert not any(m.startswith("OF4") for m in kept)
    assert len(run.results) == 61 and all(r.status == "segmented" for r in run.results)
    assert all(r.result_source == "provisional" and r.adjusted_segment is not None for r in run.results)
    assert run.cutoffs.source == "computed_partial_pool"
    assert run.cutoffs.pool == {"computed": 61, "published": 0, "missing": 144}
    for r in run.results:
        assert r.metrics_used and set(r.metrics_used) <= set(r.metrics_expected)
        assert all(r.scores[m].source != "published" or m in {"OF1035", "OF1067"} for m in r.metrics_used)


@pytest.mark.parametrize("q", QUARTERS)
def test_agreement_with_published_and_every_difference_explained(
        q: str, nof_rows: list[MetricRow], policy: Policy, values_runs: dict[str, SegmentationRun]) -> None:
    run = values_runs[q]
    # The comparison reads the published answers from the full file, never the engine's input.
    full = inputs_from_rows(nof_rows, policy, parse_period(q))
    for r in run.results:
        r.published = {k: full.value(m, r.org_code) for k, m in
                       (("average", "OF5002"), ("unadjusted", "OF5003"), ("adjusted", "OF5000"))}
    summary = compare_published(run, full, policy)
    got = (summary["averages_within_0_1"], summary["segments_equal"], summary["ranks_equal"])
    assert got == AGREEMENT[q]
    assert summary["compared"] == 61 and summary["equal"] + summary["different"] == 61
    for r in run.results:
        c = r.comparison
        assert c is not None and c["published_average"] is not None and c["published_rank"] is not None
        if not c["segment_equal"] or c["rank_difference"] != 0 or abs(c["average_difference"]) >= 0.005:
            assert c["difference_reason"], (q, r.org_code)
        if not c["segment_equal"]:
            assert "boundary" in c["difference_reason"], (q, r.org_code, c)


def test_ranks_follow_the_rule_so_differences_come_from_averages_and_segments(
        values_runs: dict[str, SegmentationRun]) -> None:
    """§2: a trust whose (segment, average) and whose neighbours' are unchanged keeps its published rank:
    ranking the computed (segment, average) pairs reproduces the engine's ranks exactly."""
    from opmodel.oversight import competition_ranks

    for q in QUARTERS:
        run = values_runs[q]
        keys = {r.org_code: (float(r.adjusted_segment or 0), float(r.average_score or 0)) for r in run.results}
        assert competition_ranks(keys) == {r.org_code: r.rank for r in run.results}


def test_doctored_published_answers_move_no_computed_figure(inputs: dict[str, PeriodInputs],
                                                            policy: Policy) -> None:
    """OF5000, OF5002, OF5003 and OF4xxx changed at random in the input: every computed figure is unchanged."""
    base = inputs["2025-26-Q3"]
    doctored = PeriodInputs(period=base.period, orgs=base.orgs,
                            values={m: dict(v) for m, v in base.values.items()})
    rng = random.Random(11)
    touched = 0
    for metric, per_org in doctored.values.items():
        if metric in {"OF5000", "OF5003"} or metric.startswith("OF41"):
            for org in per_org:
                per_org[org] = InputValue(float(rng.randint(1, 4)), rng.randint(1, 61))
                touched += 1
        elif metric == "OF5002" or metric.startswith("OF40"):
            for org in per_org:
                per_org[org] = InputValue(round(rng.uniform(1, 4), 2))
                touched += 1
    assert touched > 600
    a, b = run_segmentation(policy, base), run_segmentation(policy, doctored)
    assert a.cutoffs.values == b.cutoffs.values and a.domain_cutoffs == b.domain_cutoffs
    for ra, rb in zip(a.results, b.results, strict=True):
        fields = ("average_unrounded", "unadjusted_segment", "adjusted_segment", "final_segment", "rank",
                  "domain_scores", "domain_segments", "result_source", "metrics_used")
        assert [getattr(ra, f) for f in fields] == [getattr(rb, f) for f in fields], ra.org_code
        assert {m: s.score for m, s in ra.scores.items()} == {m: s.score for m, s in rb.scores.items()}
    assert any(ra.published != rb.published for ra, rb in zip(a.results, b.results, strict=True))
