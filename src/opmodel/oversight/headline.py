"""The headline result: NHS England's published result first, the reconstruction beside it (issue 20 item 1).

A board, an ICB or a region acts on the segment NHS England publishes; opmodel's computed result explains it.
So every surface headlines, for an organisation and quarter, the **published** result where one is held
(the NOF dashboard's OF5000 adjusted segment, OF5002 average and league rank, or the same figures through a
third-party extract), labelled "published by NHS England" with its publication; and the **computed** result
otherwise (a quarter not yet published, a nowcast, a what-if, values a user loaded), labelled provisional.
Beside it, :class:`Agreement` says whether the reconstruction agrees and, if not, why: metrics missing, an
incomplete pool, a boundary, the override's source (methodology §1.3–§1.5, §2).

Movement between quarters compares like with like (item 2): two published segments, or two computed
segments whose cut-offs follow the same rule (:func:`cutoff_rule`); never one of each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from opmodel.oversight.scoring import segment_for

if TYPE_CHECKING:
    from opmodel.oversight.inputs import PeriodInputs
    from opmodel.oversight.policy import Policy
    from opmodel.oversight.results import OrgResult, SegmentationRun
    from opmodel.store import Store

__all__ = [
    "PUBLICATIONS",
    "Agreement",
    "Headline",
    "Movement",
    "Reason",
    "attach_headlines",
    "computed_headline",
    "cutoff_rule",
    "headline_movement",
    "headline_results",
]

#: The publications a published result can come from, as a reader names them.
PUBLICATIONS = {
    "nof_dashboard": "NHS Oversight Framework dashboard CSV (NHS England)",
    "nof_q3_thirdparty_extract": "NHS England's published Q3 2025/26 results, via a third-party extract",
}

AgreementStatus = Literal["equal", "different", "not_published", "not_computed"]
ReasonKind = Literal["metrics_missing", "pool", "boundary", "override_source", "scores", "rank"]


@dataclass(frozen=True, slots=True)
class Reason:
    """One cause of a difference between the computed and the published result."""

    kind: ReasonKind
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True, slots=True)
class Agreement:
    """Does opmodel's reconstruction agree with the headline? ``equal`` when segment, rank and 2-dp average
    all agree; ``different`` (``differs_in`` and ``reasons`` say how and why); ``not_published`` (the
    computed result is the headline); ``not_computed`` (no metric values held: nothing to compare)."""

    status: AgreementStatus
    computed_segment: int | None = None
    computed_rank: int | None = None
    computed_rank_of: int | None = None
    computed_average: float | None = None
    result_source: str | None = None  # computed / provisional / published (the computed result's label)
    differs_in: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()

    @property
    def text(self) -> str:
        """One line: "equal", or "different (segment, average): metrics missing: ...; boundary: ..."."""
        if self.status != "different":
            return self.status.replace("_", " ")
        why = "; ".join(r.text for r in self.reasons) or "reason not identified"
        return f"different ({', '.join(self.differs_in)}): {why}"

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "computed_segment": self.computed_segment,
                "computed_rank": self.computed_rank, "computed_rank_of": self.computed_rank_of,
                "computed_average": self.computed_average, "result_source": self.result_source,
                "differs_in": list(self.differs_in), "reasons": [r.as_dict() for r in self.reasons],
                "text": self.text}


@dataclass(frozen=True, slots=True)
class Headline:
    """The result to quote for one organisation and quarter, and where it comes from."""

    org_code: str
    org_name: str
    peer_group: str
    period: str
    source: Literal["published", "computed"]
    segment: int | None  # the adjusted segment 1–4 (OF5000 where published): what league tables rank by
    final_segment: int | None  # 5 where the trust is shown in the RSP/PIP, else ``segment``
    rank: int | None
    rank_of: int | None
    average: float | None
    label: str  # "published by NHS England" or "computed by opmodel (provisional)"
    publication: str | None = None  # where the published figures were read from
    evidence: str | None = None  # "third-party" when they came through a secondary extract
    agreement: Agreement = field(default_factory=lambda: Agreement("not_published"))

    @property
    def provisional(self) -> bool:
        return self.source == "computed"

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "segment": self.segment, "final_segment": self.final_segment,
                "rank": self.rank, "rank_of": self.rank_of, "average": self.average, "label": self.label,
                "publication": self.publication, "evidence": self.evidence, "provisional": self.provisional}


COMPUTED_LABEL = "computed by opmodel from metric values (provisional: NHS England has published no result)"


def computed_headline(r: OrgResult) -> Headline:
    """The computed result as the headline (nothing published held), labelled provisional."""
    status: AgreementStatus = "not_computed" if r.published_result else "not_published"
    return Headline(r.org_code, r.org_name, r.peer_group, r.period, "computed", r.adjusted_segment,
                    r.final_segment, r.rank, r.rank_of, r.average_score, COMPUTED_LABEL,
                    agreement=Agreement(status, r.adjusted_segment, r.rank, r.rank_of, r.average_score,
                                        r.result_source))


def _publication(inputs: PeriodInputs, metric: str, org: str) -> tuple[str | None, str | None]:
    given = inputs.get(metric, org)
    if given is None or not given.publication:
        return None, None
    pub_id, _, file_name = given.publication.partition(":")
    label = PUBLICATIONS.get(pub_id, pub_id.replace("_", " "))
    evidence = "third-party" if (given.evidence or "").startswith("third-party") else None
    return (f"{label}: {file_name}" if file_name else label), evidence


def _not_held(policy: Policy, r: OrgResult, inputs: PeriodInputs, held: dict[str, set[str]]) -> list[str]:
    """Metrics in the trust's average under NHS England's rules that opmodel could not score for it."""
    missing = [m for m in r.metrics_expected if m not in r.metrics_used]
    published_scores = {m for m in missing if inputs.value(m, r.org_code) not in (None, policy.excluded_score)}
    if any(inputs.value(m, r.org_code) is not None for m in r.metrics_expected):
        return sorted(published_scores)  # NHS England's own scores tell which ones it counted
    # No published metric score held (a league table or an extract): a metric none of the peer group holds
    # was certainly counted by NHS England for most of them.
    return [m for m in missing if m not in held.get(r.peer_group, set())]


def _reasons(policy: Policy, r: OrgResult, run: SegmentationRun, inputs: PeriodInputs, seg: int | None,
             avg: float | None, differs: list[str], held: dict[str, set[str]]) -> list[Reason]:
    out: list[Reason] = []
    cap = policy.financial_override.cap
    if "average" in differs or "segment" in differs:
        not_held = _not_held(policy, r, inputs, held)
        if not_held:
            out.append(Reason("metrics_missing", f"metrics NHS England scored that opmodel holds no value for: "
                                                 f"{', '.join(not_held)}"))
        partial = sorted(m for m in r.metrics_used if r.scores[m].provisional)
        if partial:
            out.append(Reason("pool", "ranked within the part of their scoring population held: "
                                      + ", ".join(partial)))
        published = sorted(m for m in r.metrics_used if r.scores[m].source == "published")
        if published:
            out.append(Reason("scores", "published metric scores used: " + ", ".join(published)))
    if "segment" in differs and seg is not None:
        pool = run.cutoffs.pool
        if run.cutoffs.source == "computed_partial_pool":
            out.append(Reason("pool", f"cut-offs from an incomplete pool ({pool.get('computed', 0)} computed, "
                                      f"{pool.get('published', 0)} published, {pool.get('missing', 0)} missing)"))
        cut = run.cutoffs.values
        if cut is not None and avg is not None:
            on_published = segment_for(avg, cut)
            if r.financial_override:
                on_published = max(on_published, cap)
            if on_published != seg:
                out.append(Reason("boundary", f"the published average {avg:.2f} falls in segment {on_published} "
                                              f"under these cut-offs {[round(c, 3) for c in cut]}"))
        # The override explains a difference only where the flag is not held (and the published segment sits at
        # the cap) or where NHS England's cap and the computed one disagree (§1.5).
        published_capped = _published_override(policy, r, inputs)
        computed_capped = r.unadjusted_segment is not None and r.adjusted_segment != r.unadjusted_segment
        unknown_flag = r.override_source in ("none", "heuristic") and seg == cap
        if unknown_flag or (published_capped is not None and published_capped != computed_capped):
            from opmodel.oversight.engine import OVERRIDE_SOURCES

            nhse = "" if published_capped is None or published_capped == computed_capped else (
                f"; NHS England {'applied' if published_capped else 'did not apply'} the cap")
            out.append(Reason("override_source", f"financial override: {OVERRIDE_SOURCES[r.override_source]}{nhse}"))
    if differs == ["rank"]:
        out.append(Reason("rank", "same segment and average: other trusts in the peer group scored differently"))
    return out


def _published_override(policy: Policy, r: OrgResult, inputs: PeriodInputs) -> bool | None:
    """Did NHS England's cap apply (published adjusted segment worse than the unadjusted one)? None: not known."""
    adjusted = inputs.value(policy.published.adjusted, r.org_code)
    unadjusted = inputs.value(policy.published.unadjusted, r.org_code)
    if adjusted is None or unadjusted is None:
        return None
    return int(adjusted) > int(unadjusted)


def _headline(policy: Policy, r: OrgResult, run: SegmentationRun, inputs: PeriodInputs,
              held: dict[str, set[str]]) -> Headline:
    pub = policy.published
    seg_value = inputs.value(pub.adjusted, r.org_code)
    if seg_value is None:
        return computed_headline(r)
    seg = int(seg_value)
    given = inputs.get(pub.adjusted, r.org_code)
    rank = None if given is None or given.rank is None else int(given.rank)
    size = policy.peer_groups[r.peer_group].size if r.peer_group in policy.peer_groups else None
    avg = inputs.value(pub.average, r.org_code)
    s5 = policy.segment5
    in_pip = inputs.value(s5.flag_metric, r.org_code) if s5.enabled else None
    final_pub = inputs.value(s5.final_metric, r.org_code) if s5.enabled and s5.final_metric else None
    final = 5 if (in_pip is not None and in_pip >= 1) or final_pub == 5 else seg
    publication, evidence = _publication(inputs, pub.adjusted, r.org_code)
    label = "published by NHS England" + (" (via a third-party extract)" if evidence else "")
    if r.published_result:
        agreement = Agreement("not_computed", result_source=r.result_source)
    else:
        differs = []
        if r.adjusted_segment != seg:
            differs.append("segment")
        if avg is not None and (r.average_score is None or abs(r.average_score - avg) >= 0.005):
            differs.append("average")
        if rank is not None and r.rank != rank:
            differs.append("rank")
        reasons = _reasons(policy, r, run, inputs, seg, avg, differs, held) if differs else []
        agreement = Agreement("different" if differs else "equal", r.adjusted_segment, r.rank, r.rank_of,
                              r.average_score, r.result_source, tuple(differs), tuple(reasons))
    return Headline(r.org_code, r.org_name, r.peer_group, r.period, "published", seg, final, rank,
                    max(size or 0, rank or 0) or None, avg, label, publication, evidence, agreement)


def attach_headlines(run: SegmentationRun, inputs: PeriodInputs, policy: Policy) -> None:
    """Set ``OrgResult.headline`` on every result of ``run`` from the published figures in ``inputs``.

    Reads OF5000/OF5002/OF5003/OF5005/OF5007 and the published league rank only to *show* them: nothing here
    feeds back into the computed result.
    """
    held: dict[str, set[str]] = {}  # peer group -> metrics any of its trusts is scored on
    for x in run.results:
        held.setdefault(x.peer_group, set()).update(x.metrics_used)
    for r in run.results:
        r.headline = _headline(policy, r, run, inputs, held)


def headline_results(store: Store, period: str, framework: str | None = None,
                     peer_group: str | None = None) -> dict[str, Headline]:
    """Organisation code -> its headline result for ``period`` (published where held, else computed).

    The one call other areas make (register suggestions and forms, quality, maps, board packs): it runs
    the quarter's segmentation on the computed path (not saved) and attaches the published results.
    """
    from opmodel.oversight.api import segment

    run = segment(store, period, framework=framework, peer_group=peer_group, save=False, link=False)
    return {r.org_code: r.headline or computed_headline(r) for r in run.results}


def cutoff_rule(run: SegmentationRun) -> str:
    """The rule behind a run's cut-offs, in words, so two quarters' computed segments can be compared.

    Two runs follow the same rule when their cut-off source and the peer groups whose *computed* averages
    fill the pool are the same ("quartiles of the pool held: acute, mental_health_community").
    """
    cut = run.cutoffs
    if cut.source in ("policy", "thresholds", "none"):
        return f"{cut.source} cut-offs"
    groups = sorted({r.peer_group for r in run.results if r.status == "segmented" and not r.published_result
                     and r.average_source == "computed"})
    what = "quartiles of every trust's average" if cut.source == "computed" else "quartiles of the pool held"
    return f"{what}: {', '.join(groups) or 'none'}"


@dataclass(frozen=True, slots=True)
class Movement:
    """How a trust's segment moved since the previous quarter, and on what basis (like with like)."""

    kind: Literal["improved", "worsened", "unchanged", "new", "not_comparable", "none"]
    basis: Literal["published", "computed", ""]
    segment_before: int | None = None
    segment_after: int | None = None
    note: str = ""


def _kind(now: int, before: int) -> Literal["improved", "worsened", "unchanged"]:
    return "improved" if now < before else "worsened" if now > before else "unchanged"


def headline_movement(now: SegmentationRun, before: SegmentationRun | None) -> dict[str, Movement]:
    """Per trust, the move of its adjusted segment (1–4) since the previous quarter (item 2).

    Published in both quarters: NHS England's two segments. Otherwise the two computed segments, only when
    both quarters' cut-offs follow the same rule (:func:`cutoff_rule`), else ``not_comparable``; where either
    quarter holds no deficit flag for the trust, its segments before the override (§1.5). Segment 5 is
    left out: NHS England publishes it in some quarters only, so it would compare unlike with unlike.
    """
    prev = before.by_org() if before is not None else {}
    same_rule = before is not None and cutoff_rule(now) == cutoff_rule(before)
    out: dict[str, Movement] = {}
    for r in now.results:
        h = r.headline or computed_headline(r)
        b = prev.get(r.org_code)
        if h.segment is None:
            out[r.org_code] = Movement("none", "")
            continue
        if b is None:
            out[r.org_code] = Movement("new", "")
            continue
        hb = b.headline or computed_headline(b)
        if h.source == hb.source == "published" and hb.segment is not None:
            out[r.org_code] = Movement(_kind(h.segment, hb.segment), "published", hb.segment, h.segment)
        elif (not r.published_result and not b.published_result and r.adjusted_segment is not None
              and b.adjusted_segment is not None):
            # A quarter with no deficit flag held has no override: compare before the override in both.
            no_flag = [x.period for x in (b, r) if x.override_source == "none"]
            s0, s1 = ((b.unadjusted_segment, r.unadjusted_segment) if no_flag
                      else (b.adjusted_segment, r.adjusted_segment))
            note = (f"before the financial override (no deficit flag held for {' or '.join(no_flag)})"
                    if no_flag else "")
            if same_rule and s0 is not None and s1 is not None:
                out[r.org_code] = Movement(_kind(s1, s0), "computed", s0, s1, note)
            else:
                assert before is not None
                out[r.org_code] = Movement("not_comparable", "computed", b.adjusted_segment, r.adjusted_segment,
                                           f"cut-offs follow different rules ({before.period}: "
                                           f"{cutoff_rule(before)}; {now.period}: {cutoff_rule(now)})")
        else:
            out[r.org_code] = Movement("new", "", note="no result of the same kind last quarter")
    return out
