"""The segmentation engine: from one quarter's inputs and a policy to scored, segmented, ranked results.

Steps follow the manual (methodology §1.2): score each metric (§1.3), average (§1.4), quartile
or threshold into segments (§1.4, §4), apply the financial override (§1.5), segment 5 (§1.6),
domain scores and segments (§1.7), league ranks (§2). One computed path (issue 11): it never reads
published domain scores or segments (OF40xx/OF41xx), OF5000, OF5002, OF5003 or league ranks for a
trust it holds values for; a published metric score is an input only where no raw value is held (or
with ``use_published_scores``). A pooled metric whose population is not all held is ranked within
the part held and marked provisional; the cut-off pool is every computed average plus the published
averages of trusts with no values held (``Cutoffs.pool``). A trust with nothing but a published
average and segment keeps NHS England's result, labelled ``result_source="published"``.
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
from opmodel.oversight.results import Cutoffs, MetricScore, OrgResult, ScoreSource, SegmentationRun
from opmodel.oversight.scoring import (
    competition_ranks,
    quartile_cutoffs,
    round_half_up,
    segment_for,
    spread_score,
    weighted_average,
)

__all__ = ["OVERRIDE_SOURCES", "run_segmentation"]


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
                out[o] = (MetricScore(mid, m.domain, float(band), "computed", m.weight, m.averaged, raw,
                                      "", "bands (no population needed)")
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
                out[o] = (MetricScore(mid, m.domain, float(cell), "computed", m.weight, m.averaged, None, "",
                                      "lookup of the two band scores")
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
            complete = {g: g in self.present for g in partitions}
            notes = {g: f"peer group {g}" for g in partitions}
        else:
            # "All trusts reporting" reaches beyond the groups that score the metric (acute trusts
            # report community waits too), so every segmented peer group must be held (§1.3).
            reporting = {g for g, pg in self.policy.peer_groups.items() if pg.segmented}
            missing = sorted(reporting - self.present)
            partitions = {"*": list(targets)}
            complete = {"*": not missing}
            notes = {"*": "all trusts reporting" + (f"; not held: {', '.join(missing)}" if missing else "")}
        out: dict[str, MetricScore] = {}
        for key, members in partitions.items():
            have = [o for o in members if raw.get(o) is not None and raw[o].value is not None]
            partial = not complete[key]
            if not have or (partial and self.policy.use_published_scores):
                why = ("no raw values held" if not have else
                       f"scoring population incomplete ({notes[key]}): published score used as asked")
                for o in members:
                    out[o] = self._published(mid, o, why)
                continue
            population = f"{notes[key]}: {len(have)} held" + (" (incomplete: ranked within what is held)"
                                                              if partial else "")
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
            # Every score from its value (issue 20 item 3): order by value, equal values tie at the best
            # position (§1.3). NHS England's per-metric rank orders the scores only when asked
            # (--use-published-scores), ties in it broken by value, and the score is then labelled published.
            use_rank = (self.policy.use_published_scores and m.population is Population.peer_group
                        and bool(ranked) and all(raw[o].rank is not None for o in ranked))
            keys = {o: ((float(raw[o].rank), sign * value[o]) if use_rank  # type: ignore[arg-type]
                        else (sign * value[o],)) for o in ranked}
            positions = competition_ranks(keys)
            how: ScoreSource = "published" if use_rank else "computed"
            why = "ordered by NHS England's published rank (--use-published-scores)" if use_rank else ""
            for o in fixed:
                out[o] = MetricScore(mid, m.domain, fixed_score, "computed", m.weight, m.averaged, value[o],
                                     "meets the standard" if regime.type == "standard" else "below the floor",
                                     population, partial)
            for o in ranked:
                s = spread_score(positions[o], len(ranked), lo, hi)
                out[o] = MetricScore(mid, m.domain, s, how, m.weight, m.averaged, value[o], why, population, partial)
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


def _cutoffs(seg: Segmentation, period: str, pool: dict[str, float], counts: dict[str, int], what: str) -> Cutoffs:
    """Choose the boundaries: the policy's, its thresholds, or quartiles of the pool (§1.4).

    Never from published segments (issue 11): a pool that is not all held gives quartiles of the part held
    (with any published averages of trusts not held), labelled ``computed_partial_pool``.
    """
    if period in seg.cutoffs:
        return Cutoffs(list(seg.cutoffs[period]), "policy", len(pool), f"cut-offs for {period} given in the policy",
                       pool=counts)
    if seg.method == "thresholds":
        if seg.thresholds is None:
            raise OpmodelError(f"The {what} thresholds are unknown in this policy: supply them, e.g. "
                               "--set segmentation.thresholds=[2.0,2.5,3.0]")
        return Cutoffs(list(seg.thresholds), "thresholds", len(pool), pool=counts)
    if not pool:
        return Cutoffs(None, "none", 0, "no organisation to segment", pool=counts)
    values = quartile_cutoffs(list(pool.values()), seg.quantile_method)
    if counts.get("published", 0) == 0 and counts.get("missing", 0) == 0:
        return Cutoffs(values, "computed", len(pool), pool=counts)
    note = (f"{what} cut-off pool incomplete: {counts.get('computed', 0)} computed, "
            f"{counts.get('published', 0)} by published average, {counts.get('missing', 0)} missing")
    return Cutoffs(values, "computed_partial_pool", len(pool), note, pool=counts)


def _pool_counts(policy: Policy, seg: Segmentation, computed: int, published: int,
                 group: str | None) -> dict[str, int]:
    groups = [group] if group is not None else list(seg.pool_groups)
    expected = sum(policy.peer_groups[g].size or 0 for g in groups if g in policy.peer_groups)
    return {"computed": computed, "published": published, "missing": max(expected - computed - published, 0)}


def _missing_by_group(policy: Policy, seg: Segmentation, members: list[OrgResult], group: str | None) -> str:
    """"acute 5, ambulance 9": how many of each pool group's organisations have no average in the pool."""
    groups = [group] if group is not None else list(seg.pool_groups)
    held: dict[str, int] = defaultdict(int)
    for r in members:
        held[r.peer_group] += 1
    parts = [f"{g} {n}" for g in groups if g in policy.peer_groups
             and (n := (policy.peer_groups[g].size or 0) - held[g]) > 0]
    return ", ".join(parts)


def _published_rank(inputs: PeriodInputs, metric: str, org: str) -> float | None:
    given = inputs.get(metric, org)
    return None if given is None or given.rank is None else float(given.rank)


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
            published={**{k: inputs.value(mid, o.code) for k, mid in
                          (("average", pub.average), ("unadjusted", pub.unadjusted), ("adjusted", pub.adjusted))},
                       # the published league rank, for the comparison view only (issue 11 item 4)
                       "rank": _published_rank(inputs, pub.adjusted, o.code)},
        ))
    unsegmented: dict[str, int] = {}
    for o in inputs.orgs.values():
        if o.peer_group is not None and policy.not_segmented(o.peer_group) is not None:
            unsegmented[o.peer_group] = unsegmented.get(o.peer_group, 0) + 1
    for g, n in sorted(unsegmented.items()):
        if policy.peer_groups[g].note:  # said only where the policy gives a reason (e.g. ICBs in 2026/27)
            warnings.append(f"{g} ({n} organisation{'s' if n != 1 else ''}): {policy.not_segmented(g)}")
    short = [r.org_code for r in results if r.status != "segmented"]
    if short:
        warnings.append(f"not segmented, fewer than {policy.min_scored_metrics} scored metrics: {', '.join(short)}")
    cut = _segment_overall(policy, results, period)
    domain_cuts = _segment_domains(policy, results, period)
    _published_results(policy, results, inputs)
    _override_and_final(policy, results, inputs, warnings)
    _league(policy, results, inputs, warnings)
    _label(policy, results, cut)
    if cut.source == "computed_partial_pool":
        warnings.append(cut.note)
    run = SegmentationRun(policy.framework, policy.version, policy.sha256(), period, inputs.sha256(),
                          list(inputs.source_hashes), results, cut, domain_cuts, warnings)
    run.group_sizes = {g: pg.size for g, pg in policy.peer_groups.items() if pg.segmented and pg.size}
    return run


def _label(policy: Policy, results: list[OrgResult], cut: Cutoffs) -> None:
    """Say of every result whether it is computed, provisional or published, and why (issue 11, item 2)."""
    for r in results:
        expected = [m for m in policy.peer_groups[r.peer_group].metrics
                    if policy.metrics[m].averaged and policy.metrics[m].weight > 0]
        r.metrics_expected = expected
        r.metrics_used = [m for m in expected if (s := r.scores.get(m)) is not None and s.counted]
        if r.published_result:
            r.result_source = "published"
            r.provisional_reasons = ["no metric values held: NHS England's published result as it stands"]
            continue
        reasons = []
        partial = sorted(m for m in r.metrics_used if r.scores[m].provisional)
        if partial:
            reasons.append("ranked within an incomplete scoring population: " + ", ".join(partial))
        # Any score taken from a published figure (a survey band such as OF1035, a suppressed value, a published
        # rank) makes the result provisional: only scores computed from values count as computed (item 4).
        published = sorted(m for m in r.metrics_used if r.scores[m].source == "published")
        if published:
            reasons.append("published metric scores used: " + ", ".join(published))
        if r.average_source == "published":
            reasons.append("average is the published one (no metric values held)")
        if r.status == "segmented" and cut.source == "computed_partial_pool":
            reasons.append(cut.note)
        if r.status == "segmented" and policy.financial_override.enabled and r.override_source != "published":
            reasons.append(OVERRIDE_REASONS[r.override_source].format(period=r.period))
        r.provisional_reasons = reasons
        r.result_source = "provisional" if reasons else "computed"


def _in_pool(seg: Segmentation, r: OrgResult, group: str | None) -> bool:
    return ((group is None or r.peer_group == group)
            and (seg.pool == "per_group" or r.peer_group in seg.pool_groups or seg.method == "thresholds"))


def _segment_overall(policy: Policy, results: list[OrgResult], period: str) -> Cutoffs:
    """Quartile the computed averages (plus published averages of trusts with no values held) and segment."""
    seg = policy.segmentation
    groups: list[str | None] = [*sorted({r.peer_group for r in results})] if seg.pool == "per_group" else [None]
    first: Cutoffs | None = None
    for g in groups:
        members = [r for r in results if r.status == "segmented" and r.average_score is not None
                   and _in_pool(seg, r, g)]
        pool = {r.org_code: float(r.average_score) for r in members}  # type: ignore[arg-type]
        n_pub = sum(r.average_source == "published" for r in members)
        cut = _cutoffs(seg, period, pool, _pool_counts(policy, seg, len(pool) - n_pub, n_pub, g), "segment")
        if cut.source == "computed_partial_pool" and (by_group := _missing_by_group(policy, seg, members, g)):
            cut.note += f" ({by_group})"
        first = first or cut
        for r in members:
            if cut.values is not None and not r.published_result:
                assert r.average_score is not None
                r.unadjusted_segment = segment_for(r.average_score, cut.values)
                r.segment_source = cut.source
    return first or Cutoffs(None, "none")


def _segment_domains(policy: Policy, results: list[OrgResult], period: str) -> dict[str, Cutoffs]:
    """Domain segments from quartiles of the computed domain scores (§1.7); never OF40xx/OF41xx."""
    seg = policy.domain_segmentation
    out: dict[str, Cutoffs] = {}
    if seg is None:
        return out
    for did in policy.domains:
        pool = {r.org_code: v for r in results if r.status == "segmented" and not r.published_result
                and (v := r.domain_scores.get(did)) is not None
                and (seg.pool == "per_group" or r.peer_group in seg.pool_groups)}
        counts = _pool_counts(policy, seg, len(pool), 0, None)
        try:
            cut = _cutoffs(seg.model_copy(update={"cutoffs": {}}), period, pool, counts, f"{did} domain")
        except OpmodelError:
            cut = Cutoffs(None, "none", len(pool), "domain thresholds unknown")
        out[did] = cut
        for r in results:
            if r.published_result:
                continue
            r.domain_segments[did] = (segment_for(pool[r.org_code], cut.values)
                                      if r.org_code in pool and cut.values is not None else None)
            if r.org_code in pool:
                r.domain_segment_source = cut.source
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


#: Where the deficit flag behind the financial override came from (§1.5), in words; every source but NHS
#: England's own published OF5004 makes the result provisional (issue 20 item 4).
OVERRIDE_SOURCES = {
    "published": "NHS England's published deficit flag (OF5004)",
    "third-party": "a deficit flag from a third-party extract of NHS England's data",
    "user": "a deficit flag given by the user (what-if)",
    "heuristic": "no deficit flag held: estimated from planned position + year-to-date variance < 0",
    "none": "no deficit flag held: the financial override was not applied",
}
FLAG_HELD = frozenset({"published", "third-party", "user"})  # a flag was given, whoever gave it
OVERRIDE_REASONS = {
    "third-party": "deficit flag from a third-party extract, not NHS England's own file",
    "user": "deficit flag given by the user",
    "heuristic": "deficit flag estimated from plan and year-to-date variance (not published)",
    "none": "no deficit flag held for {period}: the financial override could not be applied",
}


def _flag_source(evidence: str | None) -> str:
    if evidence == "user":
        return "user"
    return "third-party" if evidence and evidence.startswith("third-party") else "published"


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
        given = inputs.get(fo.flag_metric, r.org_code)
        if given is not None and given.value is not None:
            flag, r.override_source = given.value >= 1, _flag_source(given.evidence)
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
                                                 or (r.override_source in FLAG_HELD and not flag)):
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
