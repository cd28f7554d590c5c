"""A merged ICB's population and headline performance, before and after a reorganisation scenario.

A merger scenario (``opmodel model scenario``) changes who oversees whom; a board asking about it
also wants to know how many people the new ICB would serve and how its trusts perform together.
Figures are combined the way a published total would be: populations and counts are summed and
rates recomputed from the summed counts (never an average of rates); where only values are held
(the third-party ICB extract) they are population-weighted and said so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.population.icb import ValueCache, icb_value
from opmodel.population.profile import PROFILE_ORDER, area_population
from opmodel.store import Store

__all__ = ["HEADLINE_METRICS", "merged_performance", "merged_population"]

#: Trust-level headline metrics held as numerator/denominator, recomputed for a set of trusts.
HEADLINE_METRICS = ("ae_4hr", "rtt_18wk", "cancer_fds_28d", "cancer_62d", "dm01_6wk")


def merged_population(store: Store, icbs: list[str], on: dt.date, into: str,
                      cache: ValueCache | None = None) -> dict[str, Any]:
    """Each ICB's resident population and profile indicators, and the merged ICB's (summed / weighted)."""
    c = cache or ValueCache(store)
    pops = {code: area_population(c, code) for code in icbs}
    total = sum(p for p in pops.values() if p) if all(pops.values()) else None
    rows: list[dict[str, Any]] = []
    for iid in PROFILE_ORDER:
        vals = {code: icb_value(store, iid, code, None, c) for code in icbs}
        if not all(vals.values()) or len({v.year for v in vals.values() if v}) != 1:
            continue
        ind = c.entry(iid)
        held = {k: v for k, v in vals.items() if v is not None}
        year = next(iter(held.values())).year
        if all(v.count is not None and v.denominator for v in held.values()):
            n = sum(float(v.count or 0) for v in held.values())
            d = sum(float(v.denominator or 0) for v in held.values())
            after, how = n / d * ind.multiplier, "summed counts"
        elif total:
            after = sum(v.value * (pops[k] or 0) for k, v in held.items()) / total
            how = "population-weighted mean (IMD 2025 resident population)"
        else:
            continue
        rows.append({"indicator_id": iid, "name": ind.name, "period": str(year), "unit": ind.unit,
                     "third_party": ind.third_party, "before": {k: v.value for k, v in held.items()},
                     "after": after, "method": how})
    return {"into": into, "on": on.isoformat(), "population_before": pops, "population_after": total,
            "population_source": "IMD 2025 resident population estimate (income-deprivation scale / rate)",
            "indicators": rows}


def merged_performance(store: Store, groups: dict[str, list[str]], on: dt.date) -> list[dict[str, Any]]:
    """Headline metrics for each group of trusts (e.g. each ICB before, the merged ICB after) on the same month.

    For each metric the latest month starting on or before ``on`` that any of the trusts report is used;
    numerators and denominators are summed over the group's trusts and the rate recomputed.
    """
    from opmodel.metrics import list_metrics, metric_values

    known = {m["metric"]: m for m in list_metrics(store)}
    trusts = {t for codes in groups.values() for t in codes}
    out: list[dict[str, Any]] = []
    for metric in HEADLINE_METRICS:
        meta = known.get(metric)
        if meta is None or not meta.get("values_held"):
            continue
        try:
            rows = [r for r in metric_values(store, metric, level="trust", end=on)
                    if r["org_code"] in trusts and r["numerator"] is not None and r["denominator"]]
        except OpmodelError:
            continue
        if not rows:
            continue
        last = max(r["period_start"] for r in rows)
        cur = [r for r in rows if r["period_start"] == last]
        entry: dict[str, Any] = {"metric": metric, "name": meta.get("name") or metric, "unit": meta.get("unit"),
                                 "period": last.strftime("%Y-%m"), "groups": {}}
        for label, codes in groups.items():
            mine = [r for r in cur if r["org_code"] in codes]
            num, den = sum(r["numerator"] for r in mine), sum(r["denominator"] for r in mine)
            entry["groups"][label] = {"trusts": len(mine), "numerator": num, "denominator": den,
                                      "value": 100 * num / den if den else None}
        out.append(entry)
    return out
