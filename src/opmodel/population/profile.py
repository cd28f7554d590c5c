"""What an ICB's population-health profile shows: indicators against England and the region,
trends, the Core20PLUS5 panel and the body accountable for population health on the date.

This is the JSON contract of ``opmodel population show`` (issue 14) and the data behind the
ICB page section and ``/api/v1/population``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.population.catalogue import CATALOGUE, DENOMINATORS, Indicator
from opmodel.population.icb import (
    AreaValue,
    ValueCache,
    area_value,
    england_value,
    icb_series,
    icb_value,
    resolve_icb,
)
from opmodel.population.stats import compare_with_england, crude_rate, wilson_interval
from opmodel.store import Store

__all__ = ["accountable_body", "area_population", "compare_row", "core20plus5", "icb_profile", "icb_values_on",
           "indicator_row", "profile_indicators"]

#: Shown on profiles in this order; Fingertips indicators held for the ICB follow.
PROFILE_ORDER = ("qof_hypertension", "qof_diabetes", "qof_copd", "qof_asthma", "qof_chd", "qof_stroke",
                 "qof_obesity", "gpps_smoking", "core20_share", "least_deprived_share", "age_60_plus", "imd2025_score")


def _source(ind: Indicator) -> str:
    return ("Third-party figures: " if ind.third_party else "") + ind.source


def icb_values_on(store: Store, indicator_id: str, on: dt.date, year: int,
                  cache: ValueCache | None = None) -> dict[str, AreaValue]:
    """Every ICB in force on ``on`` with a value for ``year``."""
    c = cache or ValueCache(store)
    out: dict[str, AreaValue] = {}
    for icb in c.icbs_on(on):
        v = icb_value(store, indicator_id, icb["code"], year, c)
        if v is not None:
            out[icb["code"]] = v
    return out


def _comparison_interval(ind: Indicator, v: AreaValue) -> tuple[float | None, float | None]:
    """The interval at the indicator's benchmarking level (99.8% for QOF prevalence) where counts allow."""
    if v.count is not None and v.denominator and ind.confidence != 0.95:
        if ind.value_type == "proportion" and 0 <= v.count <= v.denominator:
            w = wilson_interval(v.count, v.denominator, ind.confidence, ind.multiplier)
            return w.lower, w.upper
        if ind.value_type == "crude_rate":
            r = crude_rate(v.count, v.denominator, ind.multiplier, ind.confidence)
            return r.lower, r.upper
    return v.lower_ci, v.upper_ci


def area_population(c: ValueCache, code: str) -> float | None:
    """The ICB's resident population (IMD 2025 estimate), or its predecessors' shares for a merged ICB."""
    own = c.weights.get(code)
    if own:
        return own
    parts = [c.weights.get(p.code, 0.0) * p.share for p in c.predecessors(code)]
    return sum(parts) if parts and all(parts) else None


def _rank_text(c: ValueCache, ind: Indicator, v: AreaValue) -> str:
    """Where the ICB's score sits among the ICBs held for the year (1 = highest score)."""
    others = [float(r[0]) for (o, y), r in c.rows(ind.indicator_id).items()
              if y == v.year and o != v.org_code and o != "england"]
    rank = 1 + sum(1 for x in others if x > v.value)
    return f"{rank} of {len(others) + 1} ICBs from the highest score"


def compare_row(ind: Indicator, v: AreaValue, england: float | None,
                c: ValueCache) -> tuple[str, str | None, tuple[float | None, float | None]]:
    """(comparison with England, how it was made, interval used) — or why it could not be made (issue 24).

    Counts or published limits give the interval as published (PHE's overlap test). Where the third party
    publishes values only, a share of the resident population or of registered patients takes the ICB's
    IMD 2025 resident population as an estimated denominator (the comparison is said to rest on it); a
    survey and an index score are not compared, each with its reason.
    """
    lo, hi = _comparison_interval(ind, v)
    if england is None:
        return "not compared (no England value held)", None, (lo, hi)
    if lo is not None and hi is not None:
        basis = ("counts as published" if v.count is not None and v.denominator else "published interval")
        return compare_with_england(lo, hi, england, ind.polarity), basis, (lo, hi)
    kind = DENOMINATORS.get(ind.indicator_id)
    if kind == "survey":
        return ("not compared (a survey: its respondent numbers are not held, and an interval from the whole "
                "population would be falsely narrow)"), None, (None, None)
    if kind == "score":
        return (f"not compared (an index score has no confidence interval; {_rank_text(c, ind, v)})", None,
                (None, None))
    pop = area_population(c, v.org_code)
    if kind is not None and ind.value_type == "proportion" and pop:
        w = wilson_interval(v.value / ind.multiplier * pop, pop, ind.confidence, ind.multiplier)
        basis = (f"{ind.confidence:.1%} Wilson interval on an estimated denominator: {kind}, "
                 f"{pop / 1e6:.2f} million; the third party publishes values only")
        return compare_with_england(w.lower, w.upper, england, ind.polarity), basis, (w.lower, w.upper)
    return "not compared (no counts or interval held)", None, (None, None)


def indicator_row(store: Store, ind: Indicator, v: AreaValue, region: str | None, on: dt.date,
                  cache: ValueCache | None = None) -> dict[str, Any]:
    """One indicator for one ICB: value, interval, England and region values, comparison, method, source."""
    c = cache or ValueCache(store)
    eng = england_value(store, ind.indicator_id, v.year, c)
    reg = None
    if region:
        members = [i["code"] for i in c.icbs_on(on) if i["region"] == region]
        vals = [x for m in members if (x := icb_value(store, ind.indicator_id, m, v.year, c)) is not None]
        reg = area_value(vals, c.weights, ind.indicator_id, region, v.year)
    compared, basis, (lo, hi) = compare_row(ind, v, eng.value if eng else None, c)
    return {
        "indicator_id": ind.indicator_id, "name": ind.name, "period": str(v.year), "value": v.value,
        "lower_ci": v.lower_ci, "upper_ci": v.upper_ci, "england_value": eng.value if eng else None,
        "england_method": eng.method if eng else None, "region_value": reg.value if reg else None,
        "compared_to_england": compared, "comparison_basis": basis,
        "comparison_lower": lo, "comparison_upper": hi, "polarity": ind.polarity,
        "method": "as published by the third party" if ind.third_party and v.method == "published" else v.method,
        "predecessors": v.predecessors, "source": _source(ind), "third_party": ind.third_party,
        "unit": ind.unit, "value_type": ind.value_type, "count": v.count, "denominator": v.denominator,
    }


def profile_indicators(store: Store, code: str, cache: ValueCache | None = None) -> list[str]:
    """Indicator ids with values for the ICB or its predecessors, in profile order."""
    c = cache or ValueCache(store)
    orgs = [code, *(p.code for p in c.predecessors(code))]
    held = {str(r[0]) for r in store.execute(
        f"SELECT DISTINCT indicator_id FROM population_values WHERE category = '' AND org_code IN "
        f"({', '.join('?' * len(orgs))})", orgs).fetchall()}
    fixed = [i for i in PROFILE_ORDER if i in held]
    return fixed + sorted(i for i in held if i not in CATALOGUE)


def _measure(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: row[k] for k in ("indicator_id", "name", "period", "value", "unit", "england_value", "method",
                                "source", "third_party")}


def _cancer(store: Store, code: str, on: dt.date) -> list[dict[str, Any]]:
    """62-day and 28-day cancer performance of the ICB's trusts on ``on``, latest month held."""
    from opmodel.metrics import list_metrics, metric_values
    from opmodel.structure import list_organisations

    trusts = {t["code"] for t in list_organisations(store, kind="trust", on=on, icb=code)}
    latest = {m["metric"]: m.get("last_period") for m in list_metrics(store)}
    out: list[dict[str, Any]] = []
    for metric, name in (("cancer_62d", "Cancer 62-day referral to first treatment"),
                         ("cancer_fds_28d", "Cancer 28-day Faster Diagnosis Standard")):
        last_period = latest.get(metric)
        if last_period is None:
            continue
        try:
            rows = [r for r in metric_values(store, metric, level="trust", start=last_period, end=last_period)
                    if r["org_code"] in trusts and r["numerator"] is not None and r["denominator"]]
        except OpmodelError:
            continue
        if not rows:
            continue
        last = max(r["period_start"] for r in rows)
        cur = [r for r in rows if r["period_start"] == last]
        num, den = sum(r["numerator"] for r in cur), sum(r["denominator"] for r in cur)
        out.append({"indicator_id": metric, "name": f"{name} ({len(cur)} trusts of the ICB)",
                    "period": last.strftime("%Y-%m"), "value": 100 * num / den, "unit": "%",
                    "england_value": None, "method": f"summed counts of the ICB's {len(cur)} trusts on {on}",
                    "source": "NHS England Cancer Waiting Times", "third_party": False})
    return out


def core20plus5(store: Store, code: str, on: dt.date, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The five adult clinical areas plus smoking: the measure held, or an explicit no-data note."""
    cancer = _cancer(store, code, on)
    maternity = rows.get("ft93085")
    return [
        {"area": "maternity", "name": "Maternity", "measure": _measure(maternity),
         "note": "Smoking at time of delivery is the nearest measure held; no open ICB data on continuity of carer "
                 "for Black, Asian and deprived women is held." if maternity else
                 "No open data held at ICB level for maternal outcomes by ethnicity or deprivation."},
        {"area": "severe_mental_illness", "name": "Severe mental illness", "measure": None,
         "note": "No open data held: annual physical health checks for people with SMI are not in the shipped data."},
        {"area": "chronic_respiratory_disease", "name": "Chronic respiratory disease",
         "measure": _measure(rows.get("qof_copd")),
         "note": "COPD prevalence (QOF) as recorded; vaccination uptake for COPD is not held."
         if rows.get("qof_copd") else "No open data held."},
        {"area": "early_cancer_diagnosis", "name": "Early cancer diagnosis",
         "measure": cancer[0] if cancer else None, "extra_measures": cancer[1:],
         "note": "Cancer waiting-time performance of the ICB's trusts as a proxy; stage at diagnosis (75% at "
                 "stage 1 or 2) is not held." if cancer else "No cancer waiting-time figures held for the ICB's "
                                                              "trusts."},
        {"area": "hypertension_case_finding", "name": "Hypertension case-finding",
         "measure": _measure(rows.get("qof_hypertension")),
         "note": "Recorded hypertension prevalence (QOF) as a case-finding proxy; treatment to target is not held."
         if rows.get("qof_hypertension") else "No open data held."},
        {"area": "smoking", "name": "Smoking cessation", "measure": _measure(rows.get("gpps_smoking")),
         "note": "Smoking prevalence reported in the GP Patient Survey." if rows.get("gpps_smoking")
         else "No open data held."},
    ]


def accountable_body(store: Store, code: str, on: dt.date) -> dict[str, Any] | None:
    """Who the operating model in force on ``on`` makes accountable for population health, and who oversees."""
    from opmodel.accountability import who

    try:
        res = who(store, code, on, function="population_health")
    except OpmodelError:
        return None
    f = res.functions[0]
    acc = next((c for c in f.chain if c.role == "accountable"), None)
    return {"model": res.model, "model_in_force": res.model_in_force, "function": f.name,
            "accountable": {"code": acc.code, "name": acc.name} if acc else None,
            "performance_managed_by": f.performance_managed_by}


def icb_profile(store: Store, code: str, on: dt.date | None = None, year: int | None = None,
                trends: bool = False) -> dict[str, Any]:
    """The profile of one ICB (ODS or ONS code) on a date: the JSON contract of ``population show``."""
    day = on or dt.date.today()
    org = resolve_icb(store, code)
    c = ValueCache(store)
    if not org.active_on(day) and org.close_date is not None and day > org.close_date:
        day = org.close_date   # a closed ICB is shown in the structure it last belonged to
    region = next((i["region"] for i in c.icbs_on(day) if i["code"] == org.code), None)
    rows: dict[str, dict[str, Any]] = {}
    for iid in profile_indicators(store, org.code, c):
        ind = c.entry(iid)
        v = icb_value(store, iid, org.code, year, c) or (
            icb_value(store, iid, org.code, None, c) if year is not None else None)
        if v is None or ind.value_type == "count":
            continue
        row = indicator_row(store, ind, v, region, day, c)
        if trends:
            row["trend"] = [{"period": str(s.year), "value": s.value, "lower_ci": s.lower_ci,
                             "upper_ci": s.upper_ci, "method": s.method} for s in icb_series(store, iid, org.code, c)]
        rows[iid] = row
    core20 = rows.get("core20_share")
    preds = c.predecessors(org.code)
    within = _within(store, org.code, day)
    return {
        "org_code": org.code, "org_name": org.name, "ons_code": org.ons_code, "on": day.isoformat(),
        "region": region, "predecessors": [{"code": p.code, "name": p.name, "share": p.share} for p in preds],
        "indicators": list(rows.values()),
        "core20_share": core20["value"] if core20 else None,
        "core20_period": core20["period"] if core20 else None,
        "core20plus5": core20plus5(store, org.code, day, rows),
        "accountability": accountable_body(store, org.code, day),
        "inequality_within": within,
    }


def _within(store: Store, code: str, on: dt.date) -> dict[str, Any] | None:
    """Headline of the within-ICB breakdown (health domain by district; `population inequality` has it all)."""
    from opmodel.population.local import icb_inequality

    try:
        r = icb_inequality(store, code, "health", on)
    except OpmodelError:
        return None
    return {"measure": r["measure"]["name"], "districts": len(r["districts"]),
            "quintiles": {str(q["quintile"]): q["value"] for q in r["quintiles"]},
            "sii": r["sii"]["sii"] if r["sii"] else None, "sii_lower": r["sii"]["sii_lower"] if r["sii"] else None,
            "sii_upper": r["sii"]["sii_upper"] if r["sii"] else None,
            "reading": r["sii"]["reading"] if r["sii"] else r["sii_note"],
            "detail": f"opmodel population inequality {code}"}
