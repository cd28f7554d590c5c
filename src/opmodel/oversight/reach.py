"""What it would take: per metric, the value that alone would bring a trust to a better segment (issue 20 item 6).

``explain ORG --period P --to-segment N``. For each metric the trust is scored on from a value, the answer
is the least change of that one value (all else as held) that puts the trust's adjusted segment at N or
better, found by re-running the whole segmentation (a ranked metric re-scores the population and the
cut-offs move with the pool, methodology §1.3–§1.4), or says why it cannot: the financial override caps the
trust (§1.5), even the best value falls short, or the score comes from a published figure.
"""

from __future__ import annotations

from typing import Any

from opmodel.oversight.engine import run_segmentation
from opmodel.oversight.inputs import InputValue, PeriodInputs
from opmodel.oversight.policy import BandsRegime, Direction, LookupRegime, Policy, Population, RankRegime
from opmodel.oversight.results import OrgResult

__all__ = ["to_segment"]


def _with(inputs: PeriodInputs, metric: str, org: str, value: float) -> PeriodInputs:
    values = dict(inputs.values)
    values[metric] = {**inputs.values.get(metric, {}), org: InputValue(value, None, "user", "what-if")}
    return PeriodInputs(period=inputs.period, values=values, orgs=inputs.orgs, source_hashes=inputs.source_hashes)


def _value_metrics(policy: Policy, group: str) -> list[tuple[str, str]]:
    """(score metric, raw metric) for every metric of the group scored from a value, lookups by their inputs."""
    out: list[tuple[str, str]] = []
    for mid in policy.peer_groups[group].metrics:
        m = policy.metrics[mid]
        if isinstance(m.regime, LookupRegime) or not m.raw:
            continue
        out.append((mid, m.raw))
    return out


def _candidates(policy: Policy, inputs: PeriodInputs, run_by: dict[str, OrgResult], score_id: str, raw: str,
                org: str, now: float | None) -> list[float]:
    """Values better than ``now``, least change first: other trusts' values (a ranked metric takes the
    position of the trust it equals, §1.3) and the regime's thresholds or band edges."""
    m = policy.metrics[score_id]
    higher = m.direction is not Direction.LOWER
    found: set[float] = set()
    if isinstance(m.regime, RankRegime):
        group = inputs.orgs[org].peer_group
        for code, v in inputs.values.get(raw, {}).items():
            if v.value is None or code == org or code not in run_by:
                continue
            if m.population is Population.peer_group and run_by[code].peer_group != group:
                continue
            found.add(float(v.value))
        if m.regime.threshold is not None:
            found.add(float(m.regime.threshold))
    elif isinstance(m.regime, BandsRegime):
        # Bands score by value: for each better band, its edge nearest the value now; least improvement first.
        cur = None if now is None else m.regime.score(now)
        bands = sorted((b for b in m.regime.bands if cur is None or b.score < cur), key=lambda b: -b.score)
        out: list[float] = []
        for b in bands:
            edges = [float(e) for e in (b.min, None if b.max is None else round(b.max - 0.01, 2)) if e is not None]
            if edges:
                out.append(min(edges, key=lambda e: abs(e - now)) if now is not None else edges[0])
        return out
    better = [v for v in found if now is None or (v > now if higher else v < now)]
    return sorted(better, reverse=not higher)


def to_segment(policy: Policy, inputs: PeriodInputs, result: OrgResult, target: int) -> dict[str, Any]:
    """Per metric, the value that alone would bring ``result`` to segment ``target`` (or better), or why not."""
    org, cap = result.org_code, policy.financial_override.cap
    out: dict[str, Any] = {"target_segment": target, "segment_now": result.adjusted_segment, "metrics": []}
    if result.adjusted_segment is None:
        out["summary"] = f"{org} is not segmented this quarter, so no metric can move it to segment {target}."
        return out
    if result.adjusted_segment <= target:
        out["summary"] = f"{org} is already in segment {result.adjusted_segment}, at or better than {target}."
        return out
    if result.published_result:
        out["summary"] = (f"{org}'s result is NHS England's published one (no metric values held), so opmodel "
                          "cannot say which value would move it.")
        return out
    capped = result.financial_override and target < cap
    base_run = {r.org_code: r for r in run_segmentation(policy, inputs).results}
    reachable = 0
    for score_id, raw in _value_metrics(policy, result.peer_group):
        name = policy.metrics[score_id].name
        given = inputs.get(raw, org)
        now = None if given is None else given.value
        s = result.scores.get(score_id)
        item: dict[str, Any] = {"metric": score_id, "value_metric": raw, "name": name, "value_now": now,
                                "score_now": None if s is None or s.score is None else round(s.score, 2),
                                "value_needed": None, "segment_with_it": None, "reachable": False}
        if capped:
            item["text"] = (f"cannot: the financial override holds it at segment {cap} or worse whatever "
                            "its scores (§1.5)")
            out["metrics"].append(item)
            continue
        if now is None:
            item["text"] = ("cannot: no value held for it this quarter (not reported, suppressed or not derived), "
                            "so there is no value to change")
            out["metrics"].append(item)
            continue
        cands = _candidates(policy, inputs, base_run, score_id, raw, org, now)
        if not cands:
            item["text"] = "cannot: no better value exists (already the best held)"
            out["metrics"].append(item)
            continue

        def seg(v: float, raw: str = raw) -> int | None:
            r = run_segmentation(policy, _with(inputs, raw, org, v)).by_org().get(org)
            return None if r is None else r.adjusted_segment

        best = seg(cands[-1])
        if best is None or best > target:
            item["text"] = f"cannot: even {cands[-1]:g} (the best possible) leaves it in segment {best}"
            item["segment_with_it"] = best
            out["metrics"].append(item)
            continue
        lo, hi = 0, len(cands) - 1  # the first candidate reaching the target (segments fall as values improve)
        while lo < hi:
            mid = (lo + hi) // 2
            got = seg(cands[mid])
            if got is not None and got <= target:
                hi = mid
            else:
                lo = mid + 1
        reached = seg(cands[lo])
        reachable += 1
        item.update(value_needed=cands[lo], segment_with_it=reached, reachable=True,
                    text=f"{raw} at {cands[lo]:g} (now {now:g}) alone brings it to segment {reached}")
        out["metrics"].append(item)
    for pid in policy.peer_groups[result.peer_group].metrics:
        pm = policy.metrics[pid]
        if not pm.raw and not isinstance(pm.regime, LookupRegime) and pm.averaged and pm.weight > 0:
            out["metrics"].append({"metric": pid, "value_metric": None, "name": pm.name, "value_now": None,
                                   "score_now": None if (s0 := result.scores.get(pid)) is None or s0.score is None
                                   else round(s0.score, 2), "value_needed": None, "segment_with_it": None,
                                   "reachable": False,
                                   "text": "cannot: scored from a published score, with no value to change"})
    out["metrics"].sort(key=lambda i: (not i["reachable"], i["metric"]))
    if capped:
        out["summary"] = (f"{org} is in deficit: the financial override caps it at segment {cap} at best, so no "
                          f"single metric can bring it to segment {target}.")
    else:
        out["summary"] = (f"{reachable} of {len(out['metrics'])} metrics could alone bring {org} from segment "
                          f"{result.adjusted_segment} to segment {target} (other values as held; cut-offs "
                          "re-computed).")
    return out
