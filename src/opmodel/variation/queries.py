"""Variation over the store: fetch aggregated series from the metrics API, then run the statistics.

Aggregation (trusts to ICBs, regions and England on the structure in force) happens in the metric
store's relational layer; placing every trust in its ICB and region on each period's first day
is one recursive query over the relationships in force. Only the small results reach numpy.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any, Literal

from opmodel.errors import NotFoundError, OpmodelError
from opmodel.metrics import catalogue, get_metric, metric_values
from opmodel.metrics.query import DATED_ANCESTORS_SQL, contiguous_run
from opmodel.store import Store
from opmodel.structure import get_organisation
from opmodel.variation.comparable import PeerChoice, comparable_peers, od_method_for
from opmodel.variation.consistency import TrustValue, consistency_trend, decompose_period
from opmodel.variation.funnel import FunnelKind, FunnelResult, FunnelUnit, funnel_analysis
from opmodel.variation.presets import RuleSet
from opmodel.variation.spc import SpcError
from opmodel.variation.spc_analysis import Observation, SpcResult, spc_analysis

__all__ = ["VariationError", "consistency_report", "funnel_for", "metric_info", "spc_for", "trust_placement",
           "trust_placements"]

_LEVEL_OF_KIND = {"trust": "trust", "other_provider": "trust", "icb": "icb", "region": "region",
                  "national": "england"}


class VariationError(OpmodelError):
    """A variation request the data cannot answer (no values, no counts, ...)."""


class NoValuesError(VariationError, SpcError, NotFoundError):
    """No values held for the organisation, metric and periods asked for (the API answers 404)."""


def metric_info(store: Store, metric: str) -> dict[str, Any]:
    """Direction, unit, scale and whether counts exist, from the metric catalogue.

    A metric loaded into the store but not catalogued has no direction: SPC then refuses to
    draw icons unless one is given, and funnels need counts in the loaded rows.
    """
    md = catalogue().get(metric)
    if md is None:
        held = store.rows("SELECT count(*) AS n FROM metric_values WHERE metric = ?", [metric])[0]["n"]
        if not held:
            get_metric(metric)  # raises UnknownCodeError with the closest catalogued ids
        return {"id": metric, "name": metric, "unit": None, "direction": None, "scale": 1.0,
                "aggregate": "none", "has_counts": True}
    return {"id": md.id, "name": md.name, "unit": md.unit, "direction": md.direction, "scale": md.scale,
            "aggregate": md.aggregate, "has_counts": md.numerator is not None and md.denominator is not None}


def _fmt(d: dt.date | None) -> str:
    return d.isoformat() if d else "-"


def _span(start: dt.date | None, end: dt.date | None) -> str:
    """A period range in words: "from 2030-01-01", "up to 2024-05-01", "between A and B" or "in any period"."""
    if start and end:
        return f"between {start.isoformat()} and {end.isoformat()}"
    if start:
        return f"from {start.isoformat()} on"
    if end:
        return f"up to {end.isoformat()}"
    return "in any period"


def _held(store: Store, metric: str, org: str | None, level: str) -> str:
    """What the store does hold, so an empty answer says where to look instead."""
    try:
        rows = metric_values(store, metric, org=org, level=level)
    except OpmodelError:
        rows = []
    if not rows:
        return "none are held for it at all; load the publication with `opmodel metrics load`"
    return (f"values are held from {rows[0]['period_start'].isoformat()} to {rows[-1]['period_start'].isoformat()} "
            f"({len(rows)} periods)")


_DAY = dt.timedelta(days=1)


def spc_for(store: Store, metric: str, org: str, *, rules: RuleSet, start: dt.date | None = None,
            end: dt.date | None = None, target: float | None = None, rebase_at: Sequence[dt.date] = (),
            baseline: int | None = None, direction: str | None = None) -> SpcResult:
    """The XmR chart of ``metric`` for one organisation (a trust, ICB, region or England)."""
    info = metric_info(store, metric)
    direction = direction or info["direction"]
    if direction is None:
        raise SpcError(f"{metric} has no improvement direction in the metric catalogue, so its icons would be "
                       "guesses; give one with --direction higher|lower|neutral")
    organisation = get_organisation(store, org)
    level = _LEVEL_OF_KIND.get(organisation.kind.value, "trust")
    rows = metric_values(store, metric, org=None if level == "england" else organisation.code, level=level,
                         start=start, end=end)
    if not rows:
        org_arg = None if level == "england" else organisation.code
        raise NoValuesError(f"no values of {metric} for {organisation.code} {_span(start, end)}; "
                            + _held(store, metric, org_arg, level))
    zero = [r for r in rows if r.get("denominator") is not None and not r["denominator"]]
    if zero:
        raise SpcError(f"{metric} for {organisation.code}: zero denominator in period(s) "
                       + ", ".join(_fmt(r["period_start"]) for r in zero) + "; the value is undefined there")
    gap_note = None
    if start is None and end is None:  # issue 21: months missing from the data break the series
        run, note = contiguous_run(rows)
        after_gaps = [b for a, b in itertools.pairwise(rows) if b["period_start"] != a["period_end"] + _DAY]
        if not all(any(b["period_start"] <= d <= b["period_end"] for d in rebase_at) for b in after_gaps):
            rows, gap_note = run, note  # unless every gap is where the user rebased
    series = [Observation(r["period_start"], r["period_end"], r["value"]) for r in rows]
    result = spc_analysis(series, rules=rules, direction=direction, target=target,
                          rebase_at=rebase_at, baseline=baseline, metric=metric, org_code=organisation.code,
                          org_name=organisation.name)
    if gap_note:
        result.warnings.append(gap_note)
    return result


def trust_placements(store: Store, days: Sequence[dt.date]) -> dict[dt.date, dict[str, dict[str, str | None]]]:
    """Each trust's name, ICB and region in the structure in force on each of ``days`` (one query)."""
    rows = store.rows(f"""
        WITH RECURSIVE days AS (
            SELECT t.code, d.day FROM organisations t
            CROSS JOIN (SELECT unnest(CAST($1 AS DATE[])) AS day) d
            WHERE t.kind = 'trust'
        ),
        {DATED_ANCESTORS_SQL}
        SELECT d.code, d.day, any_value(t.name) AS name,
               max(CASE WHEN p.kind = 'icb' THEN a.ancestor END) AS icb,
               max(CASE WHEN p.kind = 'region' THEN a.ancestor END) AS region
        FROM days d
        JOIN organisations t ON t.code = d.code
        LEFT JOIN anc a ON a.code = d.code AND a.day = d.day
        LEFT JOIN organisations p ON p.code = a.ancestor
        GROUP BY d.code, d.day
    """, [list(days)])
    out: dict[dt.date, dict[str, dict[str, str | None]]] = {day: {} for day in days}
    for r in rows:
        out[r["day"]][r["code"]] = {"name": r["name"], "icb": r["icb"], "region": r["region"]}
    return out


def trust_placement(store: Store, on: dt.date) -> dict[str, dict[str, str | None]]:
    """Each trust's name, ICB and region in the structure in force on ``on``."""
    return trust_placements(store, [on])[on]


def _units_for_period(rows: Sequence[dict[str, Any]], day: dt.date) -> list[dict[str, Any]]:
    """Rows of the one period holding ``day`` (the shortest, if a metric has nested periods)."""
    holding = [r for r in rows if r["period_start"] <= day <= r["period_end"]]
    if not holding:
        return []
    span = min(holding, key=lambda r: (r["period_end"] - r["period_start"], r["period_start"]))
    return [r for r in holding if (r["period_start"], r["period_end"]) == (span["period_start"], span["period_end"])]


def _kind_for(info: dict[str, Any]) -> FunnelKind:
    return "proportion" if info["unit"] == "percent" else "rate"


def funnel_for(store: Store, metric: str, period: dt.date, *, level: str = "trust",
               overdispersion: bool | Literal["auto"] = "auto", kind: FunnelKind | None = None,
               target: float | None = None, peers: PeerChoice = "default") -> tuple[FunnelResult, dict[str, Any]]:
    """Funnel of one period's organisations at ``level``; returns the result and its context.

    Over-dispersion is estimated and applied when found (``"auto"``), and the result says so; the
    SHMI is banded with NHS Digital's own method (:func:`~opmodel.variation.od_method_for`).
    ``peers="default"`` compares like with like where the metric has a default (A&E: acute trusts'
    type 1 departments, :mod:`opmodel.variation.comparable`); ``"all"`` takes every provider.
    The context names the peers and the metric drawn (``metric``; ``asked`` is what was asked for).

    ``target`` (on the metric's scale, e.g. 95 for 95%) replaces the pooled value as the centre line.
    """
    metric_info(store, metric)  # unknown metric: UnknownCodeError with the closest ids
    chosen = comparable_peers(store, metric, period, peers, level)
    asked, metric = metric, chosen.metric
    info = metric_info(store, metric)
    if not info["has_counts"]:
        raise VariationError(f"{metric} has no numerator and denominator in the catalogue; a funnel needs counts")
    found = metric_values(store, metric, level=level, start=period - dt.timedelta(days=366), end=period)
    rows = _units_for_period(found, period)
    if not rows:
        raise NoValuesError(f"no {level} values of {metric} for the period holding {period.isoformat()}; "
                            + _held(store, metric, None, level))
    placement = trust_placement(store, period) if level == "trust" else {}
    units: list[FunnelUnit] = []
    skipped: list[str] = []
    for r in rows:
        if level == "trust" and r["org_code"] not in placement:
            continue  # independent-sector and other non-trust sites
        if chosen.codes is not None and r["org_code"] not in chosen.codes:
            continue  # not a comparable provider (e.g. a community trust's minor injury units)
        if r.get("numerator") is None or not r.get("denominator"):
            skipped.append(f"{r['org_code']} (denominator {r.get('denominator')})")
            continue
        group = placement.get(r["org_code"], {}).get("region") if level == "trust" else None
        published = float(r["value"]) if od_method_for(metric) == "shmi" and r.get("value") is not None else None
        units.append(FunnelUnit(code=r["org_code"], name=r.get("org_name"), numerator=float(r["numerator"]),
                                denominator=float(r["denominator"]), group=group, value=published))
    result = funnel_analysis(units, kind=kind or _kind_for(info), scale=float(info["scale"]),
                             overdispersion=overdispersion, target=target, od_method=od_method_for(metric))
    result.peers = f"{chosen.label} ({len(units)} organisations)"
    if skipped:
        result.warnings.append("left out for a missing or zero denominator: " + ", ".join(skipped))
    context = {"metric": metric, "asked": asked, "name": info["name"], "period": rows[0]["period_start"].isoformat(),
               "period_end": rows[0]["period_end"].isoformat(), "level": level, "direction": info["direction"],
               "peers": {**chosen.to_json(), "organisations": len(units)}}
    return result, context


def consistency_report(store: Store, metric: str, *, start: dt.date | None = None,
                       end: dt.date | None = None, peers: PeerChoice = "default") -> dict[str, Any]:
    """The nested decomposition, spread and outliers of ``metric`` for each period, and the trend.

    ``peers`` as for :func:`funnel_for`: by default an A&E report compares acute trusts' type 1
    departments, and the report says so; the trusts outside the 99.8% limits are named.
    """
    metric_info(store, metric)
    asked = metric
    choice = comparable_peers(store, metric, end or dt.date.today(), peers)
    metric = choice.metric
    info = metric_info(store, metric)
    if not info["has_counts"]:
        raise VariationError(f"{metric} has no numerator and denominator: the decomposition weights by denominators")
    rows = metric_values(store, metric, level="trust", start=start, end=end)
    if not rows:
        raise NoValuesError(f"no trust values of {metric} {_span(start, end)}; "
                            + _held(store, metric, None, "trust"))
    names = {r["code"]: r["name"] for r in store.rows("SELECT code, name FROM organisations WHERE kind = 'region'")}
    by_period: dict[tuple[dt.date, dt.date], list[dict[str, Any]]] = {}
    for r in rows:
        by_period.setdefault((r["period_start"], r["period_end"]), []).append(r)
    periods: list[tuple[dt.date, dict[str, Any]]] = []
    placements = trust_placements(store, sorted({day for day, _ in by_period}))
    for day, day_end in sorted(by_period):
        placement = placements[day]
        allowed = comparable_peers(store, asked, day, peers).codes
        values: list[TrustValue] = []
        excluded: list[str] = []
        for r in by_period[(day, day_end)]:
            where = placement.get(r["org_code"])
            if where is None or (allowed is not None and r["org_code"] not in allowed):
                continue  # not an NHS trust (independent sector, walk-in centres), or not a comparable one
            if where["region"] is None or where["icb"] is None:
                excluded.append(f"{r['org_code']} (no ICB or region on {day.isoformat()})")
            elif r.get("numerator") is None or not r.get("denominator"):
                excluded.append(f"{r['org_code']} (denominator {r.get('denominator')})")
            else:
                values.append(TrustValue(code=r["org_code"], region=str(where["region"]), icb=str(where["icb"]),
                                         numerator=float(r["numerator"]), denominator=float(r["denominator"]),
                                         name=where["name"]))
        if not values:
            continue
        out = decompose_period(values, scale=float(info["scale"]), region_names=names)
        out["excluded"] = excluded
        out["period"] = day.isoformat()
        out["period_end"] = day_end.isoformat()
        periods.append((day, out))
    if not periods:
        raise VariationError(f"no NHS trusts with counts for {metric} in the range asked for")
    return {"metric": metric, "asked": asked, "name": info["name"], "unit": info["unit"],
            "direction": info["direction"], "peers": choice.to_json(),
            "from": periods[0][0].isoformat(), "to": periods[-1][0].isoformat(),
            "periods": [p for _, p in periods], "trend": consistency_trend(periods)}
