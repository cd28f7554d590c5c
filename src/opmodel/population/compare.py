"""Consistency across ICBs and regions for one indicator: values with intervals, a funnel,
the between-region / between-ICB variance split and whether ICBs are converging or diverging.

The funnel and decomposition reuse :mod:`opmodel.variation`. The variation area works on counts;
where only values are held (the third-party ICB extract) each ICB's count is its value times its
population estimate, which is said in ``denominator_note`` (methodology: ecosystem notes §2.3, §3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import NotFoundError, OpmodelError
from opmodel.population.icb import AreaValue, ValueCache, area_value, england_value
from opmodel.population.inequality import deprivation_gradient
from opmodel.population.profile import compare_row, icb_values_on
from opmodel.variation import FunnelError, FunnelUnit, TrustValue, consistency_trend, decompose_period, funnel_analysis

__all__ = ["compare_indicator", "counts_for", "variance_split"]

from opmodel.store import Store


def counts_for(values: dict[str, AreaValue], c: ValueCache, multiplier: float) -> tuple[dict[str, tuple[float, float]],
                                                                                        str]:
    """Numerator and denominator per ICB: as held, else value × population estimate (and say so)."""
    if values and all(v.count is not None and v.denominator for v in values.values()):
        return {k: (float(v.count or 0), float(v.denominator or 0)) for k, v in values.items()}, "published counts"
    out: dict[str, tuple[float, float]] = {}
    for k, v in values.items():
        pop = c.weights.get(k) or sum(c.weights.get(p, 0.0) for p in v.predecessors)  # approximate for splits
        if pop > 0:
            out[k] = (v.value / multiplier * pop, pop)
    return out, "value × population estimate (IMD 2025); published counts are not held"


def variance_split(rows: list[TrustValue], scale: float) -> dict[str, Any]:
    """Between-region and between-ICB shares of the variation (each ICB is one unit)."""
    d = decompose_period(rows, scale=scale)
    return {"between_region_share": d["decomposition"]["region"]["share"],
            "between_icb_within_region_share": d["decomposition"]["icb"]["share"] + d["decomposition"]["trust"]
            ["share"], "icb_iqr": d["spread"]["trust"]["iqr"], "region_range": d["spread"]["region"]["range"],
            "_raw": d}


def compare_indicator(store: Store, indicator_id: str, level: str = "icb", year: int | None = None,
                      on: dt.date | None = None) -> dict[str, Any]:
    """Every ICB (or region) in force on ``on`` for one indicator and year, with funnel, split and trend."""
    if level not in ("icb", "region"):
        raise OpmodelError(f"Unknown level '{level}'; expected icb or region.")
    c = ValueCache(store)
    ind = c.entry(indicator_id)
    day = on or dt.date.today()
    years = sorted({y for (_, y) in c.rows(indicator_id)})
    if not years:
        raise NotFoundError(f"No values are held for {indicator_id}; load its file with `opmodel population load`.")
    y = year if year is not None else years[-1]
    if y not in years:
        raise NotFoundError(f"{indicator_id} has no values for {y}; years held: {', '.join(map(str, years))}.")
    icbs = {i["code"]: i for i in c.icbs_on(day)}
    values = icb_values_on(store, indicator_id, day, y, c)
    eng = england_value(store, indicator_id, y, c)
    mult = ind.multiplier if ind.value_type in ("proportion", "crude_rate") else 0.0
    rows: list[dict[str, Any]]
    if level == "icb":
        rows = []
        for k, v in sorted(values.items()):
            compared, basis, _ = compare_row(ind, v, eng.value if eng else None, c)
            rows.append({"org_code": k, "org_name": icbs[k]["name"], "region": icbs[k]["region"], **v.to_json(),
                         "compared_to_england": compared, "comparison_basis": basis})
    else:
        regions = sorted({i["region"] for i in icbs.values() if i["region"]})
        rows = []
        for r in regions:
            reg = area_value([v for k, v in values.items() if icbs[k]["region"] == r], c.weights, indicator_id, r, y)
            if reg is not None:
                name = next(i["region_name"] for i in icbs.values() if i["region"] == r)
                rows.append({"org_code": r, "org_name": name, **reg.to_json()})
    out: dict[str, Any] = {
        "indicator": ind.to_json(), "level": level, "period": str(y), "on": day.isoformat(),
        "england": eng.to_json() if eng else None, "rows": rows, "third_party": ind.third_party,
        "funnel": None, "variance_split": None, "trend": None, "denominator_note": None,
        "inequality": deprivation_gradient(store, indicator_id, y)}
    if not mult or len(values) < 3:
        return out
    counts, note = counts_for(values, c, mult)
    out["denominator_note"] = note
    try:
        units = [FunnelUnit(k, n, d, icbs[k]["name"], icbs[k]["region"]) for k, (n, d) in sorted(counts.items())]
        out["funnel"] = funnel_analysis(units, kind="proportion" if ind.value_type == "proportion" else "rate",
                                        scale=mult, overdispersion=True).to_json()
    except FunnelError as e:
        out["funnel_error"] = str(e)
    tv = [TrustValue(k, icbs[k]["region"] or "?", k, n, d, icbs[k]["name"]) for k, (n, d) in counts.items()]
    split = variance_split(tv, mult)
    raw = split.pop("_raw")
    out["variance_split"] = split
    history: list[tuple[dt.date, dict[str, Any]]] = [(dt.date(y, 1, 1), raw)]
    for py in (p for p in years if p != y):
        pv = icb_values_on(store, indicator_id, day, py, c)
        if len(pv) >= 3:
            pc, _ = counts_for(pv, c, mult)
            history.append((dt.date(py, 1, 1), decompose_period(
                [TrustValue(k, icbs[k]["region"] or "?", k, n, d) for k, (n, d) in pc.items()], scale=mult)))
    history.sort(key=lambda t: t[0])
    trend = consistency_trend(history)
    out["trend"] = {"reading": trend["reading"], "years": [d.year for d, _ in history],
                    "icb_iqr_first": trend.get("trust_iqr_first"), "icb_iqr_last": trend.get("trust_iqr_last"),
                    "between_region_share_change": trend.get("share_change", {}).get("region")}
    return out
