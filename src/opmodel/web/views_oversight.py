"""View models for oversight: league tables, segment mix and movement, and an organisation's result.

Built on :mod:`opmodel.oversight`'s public API (``segment`` without saving, ``league``,
``explain``), following the NHS Oversight Framework as that area implements it
(oversight-methodology.md §1–§2). Runs are recomputed from the store's inputs and
memoised per store version by the caller (``memo``), so pages and API share them.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from opmodel import csvsafe
from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.oversight import (
    SegmentationRun,
    computed_headline,
    cutoff_rule,
    explain,
    headline_movement,
    league,
    parse_period,
    segment,
)
from opmodel.store import Store
from opmodel.structure import list_organisations
from opmodel.variation.peers import median_and_quartiles
from opmodel.web.pagination import Page
from opmodel.web.views_structure import PEER_GROUP_LABELS, org_href
from opmodel.web.views_uncertainty import (  # issue 12
    RANGE_CSV_COLUMNS,
    LeagueUncertaintyView,
    ProfileUncertainty,
    RangeFields,
    attach_ranges,
    profile_uncertainty,
)

__all__ = [
    "PERIOD_PATTERN",
    "SORTS",
    "LeaguePage",
    "LeagueRow",
    "LeagueView",
    "Memo",
    "MetricStat",
    "OrgOversight",
    "SegmentSummary",
    "SortKey",
    "headline_sources",
    "league_csv",
    "league_view",
    "no_memo",
    "org_oversight",
    "periods_available",
    "run_for",
    "segment_summary",
]

T = TypeVar("T")
Memo = Callable[[Any, Callable[[], T]], T]

#: League-table sort keys the pages and API accept.
SortKey = Literal["rank", "average", "segment", "name", "region", "movement"]
SORTS: tuple[str, ...] = ("rank", "average", "segment", "name", "region", "movement")
#: Quarter labels as the API accepts them (``2025-26-Q3``).
PERIOD_PATTERN = r"^\d{4}-\d{2}-Q[1-4]$"
FIRST_YEAR = 2025  # NOF 2025/26 is the first framework with an automated segmentation


def no_memo(_key: Any, compute: Callable[[], T]) -> T:
    return compute()


def _candidates(today: dt.date) -> list[str]:
    last = today.year if today.month >= 4 else today.year - 1
    return [f"{y}-{(y + 1) % 100:02d}-Q{q}" for y in range(FIRST_YEAR, last + 2) for q in (1, 2, 3, 4)]


def run_for(store: Store, period: str, memo: Memo[Any] = no_memo) -> SegmentationRun | None:
    """The segmentation of ``period`` from the store's inputs, or None when it has none."""

    def compute() -> SegmentationRun | None:
        try:
            return segment(store, period, save=False)
        except OpmodelError:
            return None

    result: SegmentationRun | None = memo(("oversight-run", period), compute)
    return result


def headline_sources(store: Store, period: str, memo: Memo[Any] = no_memo) -> dict[str, str]:
    """Organisation -> where its headline segment for ``period`` comes from, in words (issue 20)."""
    run = run_for(store, period, memo)
    if run is None:
        return {}
    return {r.org_code: ("published by NHS England" if (r.headline or computed_headline(r)).source == "published"
                         else "computed, provisional") for r in run.results}


def periods_available(store: Store, memo: Memo[Any] = no_memo, today: dt.date | None = None) -> list[str]:
    """Quarters with oversight inputs in the store, oldest first."""
    day = today or dt.date.today()

    def compute() -> list[str]:
        return [p for p in _candidates(day) if run_for(store, p, memo) is not None]

    found: list[str] = memo(("oversight-periods", day), compute)
    return found


def _peer_label(group: str | None) -> str:
    return PEER_GROUP_LABELS.get(group or "", (group or "Unknown").replace("_", " ").capitalize())


class LeagueRow(RangeFields):  # issue 12: likely ranges (RangeFields is a BaseModel)
    rank: int | None
    rank_of: int | None
    org_code: str
    org_name: str
    href: str
    peer_group: str
    peer_group_label: str
    region: str | None
    region_name: str | None
    status: str
    average_score: float | None
    metric_count: int
    unadjusted_segment: int | None
    financial_override: bool
    adjusted_segment: int | None
    final_segment: int | None
    previous_segment: int | None = Field(description="Segment in the previous quarter on the movement's basis.")
    movement: Literal["improved", "worsened", "unchanged", "new", "not_comparable", "none"]
    movement_basis: str = Field("", description="published (NHS England's segments in both quarters), computed "
                                                "(opmodel's in both, same cut-off rule) or empty (issue 20 item 2).")
    # The headline (issue 20): NHS England's published result where held, else the computed one (provisional).
    headline_source: Literal["published", "computed"] = "computed"
    headline_label: str = ""
    headline_segment: int | None = None
    headline_final_segment: int | None = None
    headline_rank: int | None = None
    headline_rank_of: int | None = None
    headline_average: float | None = None
    publication: str | None = Field(None, description="Where the published result was read from.")
    agreement: str = Field("not_published", description="equal, different, not_published or not_computed.")
    agreement_text: str = Field("", description="The agreement in words, with the reasons for a difference.")
    result_source: str = Field("computed", description="computed, provisional or published (issue 11).")
    metrics_used: int = 0
    metrics_expected: int = 0
    published_average: float | None = Field(None, description="NHS England's published average (comparison).")
    published_segment: int | None = Field(None, description="NHS England's published adjusted segment.")
    published_rank: int | None = Field(None, description="NHS England's published league rank (comparison).")


class LeaguePage(Page[LeagueRow]):
    """One page of a league table, with the quarter's coverage (issue 11 item 7, issue 16 item 15)."""

    period: str = ""
    coverage: str = Field("", description="Computed/provisional/published counts, metrics held and the trusts "
                                          "with no result, per peer group.")
    result_sources: dict[str, int] = Field(default_factory=dict, description="Rows in the whole list that are "
                                                                             "computed, provisional or published.")


class LeagueView(BaseModel):
    framework: str
    period: str
    periods: list[str]
    previous_period: str | None
    peer_group: str | None
    peer_groups: dict[str, str] = Field(description="Peer groups present: id -> label.")
    region: str | None
    regions: dict[str, str] = Field(description="Regions present: code -> name.")
    sort: str
    order: Literal["asc", "desc"]
    cutoffs_source: str
    rows: list[LeagueRow]
    warnings: list[str]
    uncertainty: LeagueUncertaintyView | None = None  # issue 12: ranges, rankability, caterpillar chart
    coverage: str = Field("", description="Computed/provisional/published counts and missing trusts per peer group.")
    new_reason: str = Field("", description="Why rows say New (no result for the previous quarter).")


def _latest(store: Store, memo: Memo[Any]) -> str:
    periods = periods_available(store, memo)
    if not periods:
        raise OpmodelError("No oversight results: the store holds no NHS Oversight Framework inputs. Load the NOF "
                           "dashboard CSV with `opmodel metrics load FILE`.")
    return periods[-1]


def _label(store: Store, period: str, memo: Memo[Any]) -> str:
    try:
        return parse_period(period).label
    except OpmodelError:
        raise UnknownCodeError("oversight period", period, periods_available(store, memo)) from None


def league_view(store: Store, period: str | None = None, peer_group: str | None = None, region: str | None = None,
                sort: str = "rank", order: Literal["asc", "desc"] = "asc",
                memo: Memo[Any] = no_memo) -> LeagueView:
    """The league table of a quarter (default the latest), filtered and sorted, with movement."""

    def compute() -> LeagueView:
        return _league_view(store, period, peer_group, region, sort, order, memo)

    found: LeagueView = memo(("league-view", period, peer_group, region, sort, order), compute)
    return found


def _league_view(store: Store, period: str | None, peer_group: str | None, region: str | None, sort: str,
                 order: Literal["asc", "desc"], memo: Memo[Any]) -> LeagueView:
    label = _label(store, period, memo) if period else _latest(store, memo)
    run = run_for(store, label, memo)
    if run is None:
        raise UnknownCodeError("oversight period", label, periods_available(store, memo))
    prev_label = parse_period(label).previous().label
    prev = run_for(store, prev_label, memo)
    moves = headline_movement(run, prev)  # like with like (issue 20 item 2)
    groups = {g: _peer_label(g) for g in sorted({r.peer_group for r in run.results})}
    if peer_group is not None and peer_group not in groups:
        raise UnknownCodeError("peer group", peer_group, list(groups))
    end = parse_period(label).end
    placed = {t["code"]: t["region"] for t in list_organisations(store, kind="trust", on=end)}
    region_names = {r["code"]: r["name"] for r in list_organisations(store, kind="region", on=end)}
    rows = []
    for r in league(run, peer_group):
        mv = moves[r.org_code]
        h = r.headline or computed_headline(r)
        reg = placed.get(r.org_code)
        rows.append(LeagueRow(
            rank=r.rank, rank_of=r.rank_of, org_code=r.org_code, org_name=r.org_name,
            href=org_href("trust", r.org_code), peer_group=r.peer_group, peer_group_label=_peer_label(r.peer_group),
            region=reg, region_name=region_names.get(reg or ""), status=r.status, average_score=r.average_score,
            metric_count=r.metric_count, unadjusted_segment=r.unadjusted_segment,
            financial_override=r.financial_override, adjusted_segment=r.adjusted_segment,
            final_segment=r.final_segment, previous_segment=mv.segment_before, movement=mv.kind,
            movement_basis=mv.basis, headline_source=h.source, headline_label=h.label, headline_segment=h.segment,
            headline_final_segment=h.final_segment, headline_rank=h.rank, headline_rank_of=h.rank_of,
            headline_average=h.average, publication=h.publication, agreement=h.agreement.status,
            agreement_text=h.agreement.text, result_source=r.result_source, metrics_used=len(r.metrics_used),
            metrics_expected=len(r.metrics_expected),
            published_average=r.published.get("average"),
            published_segment=None if r.published.get("adjusted") is None else int(r.published["adjusted"] or 0),
            published_rank=None if (pr := r.published.get("rank")) is None else int(pr)))
    regions = {c: region_names.get(c, c) for c in sorted({r.region for r in rows if r.region})}
    if region is not None:
        if region.upper() not in regions:
            raise UnknownCodeError("region with oversight results", region, list(regions))
        rows = [r for r in rows if r.region == region.upper()]
    if sort not in SORTS:
        raise UnknownCodeError("sort key", sort, list(SORTS))
    rows = sorted(rows, key=_sort_key(sort), reverse=order == "desc")
    title = f"League table, {label}" + (f", {groups[peer_group]}" if peer_group else "")
    uncertainty = attach_ranges(run, rows, title, memo, store=store)  # issue 12
    return LeagueView(framework=run.framework, period=label, periods=periods_available(store, memo),
                      previous_period=prev_label if prev else None, peer_group=peer_group, peer_groups=groups,
                      region=region.upper() if region else None, regions=regions, sort=sort, order=order,
                      cutoffs_source=run.cutoffs.source, rows=rows, warnings=list(run.warnings),
                      coverage=run.coverage_text(),
                      new_reason=("" if not any(r.movement == "new" for r in rows) else
                                  f"New: no result for {prev_label} in the store" + (
                                      "" if prev else f" (the store holds no {run.framework} inputs for that quarter)")
                                  ),
                      uncertainty=uncertainty)  # issue 12


def _sort_key(sort: str) -> Callable[[LeagueRow], tuple[Any, ...]]:
    big = 10**9
    order = {"improved": 0, "unchanged": 1, "new": 2, "worsened": 3, "none": 4}
    order["not_comparable"] = 3
    # Sorted by the headline (published where held), as shown (issue 20).
    keys: dict[str, Callable[[LeagueRow], tuple[Any, ...]]] = {
        "rank": lambda r: (r.peer_group, r.headline_rank if r.headline_rank is not None else big, r.org_code),
        "average": lambda r: (r.headline_average if r.headline_average is not None else big, r.org_code),
        "segment": lambda r: (r.headline_final_segment or big, r.headline_average or big, r.org_code),
        "name": lambda r: (r.org_name.lower(),),
        "region": lambda r: (r.region_name or "~", r.peer_group, r.headline_rank or big),
        "movement": lambda r: (order[r.movement], r.peer_group, r.headline_rank or big),
    }
    return keys[sort]


CSV_COLUMNS = ("headline_source", "headline_segment", "headline_rank", "headline_rank_of", "headline_average",
               "org_code", "org_name", "peer_group", "region", "region_name",
               # the published result as the page shows it (issue 23 item 7), then the computed one beside it
               "published_segment", "published_rank", "published_average", "publication",
               "result_source", "status", "rank", "rank_of", "average_score", "metric_count", "unadjusted_segment",
               "financial_override", "adjusted_segment", "final_segment", "agreement", "agreement_text",
               "previous_segment", "movement", "movement_basis", *RANGE_CSV_COLUMNS)  # issue 12: ranges


def league_csv(view: LeagueView) -> str:
    """The league table as CSV, in the order shown."""
    buf = io.StringIO()
    w = csvsafe.dict_writer(buf, fieldnames=list(CSV_COLUMNS), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in view.rows:
        w.writerow(r.model_dump())
    return buf.getvalue()


class SegmentSummary(BaseModel):
    """How many organisations sit in each headline segment (published where held), by peer group and by
    region, and how they moved, like with like (issue 20 items 1–2)."""

    period: str
    previous_period: str | None
    structure_date: dt.date = Field(description="Trusts are placed in regions by the structure in force on this "
                                                "day: the quarter's last day, on every page (issue 16 item 14).")
    segments: list[int]
    by_peer_group: dict[str, dict[int, int]]
    by_region: dict[str, dict[int, int]]
    movement: dict[str, int]
    movement_by_basis: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="published: NHS England's segments in both quarters; computed: opmodel's "
                                          "in both, under the same cut-off rule (issue 20 item 2).")
    cutoff_rule: str = Field("", description="The rule behind the computed segments' cut-offs this quarter.")
    headline_sources: dict[str, int] = Field(default_factory=dict, description="Segments counted here that are "
                                                                               "published or computed (provisional).")
    result_sources: dict[str, int] = Field(default_factory=dict,
                                           description="Results counted here that are computed, provisional or "
                                                       "published (issue 11 item 7).")
    coverage: str = Field("", description="Computed/provisional/published counts, metrics held and the trusts "
                                          "with no result, per peer group.")


def segment_summary(store: Store, memo: Memo[Any] = no_memo) -> SegmentSummary | None:
    """The latest quarter's segment mix (None when the store has no oversight inputs)."""
    if not periods_available(store, memo):
        return None
    view = league_view(store, memo=memo)
    by_group: dict[str, Counter[int]] = {}
    by_region: dict[str, Counter[int]] = {}
    for r in view.rows:
        if r.headline_final_segment is None:
            continue
        by_group.setdefault(r.peer_group_label, Counter())[r.headline_final_segment] += 1
        by_region.setdefault(r.region_name or "Not placed in a region", Counter())[r.headline_final_segment] += 1
    segs = sorted({s for c in by_group.values() for s in c})
    by_basis: dict[str, Counter[str]] = {}
    for r in view.rows:
        if r.movement_basis:
            by_basis.setdefault(r.movement_basis, Counter())[r.movement] += 1
    run = run_for(store, view.period, memo)
    return SegmentSummary(period=view.period, previous_period=view.previous_period,
                          structure_date=parse_period(view.period).end, segments=segs,
                          by_peer_group={k: dict(v) for k, v in sorted(by_group.items())},
                          by_region={k: dict(v) for k, v in sorted(by_region.items())},
                          movement=dict(Counter(r.movement for r in view.rows)),
                          movement_by_basis={k: dict(v) for k, v in sorted(by_basis.items())},
                          cutoff_rule="" if run is None else cutoff_rule(run),
                          headline_sources=dict(sorted(Counter(r.headline_source for r in view.rows
                                                               if r.headline_final_segment is not None).items())),
                          result_sources=dict(sorted(Counter(r.result_source for r in view.rows
                                                             if r.final_segment is not None).items())),
                          coverage=view.coverage)


class MetricStat(BaseModel):
    """One metric of an organisation's result beside its peers' spread."""

    metric: str
    name: str
    domain: str
    value: float | None
    score: float | None
    source: str
    pull: float | None = Field(description="Average with this metric minus the average without it (+ = worse).")
    peer_median: float | None
    peer_q1: float | None
    peer_q3: float | None
    peers: int


class OrgOversight(BaseModel):
    period: str
    headline: dict[str, Any] = Field(default_factory=dict, description="The result to quote: NHS England's "
                                                                       "published one where held, else the computed "
                                                                       "one, provisional (issue 20).")
    agreement: dict[str, Any] = Field(default_factory=dict, description="The computed result's agreement with "
                                                                        "the headline, with the reasons.")
    movement: dict[str, Any] = Field(default_factory=dict, description="Movement since the previous quarter, "
                                                                       "like with like (issue 20 item 2).")
    result_source: str = Field("computed", description="computed, provisional or published (issue 11).")
    coverage: str = Field("", description="The quarter's coverage per peer group (see the league table).")
    explanation: dict[str, Any] = Field(description="opmodel.oversight.explain for the organisation.")
    metrics: list[MetricStat]
    uncertainty: ProfileUncertainty | None = None  # issue 12: likely rank and segment chance


def _explained(store: Store, code: str, label: str, memo: Memo[Any]) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        return explain(store, code, label)

    found: dict[str, Any] = memo(("oversight-explain", label, code), compute)
    return found


def org_oversight(store: Store, code: str, period: str | None = None,
                  memo: Memo[Any] = no_memo) -> OrgOversight | None:
    """The organisation's latest (or given) result, explained, with each metric against its peers; once per
    data version (its peer statistics and movement cost a profile more than its page did; issue 25)."""
    found: OrgOversight | None = memo(("org-oversight", code.upper(), period),
                                      lambda: _org_oversight(store, code, period, memo))
    return found


def _org_oversight(store: Store, code: str, period: str | None, memo: Memo[Any]) -> OrgOversight | None:
    periods = periods_available(store, memo)
    wanted = [_label(store, period, memo)] if period else list(reversed(periods))
    code = code.upper()
    for label in wanted:
        run = run_for(store, label, memo)
        mine = run.by_org().get(code) if run else None
        if run is None or mine is None:
            continue
        detail = _explained(store, code, label, memo)
        peers = [r for r in run.results if r.peer_group == mine.peer_group]
        stats = []
        for m in detail["metrics"]:
            values = [float(v) for r in peers if (s := r.scores.get(m["metric"])) is not None
                      and (v := s.value) is not None]
            med, q1, q3 = median_and_quartiles(values)
            stats.append(MetricStat(metric=m["metric"], name=m["name"], domain=m["domain"], value=m["value"],
                                    score=m["score"], source=m["source"], pull=m["pull"], peer_median=med,
                                    peer_q1=q1, peer_q3=q3, peers=len(values)))
        h = mine.headline or computed_headline(mine)
        prev = run_for(store, parse_period(label).previous().label, memo)
        mv = headline_movement(run, prev)[code]
        return OrgOversight(period=label, headline=h.as_dict(), agreement=h.agreement.as_dict(),
                            movement={"kind": mv.kind, "basis": mv.basis, "segment_before": mv.segment_before,
                                      "segment_after": mv.segment_after, "note": mv.note,
                                      "previous_period": prev.period if prev else None},
                            result_source=mine.result_source, coverage=run.coverage_text(),
                            explanation=detail, metrics=stats,
                            uncertainty=profile_uncertainty(run, code, memo))  # issue 12
    return None
