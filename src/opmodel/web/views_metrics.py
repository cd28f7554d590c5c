"""View models for metrics and variation: an organisation's metrics against its peers, SPC charts,
the metric page (definition, distribution, funnel plot, trend) and an area's consistency.

Values come from :func:`opmodel.metrics.metric_values` (aggregated up the structure in force
on each period's date, from numerators and denominators); SPC and funnel plots from
:mod:`opmodel.variation` (Making Data Count XmR rules, ecosystem notes §1; funnel limits §2).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from opmodel.errors import OpmodelError
from opmodel.metrics import (
    Freshness,
    as_of_summary,
    get_metric,
    last_loaded,
    list_metrics,
    metric_freshness,
    metric_values,
    trust_values_at,
)
from opmodel.store import Store
from opmodel.structure import get_organisation, list_organisations, peer_codes
from opmodel.variation import (
    funnel_chart_spec,
    funnel_for,
    funnel_table,
    get_preset,
    spc_chart_spec,
    spc_for,
    spc_table,
)
from opmodel.variation.peers import median_and_quartiles
from opmodel.web.charts import Chart, make_chart
from opmodel.web.views_oversight import Memo, no_memo

__all__ = [
    "KEY_METRICS",
    "AreaConsistency",
    "DataAsOf",
    "MeasureAsOf",
    "MetricPage",
    "MetricSummary",
    "OrgMetric",
    "area_consistency",
    "data_as_of",
    "metric_page",
    "metrics_index",
    "org_metrics",
    "org_spc_charts",
    "spc_chart",
]

#: The metrics whose SPC charts an organisation's profile shows (when it has enough points).
KEY_METRICS = ("ae_4hr", "cancer_fds_28d", "cancer_62d", "dm01_6wk", "rtt_18wk", "ga_bed_occupancy")
MIN_SPC_POINTS = 6


class MetricSummary(BaseModel):
    metric: str
    name: str | None
    unit: str | None
    direction: str | None
    source: str | None
    frequency: str | None
    nof_id: str | None
    values_held: int
    organisations: int
    first_period: dt.date | None
    last_period: dt.date | None


def metrics_index(store: Store, memo: Memo[Any] = no_memo) -> list[MetricSummary]:
    """Every metric the store holds values for (the catalogue's others are left out)."""
    found: list[MetricSummary] = memo(("metrics-index",), lambda: [
        MetricSummary(**m) for m in list_metrics(store) if m["values_held"]])
    return found


class OrgMetric(BaseModel):
    """An organisation's latest value of one metric beside its peers' spread in the same period."""

    metric: str
    name: str
    unit: str
    direction: str
    period_start: dt.date
    period_end: dt.date
    value: float | None
    peer_group: str = Field(description="Who the peers are (same trust subtype, or all ICBs).")
    peer_median: float | None
    peer_q1: float | None
    peer_q3: float | None
    peers: int
    published: dt.date | None = Field(None, description="Release-calendar date of the period shown.")
    overdue: str | None = Field(None, description="Set when newer figures were due: which and since when.")
    third_party: bool = Field(False, description="The value is (or is aggregated from) third-party figures.")


def org_metrics(store: Store, code: str, memo: Memo[Any] = no_memo) -> list[OrgMetric]:
    """Latest value of every metric held for a trust or ICB, with the peer median and quartiles."""
    org = get_organisation(store, code)
    kind = org.kind.value
    level = "icb" if kind == "icb" else "trust"
    if kind not in ("trust", "icb"):
        return []

    def compute() -> list[OrgMetric]:
        held = [{"metric": m["metric"]} for m in list_metrics(store, org=org.code)] \
            if level == "trust" else [{"metric": m.metric} for m in metrics_index(store, memo)]
        fresh = {f.metric: f for f in _freshness(store, org.code, memo)}
        shown = sorted(m for m in {r["metric"] for r in held} if m in fresh)  # nothing held: no row
        # Trusts: every metric's latest period for every provider in one query (issue 25); ICBs: one
        # aggregation per metric, the organisation's row taken from everyone's.
        batch = trust_values_at(store, {m: fresh[m].latest_start for m in shown}) if level == "trust" else {}
        peers_on: dict[dt.date, set[str]] = {}
        out: list[OrgMetric] = []
        for metric in shown:
            f = fresh[metric]
            try:
                defn = get_metric(metric)
                # the latest period alone when the store knows it (a whole history of monthly RTT for an
                # ICB is 49 aggregations for one row); the whole series otherwise
                latest = batch[metric] if level == "trust" else metric_values(
                    store, metric, level=level, start=f.latest_start, end=f.latest_start)
                mine = [r for r in latest if r["org_code"] == org.code] \
                    or metric_values(store, metric, org=org.code, level=level)
            except OpmodelError:
                continue
            if not mine:
                continue
            last = mine[-1]
            everyone = latest if last["period_start"] == f.latest_start else metric_values(
                store, metric, level=level, start=last["period_start"], end=last["period_start"])
            if last["period_start"] not in peers_on:
                peers_on[last["period_start"]] = peer_codes(store, org.code, last["period_start"])
            peers = peers_on[last["period_start"]]
            values = [float(r["value"]) for r in everyone if r["org_code"] in peers and r["value"] is not None
                      and r["period_end"] == last["period_end"]]
            med, q1, q3 = median_and_quartiles(values)
            published = f.published if f.latest_start == last["period_start"] else None
            out.append(OrgMetric(metric=metric, name=defn.name, unit=defn.unit, direction=defn.direction,
                                 period_start=last["period_start"], period_end=last["period_end"],
                                 value=last["value"], peer_group="ICBs" if kind == "icb" else str(org.subtype),
                                 peer_median=med, peer_q1=q1, peer_q3=q3, peers=len(values), published=published,
                                 overdue=f.due_note, third_party=bool(last.get("third_party"))))
        return out

    found: list[OrgMetric] = memo(("org-metrics", org.code), compute)
    return found


def _freshness(store: Store, code: str | None, memo: Memo[Any]) -> list[Freshness]:
    today = dt.date.today()  # what is overdue depends on the day as well as the data
    found: list[Freshness] = memo(("freshness", code, today), lambda: metric_freshness(store, code, today=today))
    return found


class MeasureAsOf(BaseModel):
    """One publication's latest period held, for the "data as of" panel."""

    publication: str = Field(description="Short name: A&E, RTT, cancer, ...")
    period: str = Field(description="'March 2026', 'the quarter to June 2025', '2024/25'.")
    period_end: dt.date
    published: dt.date | None = Field(description="Release-calendar date of that period's figures.")
    overdue: str | None = Field(description="Newer figures due before today: which, and when they were due.")
    third_party: bool
    metrics: list[str]


class DataAsOf(BaseModel):
    """How current the figures on a page are: one line, and each publication's latest period."""

    summary: str = Field(description="'data to March 2026; RTT to April 2026; ...'")
    measures: list[MeasureAsOf]
    overdue: int = Field(description="Publications older than their publication cycle.")
    loaded_on: dt.date | None = Field(description="When the newest of these figures entered this store.")


def data_as_of(store: Store, code: str | None, memo: Memo[Any] = no_memo) -> DataAsOf | None:
    """What the store holds for ``code`` (a trust, ICB or region; None for England), by publication; once
    per data version and day (issue 25)."""
    found: DataAsOf | None = memo(("data-as-of", code, dt.date.today()), lambda: _data_as_of(store, code, memo))
    return found


def _data_as_of(store: Store, code: str | None, memo: Memo[Any]) -> DataAsOf | None:
    items = _freshness(store, code, memo)
    if not items:
        return None
    groups: dict[str, list[Freshness]] = {}
    for f in items:
        groups.setdefault(f.short, []).append(f)
    measures = []
    for short, fs in groups.items():
        latest = max(fs, key=lambda f: f.latest_end)
        measures.append(MeasureAsOf(publication=short, period=latest.latest_label, period_end=latest.latest_end,
                                    published=latest.published, overdue=latest.due_note,
                                    third_party=any(f.third_party for f in fs if f.latest_end == latest.latest_end),
                                    metrics=sorted(f.metric for f in fs)))
    measures.sort(key=lambda m: (-m.period_end.toordinal(), m.publication))
    return DataAsOf(summary=as_of_summary(items), measures=measures, overdue=sum(1 for m in measures if m.overdue),
                    loaded_on=last_loaded(store))


def spc_chart(store: Store, code: str, metric: str, memo: Memo[Any] = no_memo, render: bool = True) -> Chart:
    """The XmR chart (Making Data Count rules, preset ``mdc``) of one metric for one organisation."""
    result = spc_for(store, metric, code, rules=get_preset("mdc"))
    return make_chart(spc_chart_spec(result), spc_table(result), memo, render)


def org_spc_charts(store: Store, code: str, memo: Memo[Any] = no_memo) -> list[Chart]:
    """SPC charts of the key metrics the organisation has enough points for."""

    def compute() -> list[Chart]:
        out = []
        for metric in KEY_METRICS:
            try:
                result = spc_for(store, metric, code, rules=get_preset("mdc"))
            except OpmodelError:
                continue
            if len(result.points) >= MIN_SPC_POINTS:  # one query per metric; only charts worth drawing
                out.append(make_chart(spc_chart_spec(result), spc_table(result), memo))
        return out

    found: list[Chart] = memo(("org-spc", code.upper()), compute)
    return found


class Distribution(BaseModel):
    level: str
    period_start: dt.date
    period_end: dt.date
    n: int
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None
    england: float | None


class MetricPage(BaseModel):
    metric: str
    definition: dict[str, Any]
    distribution: Distribution | None
    by_region: list[dict[str, Any]] = Field(description="Each region's value in the latest period.")
    funnel: Chart | None
    funnel_note: str | None
    trend: Chart | None
    trend_note: str | None


def metric_page(store: Store, metric: str, memo: Memo[Any] = no_memo, render: bool = True) -> MetricPage:
    """Definition, distribution across trusts, regional values, funnel plot and England trend."""
    defn = get_metric(metric)

    def compute() -> MetricPage:
        trusts = metric_values(store, metric, level="trust")
        dist = None
        by_region: list[dict[str, Any]] = []
        funnel = trend = None
        funnel_note = trend_note = None
        if trusts:
            last = max(r["period_start"] for r in trusts)
            latest = [r for r in trusts if r["period_start"] == last and r["value"] is not None]
            values = sorted(float(r["value"]) for r in latest)
            med, q1, q3 = median_and_quartiles(values)
            eng = metric_values(store, metric, level="england", start=last, end=last)
            dist = Distribution(level="trust", period_start=last, period_end=latest[0]["period_end"], n=len(values),
                                minimum=values[0], q1=q1, median=med, q3=q3, maximum=values[-1],
                                england=eng[0]["value"] if eng else None)
            by_region = [{"code": r["org_code"], "name": r["org_name"], "value": r["value"], "n_orgs": r["n_orgs"]}
                         for r in metric_values(store, metric, level="region", start=last, end=last)]
            try:
                result, ctx = funnel_for(store, metric, last)
                spec = funnel_chart_spec(result, metric=metric, period=ctx["period"], direction=ctx["direction"],
                                         name=ctx["name"])
                funnel = make_chart(spec, funnel_table(result), memo, render)
            except OpmodelError as exc:
                funnel_note = str(exc)
        try:
            trend = spc_chart(store, "X24", metric, memo, render)
        except OpmodelError as exc:
            trend_note = str(exc)
        return MetricPage(metric=metric, definition=defn.model_dump(mode="json") if hasattr(defn, "model_dump")
                          else dict(vars(defn)), distribution=dist, by_region=by_region, funnel=funnel,
                          funnel_note=funnel_note, trend=trend, trend_note=trend_note)

    found: MetricPage = memo(("metric-page", metric, render), compute)
    return found


class AreaConsistency(BaseModel):
    """How consistent an area's trusts are on one metric: each member against the national funnel limits."""

    metric: str
    name: str
    period: str
    members: list[dict[str, Any]]
    outside_998: int
    chart: Chart | None = Field(None, description="Funnel plot of the members against the national limits.")


def area_consistency(store: Store, code: str, kind: str, on: dt.date, metric: str = "ae_4hr",
                     memo: Memo[Any] = no_memo, render: bool = True) -> AreaConsistency | None:
    """Each member trust of a region or ICB against the national funnel limits of ``metric``
    (latest period), with the funnel plot of the members drawn on the limits for England."""
    def compute() -> AreaConsistency | None:
        trusts = metric_values(store, metric, level="trust")
        if not trusts:
            return None
        last = max(r["period_start"] for r in trusts)
        try:
            result, ctx = funnel_for(store, metric, last)
        except OpmodelError:
            return None
        scope = {"region": code} if kind == "region" else {"icb": code}
        members = {t["code"] for t in list_organisations(store, kind="trust", on=last, **scope)}
        rows = [r for r in funnel_table(result) if r["org_code"] in members]
        mine = dataclasses.replace(result, points=[p for p in result.points if p.unit.code in members])
        chart = None
        if mine.points:
            spec = funnel_chart_spec(mine, metric=metric, period=ctx["period"], direction=ctx["direction"],
                                     name=ctx["name"],
                                     title=f"{ctx['name']}: {code} trusts against the limits for England")
            chart = make_chart(spec, rows, memo, render)
        return AreaConsistency(metric=metric, name=ctx["name"], period=ctx["period"], members=rows, chart=chart,
                               outside_998=sum(1 for r in rows if r.get("outlier") not in (None, "", "none")))

    found: AreaConsistency | None = memo(("area-consistency", code, metric, on, render), compute)
    return found
