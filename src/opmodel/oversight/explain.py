"""Why an organisation sits where it does, what it would take to move, and what changed.

Issue 5, requirement 3: the metrics that pulled the average up or down most, the distance to
each segment boundary, whether the financial override (§1.5) or segment 5 (§1.6) applied, and
the change since the previous quarter with its cause (score change, boundary move, override).
"""

from __future__ import annotations

import math
from typing import Any

from opmodel.oversight.policy import Policy
from opmodel.oversight.results import Cutoffs, OrgResult
from opmodel.oversight.scoring import round_half_up, segment_for, weighted_average

__all__ = ["boundaries", "change_since", "explain_result", "metric_pulls"]


def metric_pulls(policy: Policy, result: OrgResult) -> list[dict[str, Any]]:
    """Each counted metric's pull: the average with it minus the average without it (+ = worse)."""
    counted = [s for s in result.scores.values() if s.counted]
    out = []
    for s in result.scores.values():
        pull = None
        if s.counted and result.average_unrounded is not None and len(counted) > 1:
            rest = weighted_average([(float(x.score), x.weight) for x in counted if x.metric != s.metric])  # type: ignore[arg-type]
            pull = None if rest is None else round(result.average_unrounded - rest, 3)
        out.append({"metric": s.metric, "name": policy.metrics[s.metric].name, "domain": s.domain,
                    "score": None if s.score is None else round_half_up(s.score, policy.decimals),
                    "source": s.label, "value": s.value, "weight": round(s.weight, 4), "averaged": s.averaged,
                    "population": s.population, "pull": pull, "note": s.note})
    out.sort(key=lambda d: -abs(float(d["pull"] or 0.0)))
    return out


def _segmenting_average(r: OrgResult) -> float | None:
    """The average the segment rests on: NHS England's own for a published result, else the computed one."""
    published = r.published.get("average")
    return published if r.published_result and published is not None else r.average_score


def boundaries(result: OrgResult, cut: Cutoffs, decimals: int = 2) -> list[dict[str, Any]]:
    """For segments 1–3: the worst average that still reaches it, and how far this average is from it.

    The reach is the largest average (at the published precision) that :func:`segment_for` puts in the
    segment, so the text can never contradict the segment shown (issue 16 item 16). Boundaries come
    only from cut-offs, never from published segments.
    """
    out = []
    avg = _segmenting_average(result)
    step = 10.0**-decimals
    for k in (1, 2, 3):
        item: dict[str, Any] = {"segment": k, "reach_with_average": None, "basis": "no cut-offs"}
        if cut.values is not None:
            c = cut.values[k - 1]
            reach = round(math.ceil(c / step - 1e-9) * step - step, decimals)
            item.update(reach_with_average=reach,
                        basis=f"{cut.source} cut-off {c:.4g}: averages below it reach segment {k}")
            if avg is not None:
                reached = segment_for(avg, cut.values) <= k
                gap = 0.0 if reached else round(avg - reach, decimals)
                item["improvement_needed"] = gap
                item["text"] = (f"an average of {reach:.{decimals}f} or better reaches segment {k}"
                                + (" (already reached)" if reached else
                                   f" ({gap:.{decimals}f} below this organisation's {avg:.{decimals}f})"))
        out.append(item)
    return out


def _published_summary(policy: Policy, r: OrgResult) -> list[str]:
    """Plain words for a result taken as published: say where the figures come from and what is not known."""
    cap = policy.financial_override.cap
    where = ("a third-party extract of NHS England's published results (secondary evidence, not NHS England's "
             "own file)" if r.evidence == "third-party" else "NHS England's published results")
    avg = "unknown" if r.average_score is None else f"{r.average_score:.2f}"
    lines = [f"{r.org_name} ({r.org_code}): this result comes from published figures, from {where}. opmodel has "
             f"no metric scores for it this quarter, so it reports the published result as it stands instead of "
             f"computing one: a published average metric score of {avg} and published segment "
             f"{r.adjusted_segment}."]
    if r.override_source not in ("published", "third-party", "user"):
        lines.append("No deficit flag is published for it, so whether the financial override applied is not "
                     "known." + ("" if r.adjusted_segment != cap else
                                 f" Its segment before any cap is not known (1, 2 or {cap})."))
    elif not r.financial_override:
        lines.append("It is not flagged as in deficit, so the financial override does not apply.")
    elif r.adjusted_segment is not None and r.adjusted_segment > cap:
        lines.append(f"It is flagged as in deficit, but the override changes nothing: segment {r.adjusted_segment} "
                     f"is already worse than the cap at {cap}.")
    else:
        lines.append(f"It is flagged as in deficit (reports a deficit or receives deficit support), so the financial "
                     f"override caps it at segment {cap} at best. The published figures do not give its segment "
                     f"before the cap, so it may be in segment {cap} because of the deficit rather than its scores.")
    if r.final_segment == 5:
        lines.append(f"It is in the Recovery Support Programme (Provider Improvement Programme), so its final "
                     f"segment is 5 whatever its published segment ({r.adjusted_segment}).")
    if r.rank is not None:
        lines.append(f"It ranks {r.rank} of {r.rank_of} in its peer group's league table"
                     + (" (the published rank)." if r.rank_source == "published" else
                        " (adjusted segment, then average score)."))
    return lines


def _summary(policy: Policy, r: OrgResult) -> list[str]:
    cap = policy.financial_override.cap
    if r.published_result and r.status == "segmented":
        return _published_summary(policy, r)
    if r.status != "segmented":
        return [f"{r.org_name} ({r.org_code}) has only {r.metric_count} scored metric(s); the policy needs "
                f"{policy.min_scored_metrics}, so it is reported but not segmented."]
    shown = f"{r.average_score:.2f}"
    where = {"computed": "quartiles of the whole pool", "policy": "cut-offs given in the policy",
             "thresholds": "the policy's thresholds",
             "computed_partial_pool": "quartiles of the part of the pool in the store (approximate)"}
    lines = [f"{r.org_name} ({r.org_code}) has an average metric score of {shown} over "
             f"{r.metric_count} scored metrics, which places it in segment {r.unadjusted_segment} before the "
             f"financial adjustment (from {where.get(r.segment_source, r.segment_source)})."]
    if r.financial_override and r.unadjusted_segment is not None and r.unadjusted_segment < cap:
        lines.append(f"It reports a deficit or receives deficit support, so the financial override caps it at "
                     f"segment {cap}: it is in segment {r.adjusted_segment} because of the deficit cap, not "
                     f"because of its scores. Without the deficit it would be in segment {r.unadjusted_segment}.")
    elif r.financial_override:
        lines.append(f"It is flagged as in deficit, but the override changes nothing: it is already in segment "
                     f"{r.unadjusted_segment}.")
    else:
        lines.append("The financial override does not apply (no deficit or deficit support flagged).")
    if r.final_segment == 5:
        lines.append("It is in the Recovery Support Programme (Provider Improvement Programme), so its final "
                     f"segment is 5 whatever its computed segment ({r.adjusted_segment}).")
    if r.rank is not None:
        lines.append(f"It ranks {r.rank} of {r.rank_of} in its peer group's league table "
                     "(adjusted segment, then average score).")
    return lines


def _would_be_in(before: OrgResult, segment: int, cut: Cutoffs) -> bool:
    """Would last quarter's average sit in ``segment`` under this quarter's boundaries (a boundary move)?"""
    avg = _segmenting_average(before)
    if avg is None:
        return False
    if cut.values is not None:
        return segment_for(avg, cut.values) == segment
    return False


def change_since(policy: Policy, now: OrgResult, cut_now: Cutoffs, before: OrgResult | None,
                 cut_before: Cutoffs | None) -> dict[str, Any]:
    """What changed since the previous quarter and why."""
    if before is None:
        return {"previous_period": None, "reason": "no result for the previous quarter in the store"}
    changes = []
    for mid, s in now.scores.items():
        b = before.scores.get(mid)
        a1 = None if s.score is None else round_half_up(s.score, policy.decimals)
        a0 = None if b is None or b.score is None else round_half_up(b.score, policy.decimals)
        if a1 != a0:
            changes.append({"metric": mid, "name": policy.metrics[mid].name, "before": a0, "after": a1,
                            "change": None if a0 is None or a1 is None else round(a1 - a0, 2)})
    changes.sort(key=lambda c: -abs(float(c["change"] if c["change"] is not None else 9.0)))
    reasons = []
    if now.financial_override != before.financial_override:
        unknown = [p for p, r in ((before.period, before), (now.period, now)) if r.override_source == "none"]
        reasons.append(("financial override " + ("applied" if now.financial_override else "removed"))
                       + (f" (no deficit flag held for {' or '.join(unknown)})" if unknown else ""))
    if now.unadjusted_segment != before.unadjusted_segment and now.unadjusted_segment and before.average_score:
        if _would_be_in(before, now.unadjusted_segment, cut_now):
            reasons.append("boundary move: last quarter's average would be in this segment under this quarter's "
                           "cut-offs")
        else:
            reasons.append("score change: the average moved across a segment boundary")
    if (now.final_segment == 5) != (before.final_segment == 5):
        reasons.append("segment 5 " + ("entered" if now.final_segment == 5 else "left"))
    if not reasons:
        reasons.append("no segment change" if now.final_segment == before.final_segment else "segment change")
    return {
        "previous_period": before.period, "average_before": before.average_score, "average_after": now.average_score,
        "segment_before": before.final_segment, "segment_after": now.final_segment,
        "adjusted_before": before.adjusted_segment, "adjusted_after": now.adjusted_segment,
        "override_before": before.financial_override, "override_after": now.financial_override,
        "cutoffs_before": None if cut_before is None else cut_before.values,
        "cutoffs_after": cut_now.values, "reason": "; ".join(reasons), "score_changes": changes,
    }


def explain_result(policy: Policy, r: OrgResult, cut: Cutoffs) -> dict[str, Any]:
    pulls = metric_pulls(policy, r)
    counted = [p for p in pulls if p["pull"] is not None]
    return {
        "org_code": r.org_code, "org_name": r.org_name, "peer_group": r.peer_group, "period": r.period,
        "framework": policy.framework, "policy_version": policy.version, "status": r.status,
        "average_score": r.average_score, "published_average_score": r.published.get("average"),
        "metric_count": r.metric_count, "unadjusted_segment": r.unadjusted_segment,
        "segment_source": r.segment_source, "financial_override": r.financial_override,
        "override_source": r.override_source, "adjusted_segment": r.adjusted_segment,
        "final_segment": r.final_segment, "segment5": r.final_segment == 5, "rank": r.rank, "rank_of": r.rank_of,
        "rank_source": r.rank_source, "published_result": r.published_result, "average_source": r.average_source,
        "evidence": r.evidence,
        # None: flagged, but a published result without its pre-cap segment cannot tell.
        "deficit_cap_applied": (None if r.financial_override and r.unadjusted_segment is None else
                                bool(r.financial_override and r.unadjusted_segment is not None
                                     and r.unadjusted_segment < policy.financial_override.cap)),
        "summary": " ".join(_summary(policy, r)),
        "pulled_up_most": [p for p in counted if p["pull"] > 0][:3],
        "pulled_down_most": [p for p in counted if p["pull"] < 0][:3],
        "metrics": pulls,
        "boundaries": boundaries(r, cut, policy.decimals) if r.status == "segmented" else [],
        "domain_scores": r.domain_scores, "domain_segments": r.domain_segments,
        "result_source": r.result_source, "provisional_reasons": list(r.provisional_reasons),
        "metrics_used": list(r.metrics_used), "metrics_expected": list(r.metrics_expected),
        "published_adjusted_segment": r.published.get("adjusted"),
        # The published league rank beside the computed one (issue 11 item 4): a comparison, never an input.
        "published_rank": None if (pr := r.published.get("rank")) is None else int(pr),
        "rank_difference": None if pr is None or r.rank is None else r.rank - int(pr),
    }
