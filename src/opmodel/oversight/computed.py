"""The computed inputs of a segmentation, per trust: what a resampling or sensitivity study starts from.

UNCERTAINTY-INPUT: :func:`computed_inputs` (store) and :func:`computed_inputs_from_run` (a run in hand)
return :class:`ComputedInputs`: for one framework, period and peer group, each trust's counted metric
scores (unrounded, combined finance OF1080 as one score) with their weights, its average, deficit flag,
segment-5 flag, unadjusted/adjusted/final segment and league rank, plus the quarter's cut-offs. The shape
is stable; fields are only ever added. Methodology §1.3–§1.6 and §2 (league tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from opmodel.oversight.results import OrgResult, SegmentationRun
from opmodel.store import Store

__all__ = ["ComputedInputs", "TrustInputs", "computed_inputs", "computed_inputs_from_run"]


@dataclass(frozen=True, slots=True)
class TrustInputs:
    """One trust's computed result and the scores it rests on."""

    org_code: str
    org_name: str
    peer_group: str
    scores: dict[str, float]  # metric -> unrounded score, only those counted in the average
    weights: dict[str, float]  # metric -> weight (1, or 1/3 for each infection metric)
    average: float | None  # unrounded weighted mean of ``scores``
    average_score: float | None  # rounded as published (2 dp)
    deficit: bool  # the financial override applies (OF5004 or the league table's deficit column)
    segment5: bool  # in the RSP/PIP: shown in segment 5
    unadjusted_segment: int | None
    adjusted_segment: int | None
    final_segment: int | None
    rank: int | None
    rank_of: int | None
    result_source: Literal["computed", "provisional", "published"]
    score_sources: dict[str, str] = field(default_factory=dict)  # metric -> computed/provisional/published


@dataclass(frozen=True, slots=True)
class ComputedInputs:
    framework: str
    period: str
    peer_group: str | None
    cutoffs: list[float] | None  # the three boundaries between segments 1|2, 2|3, 3|4
    cutoffs_source: str  # computed, computed_partial_pool, policy, thresholds or none
    financial_cap: int  # the best segment a trust in deficit can reach (3)
    trusts: list[TrustInputs]
    warnings: list[str] = field(default_factory=list)


def _trust(r: OrgResult) -> TrustInputs:
    counted = {m: s for m, s in r.scores.items() if s.counted}
    return TrustInputs(
        org_code=r.org_code, org_name=r.org_name, peer_group=r.peer_group,
        scores={m: float(s.score) for m, s in counted.items() if s.score is not None},
        weights={m: s.weight for m, s in counted.items()},
        average=r.average_unrounded, average_score=r.average_score, deficit=r.financial_override,
        segment5=r.final_segment == 5, unadjusted_segment=r.unadjusted_segment,
        adjusted_segment=r.adjusted_segment, final_segment=r.final_segment, rank=r.rank, rank_of=r.rank_of,
        result_source=r.result_source, score_sources={m: s.label for m, s in counted.items()})


def computed_inputs_from_run(run: SegmentationRun, peer_group: str | None = None,
                             financial_cap: int = 3) -> ComputedInputs:
    """The per-trust inputs of ``run``, restricted to ``peer_group`` when given."""
    rows = [_trust(r) for r in sorted(run.results, key=lambda r: r.org_code)
            if peer_group is None or r.peer_group == peer_group]
    return ComputedInputs(run.framework, run.period, peer_group, run.cutoffs.values, run.cutoffs.source,
                          financial_cap, rows, list(run.warnings))


def computed_inputs(store: Store, framework: str | None, period: str,
                    peer_group: str | None = None) -> ComputedInputs:
    """Segment ``period`` on the computed path (not saved) and return each trust's scores and results."""
    from opmodel.oversight.api import segment
    from opmodel.oversight.policy import load_policy

    run = segment(store, period, framework=framework, peer_group=None, save=False, link=False)
    cap = load_policy(run.framework).financial_override.cap
    return computed_inputs_from_run(run, peer_group, cap)
