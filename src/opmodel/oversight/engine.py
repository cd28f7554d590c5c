"""The segmentation engine: from one quarter's inputs and a policy to scored, segmented, ranked results.

Steps follow the manual (methodology §1.2): score each metric (§1.3), average (§1.4), quartile
or threshold into segments (§1.4, §4), apply the financial override (§1.5), segment 5 (§1.6),
domain scores and segments (§1.7), league ranks (§2). Nothing here knows any quarter's answers:
published scores and segments are read as *inputs* only where the store cannot recompute them
(the scoring population or the segmentation pool is not all in the store), and every result says
which (``MetricScore.source``, ``OrgResult.segment_source``). An organisation whose only inputs are a
published average and a published adjusted segment (a league table, or the third-party Q3 extract)
keeps NHS England's result as it stands (``OrgResult.published_result``): its segment, deficit flag
and league rank are reported as published and it stays out of the quartile pool.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from opmodel.errors import OpmodelError
from opmodel.oversight.inputs import PeriodInputs
from opmodel.oversight.policy import (
    BandsRegime,
    Direction,
    LookupRegime,
    Policy,
    Population,
    PublishedRegime,
    RankRegime,
    Segmentation,
)
from opmodel.oversight.results import Cutoffs, MetricScore, OrgResult, SegmentationRun
from opmodel.oversight.scoring import (
    competition_ranks,
    quartile_cutoffs,
    round_half_up,
    segment_for,
    spread_score,
    weighted_average,
)

__all__ = ["run_segmentation"]


class _Scorer:
    """Scores every metric for every organisation that has it in its peer group's scope."""

    def __init__(self, policy: Policy, inputs: PeriodInputs) -> None:
        self.policy = policy
        self.inputs = inputs
        # A group is in the store for ranking when enough of its organisations have raw values.
        raws = {m.raw for m in policy.metrics.values() if m.raw}
        with_raw: dict[str, int] = defaultdict(int)
        for o in inputs.orgs.values():
            if o.peer_group and any(inputs.value(r, o.code) is not None for r in raws):
                with_raw[o.peer_group] += 1
        self.present = {g for g, n in with_raw.items() if n >= (policy.peer_groups[g].size or 1)}
        self.cache: dict[str, dict[str, MetricScore]] = {}
        in_scope = {g: set(pg.metrics) for g, pg in policy.peer_groups.items()}
        self.by_group: dict[str, list[str]] = defaultdict(list)
        for o in inputs.orgs.values():
            if o.peer_group:
                self.by_group[o.peer_group].append(o.code)
        self.groups_with = {mid: [g for g in self.by_group if mid in in_scope[g]] for mid in policy.metrics}

    def scope(self, mid: str) -> list[str]:
        return [code for g in self.groups_with[mid] for code in self.by_group[g]]

    def _published(self, mid: str, org: str, note: str = "") -> MetricScore:
        m = self.policy.metrics[mid]
        v = self.inputs.value(mid, org)
        raw = self.inputs.value(m.raw, org) if m.raw else None
        if v is None or v == self.policy.excluded_score:
            return MetricScore(mid, m.domain, None, "excluded", m.weight, m.averaged, raw,
                               note or "no value (missing, suppressed or not applicable)")
        return MetricScore(mid, m.domain, v, "published", m.weight, m.averaged, raw, note)

    def metric(self, mid: str) -> dict[str, MetricScore]:
        if mid in self.cache:
            return self.cache[mid]
        m = self.policy.metrics[mid]
        targets = self.scope(mid)
        regime = m.regime
        out: dict[str, MetricScore]
        if isinstance(regime, PublishedRegime):
            out = {o: self._published(mid, o) for o in targets}
        elif isinstance(regime, BandsRegime):
            out = {}
            for o in targets:
                raw = self.inputs.value(m.raw, o) if m.raw else None
                band = None if raw is None else regime.score(raw)
                out[o] = (MetricScore(mid, m.domain, float(band), "computed", m.weight, m.averaged, raw)
                          if band is not None else self._published(mid, o, "no raw value to band"))
        elif isinstance(regime, LookupRegime):
            rows = self.metric(regime.rows)
            cols = self.metric(regime.columns)
            out = {}
            for o in targets:
                r, c = rows.get(o), cols.get(o)
                cell = None
                if r and c and r.score and c.score and r.source == c.source == "computed":
                    cell = regime.matrix[int(r.score) - 1][int(c.score) - 1]
                    if cell is None:
                        out[o] = self._published(mid, o, f"matrix cell ({int(r.score)}, {int(c.score)}) "
                                                          "is unknown in the policy")
                        continue
                out[o] = (MetricScore(mid, m.domain, float(cell), "computed", m.weight, m.averaged)
                          if cell is not None else self._published(mid, o, "inputs to the matrix not computed"))
        else:
            out = self._ranked(mid, regime, targets)
        self.cache[mid] = out
        return out

    def _ranked(self, mid: str, regime: RankRegime, targets: list[str]) -> dict[str, MetricScore]:
        m = self.policy.metrics[mid]
        assert m.raw is not None and m.direction is not None
        raw = self.inputs.values.get(m.raw, {})
        groups = {o: self.inputs.orgs[o].peer_group or "" for o in targets}
        if m.population is Population.peer_group:
            partitions: dict[str, list[str]] = defaultdict(list)
            for o in targets:
                partitions[groups[o]].append(o)
            computable = {g: True for g in partitions}
            note = ""
        else:
            # "All trusts reporting" reaches beyond the groups that score the metric (acute trusts
            # report community waits too), so every segmented peer group must be in the store.
            reporting = {g for g, pg in self.policy.peer_groups.items() if pg.segmented}
            missing = sorted(reporting - self.present)
            partitions = {"*": list(targets)}
            computable = {"*": not missing}
            note = (f"scoring population is all trusts reporting; not in the store: {', '.join(missing)}"
                    if missing else "")
        out: dict[str, MetricScore] = {}
        for key, members in partitions.items():
            have = [o for o in members if raw.get(o) is not None and raw[o].value is not None]
            if not computable[key] or not have:
                for o in members:
                    out[o] = self._published(mid, o, note or "no raw values in the store")
                continue
            sign = -1.0 if m.direction is Direction.HIGHER else 1.0
            value = {o: float(raw[o].value) for o in have}  # type: ignore[arg-type]
            if regime.type == "ranked":
                ranked, fixed, lo, hi, fixed_score = have, [], 1.0, 4.0, 0.0
            else:
                thr = float(regime.threshold)  # type: ignore[arg-type]
                meets = {o: (value[o] >= thr if m.direction is Direction.HIGHER else value[o] <= thr) for o in have}
                if regime.type == "standard":  # meeting the standard scores 1, the rest rank 2-4
                    fixed = [o for o in have if meets[o]]
                    lo, hi, fixed_score = 2.0, 4.0, 1.0
                else:  # failing the floor scores 4, the rest rank 1-3
                    fixed = [o for o in have if not meets[o]]
                    lo, hi, fixed_score = 1.0, 3.0, 4.0
                fixed_set = set(fixed)
                ranked = [o for o in have if o not in fixed_set]
            # Published ranks order the unrounded values within a peer group; use them when complete.
            use_rank = m.population is Population.peer_group and all(raw[o].rank is not None for o in ranked)
            keys = {o: (float(raw[o].rank) if use_rank else sign * value[o]) for o in ranked}  # type: ignore[arg-type]
            positions = competition_ranks(keys)
            for o in fixed:
                out[o] = MetricScore(mid, m.domain, fixed_score, "computed", m.weight, m.averaged, value[o],
                                     "meets the standard" if regime.type == "standard" else "below the floor")
            for o in ranked:
                s = spread_score(positions[o], len(ranked), lo, hi)
                out[o] = MetricScore(mid, m.domain, s, "computed", m.weight, m.averaged, value[o])
            for o in members:
                if o not in out:
                    out[o] = self._published(mid, o, "no raw value for this organisation")
        return out


def _domain_and_average(policy: Policy, scores: dict[str, MetricScore]
                        ) -> tuple[float | None, int, dict[str, float | None]]:
    counted = [s for s in scores.values() if s.counted]
    avg = weighted_average([(float(s.score), s.weight) for s in counted])  # type: ignore[arg-type]
    domains: dict[str, float | None] = {}
    for did in policy.domains:
        d = weighted_average([(float(s.score), s.weight) for s in counted if s.domain == did])  # type: ignore[arg-type]
        domains[did] = None if d is None else round_half_up(d, policy.decimals)
    return avg, len(counted), domains


def _observed(pairs: list[tuple[float, int]]) -> list[tuple[float | None, float | None]]:
    out: list[tuple[float | None, float | None]] = []
    for k in (1, 2, 3):
        below = [a for a, s in pairs if s <= k]
        above = [a for a, s in pairs if s > k]
        out.append((max(below) if below else None, min(above) if above else None))
    return out


def _cutoffs(seg: Segmentation, period: str, pool: dict[str, float], complete: bool,
             published: dict[str, int], what: str, published_avg: dict[str, float] | None = None) -> Cutoffs:
    """Choose where the boundaries come from (docs/decisions.md, Oversight: incomplete pools)."""
    if period in seg.cutoffs:
        return Cutoffs(list(seg.cutoffs[period]), "policy", len(pool), f"cut-offs for {period} given in the policy")
    if seg.method == "thresholds":
        if seg.thresholds is None:
            raise OpmodelError(f"The {what} thresholds are unknown in this policy: supply them, e.g. "
                               "--set segmentation.thresholds=[2.0,2.5,3.0]")
        return Cutoffs(list(seg.thresholds), "thresholds", len(pool))
    if complete and pool:
        return Cutoffs(quartile_cutoffs(list(pool.values()), seg.quantile_method), "computed", len(pool))
    if published and set(pool) <= set(published):
        avg = published_avg or {}
        pairs = [(avg.get(o, pool[o]), published[o]) for o in pool]
        return Cutoffs(None, "published", len(pool),
                       "the pool is not all in the store: published segments used", _observed(pairs))
    if not pool:
        return Cutoffs(None, "none", 0, "no organisation to segment")
    return Cutoffs(quartile_cutoffs(list(pool.values()), seg.quantile_method), "computed_partial_pool", len(pool),
                   "the pool is not all in the store and no published segments: quartiles of the part present")


def _complete_groups(policy: Policy, results: list[OrgResult]) -> set[str]:
    """Peer groups with at least their expected number of segmentable organisations."""
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        if r.status == "segmented" and not r.published_result:
            counts[r.peer_group] += 1
    return {g for g, n in counts.items() if n >= (policy.peer_groups[g].size or 1)}


def _pool_complete(seg: Segmentation, present: set[str]) -> bool:
    return seg.pool == "per_group" or set(seg.pool_groups) <= present


def run_segmentation(policy: Policy, inputs: PeriodInputs) -> SegmentationRun:
    """Score, segment and rank every organisation in ``inputs`` under ``policy``."""
    period = inputs.period.label
    scorer = _Scorer(policy, inputs)
    segmented_groups = {g for g, pg in policy.peer_groups.items() if pg.segmented}
    orgs = sorted((o for o in inputs.orgs.values() if o.peer_group in segmented_groups), key=lambda o: o.code)
    per_org: dict[str, dict[str, MetricScore]] = {o.code: {} for o in orgs}
    for mid in policy.metrics:
        for code, s in scorer.metric(mid).items():
            if code in per_org:
                per_org[code][mid] = s
    warnings: list[str] = []
    results: list[OrgResult] = []
    pub = policy.published
    # Cut-offs fixed by the policy (given for the period, or thresholds) apply to every average, published
    # or not, so a what-if moves league-table-only organisations too.
    fixed_cutoffs = period in policy.segmentation.cutoffs or policy.segmentation.method == "thresholds"
    for o in orgs:
        assert o.peer_group is not None
        scores = {m: per_org[o.code][m] for m in policy.peer_groups[o.peer_group].metrics if m in per_org[o.code]}
        avg, count, domains = _domain_and_average(policy, scores)
        average_source: Literal["computed", "published"] = "computed"
        published_avg = inputs.value(pub.average, o.code)
        if count == 0 and published_avg is not None:
            # Only NHS England's average is in the store (a league-table file): segment on it, and say so.
            avg, average_source = published_avg, "published"
        ok = avg is not None and (count >= policy.min_scored_metrics or average_source == "published")
        published_result = (average_source == "published" and not fixed_cutoffs
                            and inputs.value(pub.adjusted, o.code) is not None)
        results.append(OrgResult(
            org_code=o.code, org_name=o.name, peer_group=o.peer_group, period=period, scores=scores,
            average_unrounded=avg, average_score=None if avg is None else round_half_up(avg, policy.decimals),
            metric_count=count, status="segmented" if ok else "insufficient_data", domain_scores=domains,
            average_source=average_source, published_result=published_result, evidence=o.evidence,
            published={k: inputs.value(mid, o.code) for k, mid in
                       (("average", pub.average), ("unadjusted", pub.unadjusted), ("adjusted", pub.adjusted))},
        ))
    short = [r.org_code for r in results if r.status != "segmented"]
    if short:
        warnings.append(f"not segmented, fewer than {policy.min_scored_metrics} scored metrics: {', '.join(short)}")
    present = _complete_groups(policy, results)
    cut = _segment_overall(policy, results, present, period, inputs)
    domain_cuts = _segment_domains(policy, results, present, period, inputs)
    _published_results(policy, results, inputs)
    _override_and_final(policy, results, inputs, warnings)
    _league(policy, results, inputs, warnings)
    if cut.source == "computed_partial_pool":
        warnings.append(cut.note)
    return SegmentationRun(policy.framework, policy.version, policy.sha256(), period, inputs.sha256(),
                           list(inputs.source_hashes), results, cut, domain_cuts, warnings)


def _pool_for(seg: Segmentation, results: list[OrgResult], group: str | None) -> dict[str, float]:
    return {r.org_code: r.average_score for r in results
            if r.status == "segmented" and r.average_score is not None and not r.published_result
            and (group is None or r.peer_group == group)
            and (seg.pool == "per_group" or r.peer_group in seg.pool_groups or seg.method == "thresholds")}


def _segment_overall(policy: Policy, results: list[OrgResult], present: set[str], period: str,
                     inputs: PeriodInputs) -> Cutoffs:
    seg = policy.segmentation
    published = {r.org_code: int(v) for r in results
                 if (v := inputs.value(policy.published.unadjusted, r.org_code)) is not None}
    groups: list[str | None] = [*sorted({r.peer_group for r in results})] if seg.pool == "per_group" else [None]
    first: Cutoffs | None = None
    for g in groups:
        pool = _pool_for(seg, results, g)
        published_avg = {o: v for o in pool if (v := inputs.value(policy.published.average, o)) is not None}
        cut = _cutoffs(seg, period, pool, _pool_complete(seg, present), published, "segment", published_avg)
        first = first or cut
        for r in results:
            if r.org_code not in pool:
                continue
            assert r.average_score is not None
            if cut.values is not None:
                r.unadjusted_segment = segment_for(r.average_score, cut.values)
            else:
                r.unadjusted_segment = published[r.org_code]
            r.segment_source = cut.source
    return first or Cutoffs(None, "none")


def _segment_domains(policy: Policy, results: list[OrgResult], present: set[str], period: str,
                     inputs: PeriodInputs) -> dict[str, Cutoffs]:
    seg = policy.domain_segmentation
    out: dict[str, Cutoffs] = {}
    if seg is None:
        return out
    for did, d in policy.domains.items():
        pool = {r.org_code: v for r in results if r.status == "segmented"
                and (v := r.domain_scores.get(did)) is not None
                and (seg.pool == "per_group" or r.peer_group in seg.pool_groups)}
        published = {r.org_code: int(v) for r in results if d.segment_metric
                     and (v := inputs.value(d.segment_metric, r.org_code)) is not None}
        published_avg = {r.org_code: v for r in results if d.score_metric
                         and (v := inputs.value(d.score_metric, r.org_code)) is not None}
        try:
            cut = _cutoffs(seg.model_copy(update={"cutoffs": {}}), period, pool,
                           _pool_complete(seg, present), published, f"{did} domain", published_avg)
        except OpmodelError:
            cut = Cutoffs(None, "none", len(pool), "domain thresholds unknown")
        out[did] = cut
        for r in results:
            if r.org_code in pool:
                r.domain_segments[did] = (segment_for(pool[r.org_code], cut.values) if cut.values is not None
                                          else published.get(r.org_code))
                r.domain_segment_source = cut.source
            else:
                r.domain_segments[did] = None
    return out


def _published_results(policy: Policy, results: list[OrgResult], inputs: PeriodInputs) -> None:
    """Published results as they stand: segment source and domain scores and segments (§1.7, §1.9).

    The adjusted segment itself is set with the override (:func:`_override_and_final`); here the
    unadjusted one is taken only where published (OF5003), never re-derived from a partial pool.
    """
    for r in results:
        if not r.published_result:
            continue
        r.segment_source = r.domain_segment_source = "published"
        unadjusted = inputs.value(policy.published.unadjusted, r.org_code)
        r.unadjusted_segment = None if unadjusted is None else int(unadjusted)
        for did, d in policy.domains.items():
            score = inputs.value(d.score_metric, r.org_code) if d.score_metric else None
            seg = inputs.value(d.segment_metric, r.org_code) if d.segment_metric else None
            r.domain_scores[did] = score
            r.domain_segments[did] = None if seg is None else int(seg)


def _override_and_final(policy: Policy, results: list[OrgResult], inputs: PeriodInputs,
                        warnings: list[str]) -> None:
    fo, s5 = policy.financial_override, policy.segment5
    if fo.enabled is None:
        warnings.append(f"{policy.framework}: the financial override is unknown and was not applied")
    if s5.enabled is None:
        warnings.append(f"{policy.framework}: segment 5 is unknown and was not applied")
    heuristic: list[str] = []
    contradicted: list[str] = []
    for r in results:
        if r.unadjusted_segment is None and not r.published_result:
            continue
        flag_value = inputs.value(fo.flag_metric, r.org_code)
        if flag_value is not None:
            flag, r.override_source = flag_value >= 1, "published"
        elif fo.fallback_metrics and all(inputs.value(m, r.org_code) is not None for m in fo.fallback_metrics):
            flag = sum(inputs.value(m, r.org_code) or 0.0 for m in fo.fallback_metrics) < 0
            r.override_source = "heuristic"
            heuristic.append(r.org_code)
        else:
            flag, r.override_source = False, "none"
        r.financial_override = bool(fo.enabled) and flag
        if r.published_result:
            # As published (OF5000). Before the cap it was the same segment unless a deficit (or an
            # unpublished flag) may have capped it at exactly segment `cap`: then it is not known.
            r.adjusted_segment = int(r.published["adjusted"])  # type: ignore[arg-type]
            if flag and r.adjusted_segment < fo.cap:
                contradicted.append(r.org_code)
            if r.unadjusted_segment is None and (r.adjusted_segment != fo.cap
                                                 or (r.override_source == "published" and not flag)):
                r.unadjusted_segment = r.adjusted_segment
        else:
            assert r.unadjusted_segment is not None
            r.adjusted_segment = (max(r.unadjusted_segment, fo.cap) if r.financial_override
                                  else r.unadjusted_segment)
        r.final_segment = r.adjusted_segment
        if s5.enabled:
            in_pip = inputs.value(s5.flag_metric, r.org_code)
            final = inputs.value(s5.final_metric, r.org_code) if s5.final_metric else None
            if (in_pip is not None and in_pip >= 1) or final == 5:
                r.final_segment, r.segment5_source = 5, "published"
    if heuristic:
        warnings.append("deficit flag not in the store, estimated from plan + YTD variance < 0 for: "
                        + ", ".join(heuristic))
    if contradicted:
        warnings.append(f"published segment below {fo.cap} despite a published deficit flag (kept as published): "
                        + ", ".join(contradicted))


def _league(policy: Policy, results: list[OrgResult], inputs: PeriodInputs, warnings: list[str]) -> None:
    """Competition ranks within each peer group by the policy's ordering (§2).

    A published result keeps its published league rank (out of the published table's size, the
    peer group's ``size``); the others are ranked among themselves.
    """
    by_group: dict[str, dict[str, tuple[float, ...]]] = defaultdict(dict)
    published_groups: set[str] = set()
    for r in results:
        if r.adjusted_segment is None or r.average_score is None:
            continue
        given = inputs.get(policy.published.adjusted, r.org_code) if r.published_result else None
        if given is not None and given.rank is not None:
            size = policy.peer_groups[r.peer_group].size or 0
            r.rank, r.rank_of, r.rank_source = given.rank, max(size, given.rank), "published"
            published_groups.add(r.peer_group)
            continue
        key = tuple(float(r.adjusted_segment) if f == "adjusted_segment" else
                    float(r.final_segment or 0) if f == "final_segment" else r.average_score
                    for f in policy.league.order)
        by_group[r.peer_group][r.org_code] = key
    for _group, keys in by_group.items():
        ranks = competition_ranks(keys)
        for r in results:
            if r.org_code in ranks:
                r.rank, r.rank_of, r.rank_source = ranks[r.org_code], len(keys), "computed"
    for group in sorted(published_groups & set(by_group)):
        warnings.append(f"{group}: league ranks mix published ranks and ranks computed among the organisations "
                        "without one; they are not one table")
