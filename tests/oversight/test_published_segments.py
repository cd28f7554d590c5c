"""Published results taken as they stand: the third-party Q3 extract (acute, ambulance) beside NHS England's CSV.

Organisations whose only inputs are a published average (OF5002) and adjusted segment (OF5000)
keep that segment, their deficit flag and their published league rank; they stay out of the
quartile pool, so the 61 MH/community results are the same with or without the extract.
"""

from __future__ import annotations

import csv
import json

import pytest

from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.nof_extract import NofThirdPartyExtractReader
from opmodel.oversight import (
    InputValue,
    PeriodInputs,
    Policy,
    SegmentationRun,
    apply_settings,
    explain,
    inputs_from_rows,
    parse_period,
    run_segmentation,
    segment,
)
from opmodel.oversight.explain import explain_result
from opmodel.store import Store

from ..conftest import Cli
from .conftest import THIRD_PARTY

Q3 = "2025-26-Q3"


@pytest.fixture(scope="module")
def extract() -> dict[str, dict[str, str]]:
    with THIRD_PARTY.open(encoding="utf-8") as fh:
        return {r["org_code"]: r for r in csv.DictReader(fh) if r["Trust_type"] != "Mental health and community trust"}


@pytest.fixture(scope="module")
def combined_inputs(nof_rows: list[MetricRow], policy: Policy) -> PeriodInputs:
    rows = [*nof_rows, *NofThirdPartyExtractReader().read(THIRD_PARTY)]
    return inputs_from_rows(rows, policy, parse_period(Q3))


@pytest.fixture(scope="module")
def combined(combined_inputs: PeriodInputs, policy: Policy) -> SegmentationRun:
    return run_segmentation(policy, combined_inputs)


def test_published_only_inputs_keep_the_check_values(combined: SegmentationRun) -> None:
    """The published-result path (no metric value held for a trust: the extract read on its own, without the
    shipped derived values). The acute *computed* path is tested in test_headline.py and
    test_acute_computed.py, on the store, where removing the derived values makes those tests fail."""
    by = combined.by_org()
    rj1, rcx, rx1 = by["RJ1"], by["RCX"], by["RX1"]
    assert (rj1.final_segment, rj1.rank, rj1.rank_of, rj1.average_score) == (1, 10, 134, 1.67)
    assert (rj1.average_source, rj1.segment_source, rj1.rank_source) == ("published", "published", "published")
    assert rj1.published_result and rj1.metric_count == 0 and rj1.evidence == "third-party"
    assert not rj1.financial_override and rj1.override_source == "third-party" and rj1.unadjusted_segment == 1
    assert (rcx.final_segment, rcx.rank, rcx.average_score, rcx.financial_override) == (4, 133, 3.22, True)
    assert (rx1.final_segment, rx1.rank) == (4, 132)
    assert rj1.domain_segments == {"access": 1, "patient_safety": 1, "finance": 1, "people": 1, "effectiveness": 1}


def test_every_published_only_row_kept_as_published(combined: SegmentationRun,
                                                   extract: dict[str, dict[str, str]]) -> None:
    """Published-result path: a trust with nothing but published figures keeps them (see the test above)."""
    by = combined.by_org()
    assert len(extract) == 130
    for code, row in extract.items():
        r = by[code]
        assert r.adjusted_segment == int(float(row["overall_adjusted_segment"])), code
        assert r.rank == int(float(row["league_rank"])) and r.rank_source == "published", code
        assert r.average_score == float(row["overall_avg_metric_score"]), code
        assert r.financial_override == (row["lt_in_deficit"] == "1.0"), code
        assert r.domain_scores["finance"] == float(row["domain_score_finance_productivity"]), code
    assert by["RYF"].peer_group == "ambulance" and by["RYF"].rank_of == 10 and by["RYF"].override_source == "none"


def test_mental_health_results_unchanged_by_the_extract(combined: SegmentationRun,
                                                        runs: dict[str, SegmentationRun]) -> None:
    alone = runs[Q3]
    by = combined.by_org()
    assert len(alone.results) == 61 and len(combined.results) == 191
    for r in alone.results:
        c = by[r.org_code]
        assert not c.published_result
        # The extract adds no metric value: scores and averages stay; only the cut-off pool grows.
        assert (c.average_score, c.scores) == (r.average_score, r.scores), r.org_code
    assert combined.cutoffs.source == alone.cutoffs.source == "computed_partial_pool"
    assert (alone.cutoffs.pool_size, combined.cutoffs.pool_size) == (61, 191)
    assert combined.cutoffs.pool["published"] == 130


def test_published_segment_is_not_recomputed(combined_inputs: PeriodInputs, policy: Policy) -> None:
    """A doctored OF5000 comes out as given: the engine never re-derives a published segment."""
    doctored = PeriodInputs(period=combined_inputs.period, orgs=combined_inputs.orgs,
                            values={m: dict(v) for m, v in combined_inputs.values.items()})
    doctored.values["OF5000"]["RJ1"] = InputValue(2.0, 10)
    doctored.values["OF5004"]["RJ1"] = InputValue(1.0)  # a deficit flag cannot lift segment 2 to 3 either
    run = run_segmentation(policy, doctored)
    rj1 = run.by_org()["RJ1"]
    assert rj1.adjusted_segment == 2 and rj1.final_segment == 2 and rj1.average_score == 1.67
    assert any("despite a published deficit flag" in w and "RJ1" in w for w in run.warnings)


def test_deficit_capped_segment_3_has_unknown_unadjusted(combined: SegmentationRun, policy: Policy) -> None:
    capped = [r for r in combined.results if r.published_result and r.financial_override and r.adjusted_segment == 3]
    assert len(capped) == 64  # §1.5: 100 acute trusts in deficit, 64 of them in segment 3
    assert all(r.unadjusted_segment is None for r in capped)
    d = explain_result(policy, capped[0], combined.cutoffs)
    assert d["deficit_cap_applied"] is None and d["financial_override"] is True
    assert "The published figures do not give its segment before the cap" in d["summary"]


def test_policy_cutoffs_segment_published_averages_for_a_whatif(combined_inputs: PeriodInputs,
                                                                policy: Policy) -> None:
    """Cut-offs the user fixes apply to every average, so a what-if moves league-table-only trusts too."""
    p = apply_settings(policy, [f"segmentation.cutoffs.{Q3}=[1.5, 2.0, 3.0]"])
    run = run_segmentation(p, combined_inputs)
    rj1, rcx = run.by_org()["RJ1"], run.by_org()["RCX"]
    assert not rj1.published_result and rj1.segment_source == "policy"
    assert rj1.unadjusted_segment == 2 and rj1.adjusted_segment == 2 and rj1.rank_source == "computed"
    assert rcx.unadjusted_segment == 4 and rcx.financial_override


def test_store_api_and_explanation(store: Store) -> None:
    """Acute Q3 is computed from shipped statistics (issue 11); the extract's figures are the comparison."""
    acute = {r.org_code: r for r in segment(store, Q3, peer_group="acute", save=False, compare="published").results}
    assert len(acute) == 129 and all(r.result_source == "provisional" for r in acute.values())
    rj1 = acute["RJ1"]
    assert rj1.final_segment == 1 and rj1.average_source == "computed" and rj1.metric_count >= 9
    assert rj1.comparison is not None and rj1.comparison["published_rank"] == 10
    assert rj1.comparison["published_average"] == 1.67 and rj1.comparison["published_adjusted_segment"] == 1
    d = explain(store, "RJ1", Q3)
    assert d["average_source"] == "computed" and d["evidence"] == "third-party"
    assert "OF1010" in {m["metric"] for m in d["metrics"]}


def test_cli_segment_and_explain(cli: Cli) -> None:
    res = cli("segment", "--period", Q3, "--peer-group", "acute", "--format", "json")
    rows = {r["org_code"]: r for r in json.loads(res.stdout)}  # type: ignore[attr-defined]
    assert rows["RJ1"]["final_segment"] == 1 and rows["RJ1"]["result_source"] == "provisional"
    assert rows["RJ1"]["segment_source"] == "computed_partial_pool" and rows["RJ1"]["evidence"] == "third-party"
    text = cli("explain", "RJ1", "--period", Q3).stdout  # type: ignore[attr-defined]
    assert "RJ1" in text and "segment 1" in text
