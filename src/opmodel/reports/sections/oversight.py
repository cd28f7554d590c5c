"""Oversight position: segment, rank, movement, distance to the next boundary, override, segment 5.

Built on the oversight area's public results (methodology §1.2–§1.6 and §2). The position headlines NHS
England's published result where one is held, with its publication, and puts opmodel's reconstruction beside
it with the reasons for any difference (issue 20); where nothing is published the computed result is the
headline, labelled provisional. Framework and programme words (segment 5's programme, whether ICBs are
segmented) come from the operating model and the policy in force, never fixed text. One quarter's run and
the previous quarter's are computed once per :class:`OversightContext` and shared by every
organisation of a batch, with the league tables' likely ranges (our resampling reconstruction,
docs/decisions.md "Oversight uncertainty"): each trust's likely rank and its chance of staying in
its segment, so a board does not act on a rank that noise could move.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.oversight import (
    OrgResult,
    Policy,
    SegmentationRun,
    computed_headline,
    headline_movement,
    load_policy,
    parse_period,
    segment,
)
from opmodel.oversight.api import operating_model_link
from opmodel.oversight.computed import computed_inputs_from_run
from opmodel.oversight.explain import change_since, explain_result
from opmodel.oversight.uncertainty_run import TableRanges, ranges_for_inputs
from opmodel.reports.formatting import display_name
from opmodel.reports.model import OversightPosition, PeerScore
from opmodel.store import Store
from opmodel.structure import list_organisations

__all__ = ["OversightContext", "oversight_context", "oversight_position", "peer_scores"]


@dataclass
class OversightContext:
    """One quarter's segmentation (and the previous quarter's), shared by all reports of a batch."""

    period: str
    period_end: dt.date
    policy: Policy | None
    run: SegmentationRun | None
    previous: SegmentationRun | None
    note: str | None = None
    ranges: TableRanges | None = None


def oversight_context(store: Store, period: str) -> OversightContext:
    """Segment the quarter and the one before it (not saved); a quarter with no inputs gives a note."""
    per = parse_period(period)
    try:
        run = segment(store, per.label, save=False, link=False)
    except OpmodelError as exc:
        return OversightContext(per.label, per.end, None, None, None, note=str(exc).splitlines()[0])
    try:
        previous: SegmentationRun | None = segment(store, per.previous().label, save=False, link=False)
    except OpmodelError:
        previous = None
    policy = load_policy(run.framework)
    try:
        ranges: TableRanges | None = ranges_for_inputs(
            computed_inputs_from_run(run, financial_cap=policy.financial_override.cap))
    except (OpmodelError, ValueError):
        ranges = None
    return OversightContext(per.label, per.end, policy, run, previous, ranges=ranges)


def _result_source(r: OrgResult) -> str:
    """The headline's source in a few words: published by NHS England, or computed (provisional)."""
    h = r.headline or computed_headline(r)
    return "published" if h.source == "published" else f"computed, {r.result_source}"


def _headline_label(r: OrgResult) -> str:
    h = r.headline or computed_headline(r)
    if h.source == "published":
        return f"{h.label}; {h.publication or 'publication not recorded'}"
    return "computed by opmodel from metric values: provisional (NHS England has published no result for it)"


def _reconstruction(r: OrgResult) -> str | None:
    """opmodel's computed result beside a published headline, with the agreement and its reasons."""
    h = r.headline or computed_headline(r)
    a = h.agreement
    if h.source != "published" or a.status == "not_computed":
        return None
    rank = f", rank {a.computed_rank} of {a.computed_rank_of}" if a.computed_rank else ""
    avg = "–" if a.computed_average is None else f"{a.computed_average:.2f}"
    what = (f"opmodel's reconstruction from metric values ({a.result_source}): segment "
            f"{a.computed_segment or '–'}, average {avg}{rank}")
    if a.status == "equal":
        return f"{what}; it agrees with NHS England's result."
    why = "; ".join(x.text for x in a.reasons) or "reason not identified"
    return f"{what}; it differs in {', '.join(a.differs_in)}: {why}."


def _segment5_text(store: Store, on: dt.date, in_segment5: bool) -> str:
    """Segment 5 in the operating model's words (the PIP under NOF 2025/26, the RSP before it)."""
    try:
        from opmodel.accountability import resolve_model, segment_support

        step = segment_support(resolve_model(store, on), 5)
        name = step.meaning or (step.programme or "segment 5")
    except (ImportError, OpmodelError):
        name = "segment 5"
    return f"Yes: {name}" if in_segment5 else f"No ({name})"


def _likely_range(ctx: OversightContext, org: str) -> tuple[list[int] | None, str | None]:
    """The trust's likely rank range and its sentence ("likely rank 3 to 25 of 134; 62% chance …")."""
    if ctx.ranges is None:
        return None, None
    for table in ctx.ranges.tables.values():
        found = table.by_org().get(org)
        if found is not None:
            lo, hi = found.likely_range_rank
            return [int(lo), int(hi)], found.sentence()
    return None, None


def _boundary_text(ex: dict[str, Any], r: OrgResult, cap: int) -> str:
    seg = r.adjusted_segment
    if seg is None:
        return "not segmented this quarter"
    if seg == 1:
        return "already in segment 1, the best segment"
    if r.financial_override and r.unadjusted_segment is not None and r.unadjusted_segment < seg:
        return (f"held in segment {seg} by the financial override: its scores alone reach segment "
                f"{r.unadjusted_segment}")
    target = next((b for b in ex["boundaries"] if b["segment"] == seg - 1), None)
    if target is None or target.get("text") is None:
        return f"no boundary to segment {seg - 1} is known for this quarter"
    text = str(target["text"])
    return text[0].upper() + text[1:]


def oversight_position(store: Store, org: str, level: str, ctx: OversightContext) -> OversightPosition:
    """The trust's oversight position, or for an ICB or region the segments of the trusts in it."""
    if ctx.run is None or ctx.policy is None:
        return OversightPosition(available=False, period=ctx.period,
                                 note=ctx.note or "no oversight results for this quarter in the store")
    if level != "trust":
        return _area_position(store, org, level, ctx)
    found = ctx.run.by_org().get(org)
    if found is None:
        return OversightPosition(available=False, period=ctx.period,
                                 note=f"{org} has no oversight result for {ctx.period} in the store")
    cap = ctx.policy.financial_override.cap
    ex = explain_result(ctx.policy, found, ctx.run.cutoffs)
    h = found.headline or computed_headline(found)
    before = ctx.previous.by_org().get(org) if ctx.previous else None
    change = change_since(ctx.policy, found, ctx.run.cutoffs, before,
                          ctx.previous.cutoffs if ctx.previous else None)
    mv = headline_movement(ctx.run, ctx.previous)[org]
    if mv.basis == "published":
        movement = (f"published segment {mv.segment_before} in {ctx.previous.period if ctx.previous else '–'}, "
                    f"published segment {mv.segment_after} now (NHS England)")
    elif mv.basis == "computed" and mv.kind != "not_comparable":
        movement = (f"computed segment {mv.segment_before} in {change.get('previous_period')}, computed segment "
                    f"{mv.segment_after} now (provisional; same cut-off rule in both quarters"
                    + (f"; {mv.note}" if mv.note else "") + f"): {change['reason']}")
    elif mv.kind == "not_comparable":
        movement = f"not compared: {mv.note}"
    else:
        movement = "no result of the same kind for the previous quarter in the store"
    likely_rank, likely_text = _likely_range(ctx, org)
    link = operating_model_link(store, org, found.final_segment, ctx.period_end)
    support = link.get("support", {}) if link.get("available") else {}
    override = ("the financial override caps it at segment "
                f"{cap}" if ex["deficit_cap_applied"] else
                "flagged in deficit, but the override changes nothing" if found.financial_override else
                "does not apply (no deficit or deficit support flagged)")
    published = h.source == "published"
    return OversightPosition(
        available=h.segment is not None, period=ctx.period, segment=h.final_segment,
        adjusted_segment=h.segment, unadjusted_segment=found.unadjusted_segment,
        average_score=h.average, rank=h.rank, rank_of=h.rank_of, peer_group=found.peer_group,
        result_source=_result_source(found), likely_range_rank=likely_rank,
        likely_range_note=("likely range of the reconstruction: " if published else "")
        + (likely_text or "no likely range: too few metric scores to resample"), movement=movement,
        previous_segment=mv.segment_before,
        boundary=("reconstruction: " if published else "") + _boundary_text(ex, found, cap),
        financial_override=found.financial_override,
        override_text=override, segment5=h.final_segment == 5, summary=ex["summary"],
        headline_source=h.source, headline_label=_headline_label(found), reconstruction=_reconstruction(found),
        segment5_text=_segment5_text(store, ctx.period_end, h.final_segment == 5),
        support=None if not support else f"{support.get('support')} (delivered by "
                                         f"{support.get('delivered_by_name') or support.get('delivered_by_tier')})",
        note=None if h.segment is not None else ex["summary"])


def _area_position(store: Store, org: str, level: str, ctx: OversightContext) -> OversightPosition:
    assert ctx.run is not None
    scope = {"region": org} if level == "region" else {"icb": org}
    members = {t["code"]: t["name"] for t in list_organisations(store, kind="trust", on=ctx.period_end, **scope)}
    rows = [r for r in ctx.run.results if r.org_code in members]
    heads = {r.org_code: r.headline or computed_headline(r) for r in rows}
    mix = Counter(str(h.final_segment) for h in heads.values() if h.final_segment is not None)
    trusts = [{"code": r.org_code, "name": display_name(r.org_name), "segment": heads[r.org_code].final_segment,
               "rank": heads[r.org_code].rank, "rank_of": heads[r.org_code].rank_of, "peer_group": r.peer_group,
               "source": _result_source(r), "computed_segment": r.final_segment}
              for r in sorted(rows, key=lambda r: (heads[r.org_code].final_segment or 9, r.peer_group,
                                                   heads[r.org_code].rank or 0))]
    words = ", ".join(f"{mix[k]} in segment {k}" for k in sorted(mix)) or "none segmented"
    published = sum(h.source == "published" for h in heads.values())
    note = (f"{_not_segmented(ctx, level)} Of the {len(members)} trusts in it on {ctx.period_end.isoformat()}, "
            f"{len(rows)} have a result: {words} ({published} published by NHS England, "
            f"{len(rows) - published} computed by opmodel, provisional).")
    return OversightPosition(available=bool(rows), period=ctx.period, note=note, segment_mix=dict(sorted(mix.items())),
                             trust_segments=trusts)


def _not_segmented(ctx: OversightContext, level: str) -> str:
    """Why an ICB or a region has no segment of its own, in the words of the framework in force."""
    assert ctx.policy is not None
    framework = ctx.policy.title or ctx.policy.framework
    icb_why = ctx.policy.not_segmented("icb") if "icb" in ctx.policy.peer_groups else "not segmented"
    if level == "icb":
        if icb_why is None:
            return f"Under {framework}, ICBs are segmented; this board pack shows the segments of its trusts."
        return f"Under {framework}, ICBs are {icb_why}; the segments of its trusts are shown."
    return (f"Under {framework}, NHS England regions are not segmented (the framework segments trusts"
            + (" and ICBs" if icb_why is None else "") + "); the segments of the region's trusts are shown.")


def _quartiles(values: list[float]) -> tuple[float | None, float | None, float | None]:
    if not values:
        return None, None, None
    import numpy as np

    q1, med, q3 = (float(x) for x in np.percentile(values, [25, 50, 75]))
    return q1, med, q3


def peer_scores(org: str, ctx: OversightContext) -> tuple[list[PeerScore], str | None]:
    """Each metric's value and score against its peer group's quartiles (methodology §1.3), or why not."""
    if ctx.run is None or ctx.policy is None:
        return [], ctx.note
    mine = ctx.run.by_org().get(org)
    if mine is None:
        return [], None
    peers = [r for r in ctx.run.results if r.peer_group == mine.peer_group]
    out = []
    for mid, s in mine.scores.items():
        if s.score is None and s.value is None:
            continue
        values = [float(v) for r in peers if (p := r.scores.get(mid)) is not None and (v := p.value) is not None]
        q1, med, q3 = _quartiles(values)
        out.append(PeerScore(metric=mid, name=ctx.policy.metrics[mid].name, value=s.value,
                             score=None if s.score is None else round(s.score, 2), peer_q1=q1, peer_median=med,
                             peer_q3=q3, peers=len(values)))
    note = None if out else ("The metric values and scores behind this result are not in the store (only the "
                             "published average and segment were loaded), so they cannot be shown against peers.")
    return out, note
