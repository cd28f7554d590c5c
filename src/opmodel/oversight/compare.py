"""Published results as a comparison view beside the computed ones (issue 11, item 4).

The engine never reads NHS England's average (OF5002), segments (OF5003, OF5000) or league ranks
for a trust it computes; this module puts them *beside* the computed figures, with the difference
and the reason for it: a metric scored differently (usually a pooled metric ranked within the part
of its population held, methodology §1.3), the cut-off pool (§1.4), or a trust sitting on a boundary.
"""

from __future__ import annotations

from typing import Any

from opmodel.oversight.inputs import PeriodInputs
from opmodel.oversight.policy import Policy
from opmodel.oversight.results import OrgResult, SegmentationRun
from opmodel.oversight.scoring import segment_for

__all__ = ["compare_published", "difference_reason"]


def difference_reason(r: OrgResult, run: SegmentationRun, cap: int, pr: int | None = None) -> str:
    """Why a computed result differs from the published one, in a few words ("" when they agree)."""
    pa, ps = r.published.get("average"), r.published.get("adjusted")
    if r.result_source == "published" or pa is None or r.average_score is None:
        return "" if r.result_source == "published" else "no published result to compare with"
    reasons = []
    avg_diff = round(r.average_score - pa, 2)
    if abs(avg_diff) >= 0.005:
        partial = [m for m in r.metrics_used if r.scores[m].provisional]
        reasons.append(f"average {avg_diff:+.2f}: "
                       + (f"pooled metrics ranked within the part of their population held ({', '.join(partial)})"
                          if partial else "metric scores differ"))
    if ps is not None and r.adjusted_segment is not None and int(ps) != r.adjusted_segment:
        cut = run.cutoffs.values
        if cut is not None:
            on_published_avg = segment_for(pa, cut)
            on_published_avg = max(on_published_avg, cap) if r.financial_override else on_published_avg
            if on_published_avg != int(ps):
                pool = run.cutoffs.pool
                reasons.append(f"boundary: the published average {pa:.2f} falls in segment {on_published_avg} under "
                               f"these cut-offs {[round(c, 3) for c in cut]} (pool {pool.get('computed', 0)} "
                               f"computed, {pool.get('published', 0)} published, {pool.get('missing', 0)} missing)")
            else:
                reasons.append("segment follows the average difference across a boundary")
    if pr is not None and r.rank is not None and pr != r.rank and not reasons:
        reasons.append("rank: other trusts in the peer group moved")
    return "; ".join(reasons)


def compare_published(run: SegmentationRun, inputs: PeriodInputs, policy: Policy) -> dict[str, Any]:
    """Attach ``published_average``, ``published_adjusted_segment``, ``published_rank`` and the differences
    to every result (``OrgResult.comparison``) and return the summary: n equal, n different, the largest."""
    cap = policy.financial_override.cap
    adjusted = policy.published.adjusted
    equal = different = compared = 0
    diffs: list[dict[str, Any]] = []
    for r in run.results:
        given = inputs.get(adjusted, r.org_code)
        pr = None if given is None else given.rank
        pa, ps = r.published.get("average"), r.published.get("adjusted")
        reason = difference_reason(r, run, cap, pr)
        avg_diff = None if pa is None or r.average_score is None else round(r.average_score - pa, 2)
        seg_same = None if ps is None or r.adjusted_segment is None else int(ps) == r.adjusted_segment
        r.comparison = {
            "published_average": pa, "published_adjusted_segment": None if ps is None else int(ps),
            "published_rank": pr, "average_difference": avg_diff,
            "segment_equal": seg_same,
            "rank_difference": None if pr is None or r.rank is None else r.rank - pr,
            "difference_reason": reason,
        }
        if r.result_source == "published" or seg_same is None:
            continue
        compared += 1
        if seg_same and (avg_diff is None or abs(avg_diff) <= 0.1 + 1e-9):
            equal += 1
        else:
            different += 1
        if not seg_same or (avg_diff is not None and abs(avg_diff) >= 0.005):
            diffs.append({"org_code": r.org_code, "average": r.average_score, "published_average": pa,
                          "segment": r.adjusted_segment, "published_segment": None if ps is None else int(ps),
                          "rank": r.rank, "published_rank": pr, "why": reason})
    diffs.sort(key=lambda d: (d["segment"] == d["published_segment"],
                              -abs((d["average"] or 0) - (d["published_average"] or 0))))
    return {"compared": compared, "equal": equal, "different": different,
            "segments_equal": sum(1 for r in run.results if r.comparison and r.comparison["segment_equal"]
                                  and r.result_source != "published"),
            "averages_within_0_1": sum(1 for r in run.results if r.comparison and r.result_source != "published"
                                       and r.comparison["average_difference"] is not None
                                       and abs(r.comparison["average_difference"]) <= 0.1 + 1e-9),
            "ranks_equal": sum(1 for r in run.results if r.comparison and r.result_source != "published"
                               and r.comparison["rank_difference"] == 0),
            "not_compared": len(run.results) - compared,
            "largest_differences": diffs[:10]}
