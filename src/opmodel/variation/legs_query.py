"""`opmodel consistency --across region|icb`: performance, quality and access side by side (issue 22, item 4).

The mission's question, "consistency of performance, quality and access around the country", on one
page: for every region (or ICB) in force on the date, each leg's measures with England, the spread and
the share of variation between areas (:mod:`opmodel.variation.legs`).

* Performance: NHS Oversight Framework segments (mix, and the share in segments 1–2) and average
  metric scores of the latest quarter held. NHS England's published result is used where it is
  published (the MH/community dashboard, the third-party acute copy); otherwise opmodel's computed
  (provisional) result, and each trust's source is counted.
* Quality: share of rated trusts rated good or outstanding (CQC), the SHMI (observed over expected
  deaths), the share of SHMI trusts banded higher than expected (published band, else recomputed),
  and the inpatient FFT share positive: third-party copies, labelled so.
* Access: A&E 4-hour (like with like, as every A&E funnel: acute trusts' type 1 departments), RTT within
  18 weeks, cancer 62-day, each its latest month.

Trusts are placed in their region and ICB on one date (default today), so areas are those in force.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from opmodel.errors import NotFoundError, OpmodelError
from opmodel.metrics import catalogue, metric_values
from opmodel.store import Store
from opmodel.variation.comparable import comparable_peers
from opmodel.variation.legs import Across, Leg, LegMeasure, LegUnit, measure_across
from opmodel.variation.queries import trust_placement

__all__ = ["ACCESS_METRICS", "consistency_across"]

#: Access measures: the published standards of urgent, elective and cancer care.
ACCESS_METRICS = ("ae_4hr", "rtt_18wk", "cancer_62d")
_LEGS: tuple[Leg, ...] = ("performance", "quality", "access")


def _place(store: Store, on: dt.date) -> dict[str, dict[str, Any]]:
    return {c: p for c, p in trust_placement(store, on).items() if p["region"] and p["icb"]}


def _unit(code: str, where: dict[str, Any], num: float, den: float) -> LegUnit:
    return LegUnit(code=code, region=str(where["region"]), icb=str(where["icb"]), numerator=num, denominator=den,
                   name=where.get("name"))


def _access(store: Store, placed: dict[str, dict[str, Any]], day: dt.date) -> list[tuple[LegMeasure, list[LegUnit]]]:
    out = []
    cat = catalogue()
    for asked in ACCESS_METRICS:
        peers = comparable_peers(store, asked, day)  # A&E: acute trusts' type 1 departments (item 5)
        metric = peers.metric
        rows = metric_values(store, metric, level="trust")
        if not rows:
            continue
        last = max(r["period_start"] for r in rows)
        latest = [r for r in rows if r["period_start"] == last and r["org_code"] in placed
                  and (peers.codes is None or r["org_code"] in peers.codes)
                  and r["numerator"] is not None and r["denominator"]]
        defn = cat[metric]
        files = sorted({str(r["source"]) for r in latest})
        name = defn.name if peers.codes is None else f"{defn.name}, {peers.label.split(':')[0]}"
        measure = LegMeasure(id=metric, leg="access", name=name, unit="percent", direction=defn.direction,
                             period=last.strftime("%Y-%m"), source="; ".join(files[:3]),
                             counts=str(defn.denominator or "patients"), funnel=True,
                             third_party=any("thirdparty" in f.lower() for f in files))
        out.append((measure, [_unit(r["org_code"], placed[r["org_code"]], float(r["numerator"]),
                                    float(r["denominator"])) for r in latest]))
    return out


def _quality(store: Store, placed: dict[str, dict[str, Any]]) -> list[tuple[LegMeasure, list[LegUnit]]]:
    from opmodel.quality import cqc_ratings, latest_values, shmi_banding

    out: list[tuple[LegMeasure, list[LegUnit]]] = []
    codes = list(placed)
    latest = latest_values(store, ["cqc_overall", "cqc_overall_tracker", "cqc_safe", "cqc_effective", "cqc_caring",
                                   "cqc_responsive", "cqc_well_led", "cqc_well_led_tracker", "fft_positive"],
                           orgs=codes)
    ratings = {c: r for c in codes if (r := cqc_ratings(latest, c)) is not None and r.good_or_outstanding is not None}
    if ratings:
        last = max(r.published_on for r in ratings.values() if r.published_on)
        first = next(iter(ratings.values()))
        out.append((LegMeasure(id="cqc_good_or_outstanding", leg="quality", name="Trusts rated good or outstanding "
                               "overall (CQC)", unit="percent of rated trusts", direction="higher",
                               period=f"latest ratings to {last.isoformat()}", source=first.source,
                               counts="rated trusts", third_party=True),
                    [_unit(c, placed[c], 1.0 if r.good_or_outstanding else 0.0, 1.0) for c, r in ratings.items()]))
    try:
        banding = shmi_banding(store)
    except OpmodelError:
        banding = None
    if banding is not None:
        shmi = [r for r in banding.rows if r.org_code in placed]
        out.append((LegMeasure(id="shmi", leg="quality", name="SHMI (observed / expected deaths)", unit="ratio",
                               direction="lower", period=banding.period, source=banding.source,
                               counts="expected deaths", scale=1.0, third_party=True),
                    [_unit(r.org_code, placed[r.org_code], r.observed, r.expected) for r in shmi]))
        out.append((LegMeasure(id="shmi_higher_than_expected", leg="quality", name="Trusts with SHMI higher than "
                               "expected (published band)", unit="percent of SHMI trusts", direction="lower",
                               period=banding.period, source=banding.source, counts="trusts with a SHMI",
                               third_party=True),
                    [_unit(r.org_code, placed[r.org_code],
                           1.0 if (r.published_band or r.band) == "Higher than expected" else 0.0, 1.0)
                     for r in shmi]))
    fft = [r for r in latest["fft_positive"].values() if r["numerator"] is not None and r["denominator"]]
    if fft:
        out.append((LegMeasure(id="fft_positive", leg="quality", name="Friends and Family Test, inpatients positive",
                               unit="percent", direction="higher", period=fft[0]["period_start"].strftime("%Y-%m"),
                               source=f"{fft[0]['file_name']} (third-party processed copy)", counts="FFT responses",
                               third_party=True, funnel=True),
                    [_unit(r["org_code"], placed[r["org_code"]], float(r["numerator"]), float(r["denominator"]))
                     for r in fft]))
    return out


def _performance(store: Store, placed: dict[str, dict[str, Any]]
                 ) -> tuple[list[tuple[LegMeasure, list[LegUnit]]], dict[str, dict[str, Any]]]:
    """Segments and average scores, published where published, else computed; and each trust's result."""
    from opmodel.oversight import headline_results
    from opmodel.oversight.periods import Period

    quarters = store.rows("SELECT DISTINCT period_start, period_end FROM metric_values WHERE metric = 'OF5000' "
                          "ORDER BY period_start DESC LIMIT 1")
    if not quarters:
        return [], {}
    start = quarters[0]["period_start"]
    period = Period(start.year - (start.month < 4), (start.month - 4) % 12 // 3 + 1)
    try:
        headlines = headline_results(store, period.label)
    except OpmodelError:
        headlines = {}
    trusts: dict[str, dict[str, Any]] = {}
    for code in placed:
        h = headlines.get(code)
        if h is None or h.final_segment is None:
            continue
        if h.source == "published":
            source = ("published (third-party copy)" if h.evidence == "third-party"
                      else "published (NHS England dashboard)")
        else:
            source = f"computed ({h.agreement.result_source or 'provisional'})"
        trusts[code] = {"segment": int(h.final_segment), "average": h.average, "source": source}
    if not trusts:
        return [], {}
    sources = dict(Counter(t["source"] for t in trusts.values()))
    src = "; ".join(f"{k}: {n} trusts" for k, n in sorted(sources.items()))
    seg_units = [_unit(c, placed[c], 1.0 if t["segment"] in (1, 2) else 0.0, 1.0) for c, t in trusts.items()]
    avg_units = [_unit(c, placed[c], float(t["average"]), 1.0) for c, t in trusts.items() if t["average"] is not None]
    out = [(LegMeasure(id="segment_1_or_2", leg="performance", name="Trusts in oversight segments 1–2",
                       unit="percent of segmented trusts", direction="higher", period=period.label, source=src,
                       counts="segmented trusts", third_party=any("third-party" in k for k in sources)), seg_units),
           (LegMeasure(id="average_score", leg="performance", name="Average NOF metric score (1 best, 4 worst)",
                       unit="score", direction="lower", period=period.label, source=src, counts="segmented trusts",
                       scale=1.0, third_party=any("third-party" in k for k in sources)), avg_units)]
    return out, trusts


def _segment_mix(trusts: dict[str, dict[str, Any]], placed: dict[str, dict[str, Any]], across: Across
                 ) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    per: dict[str, Counter[str]] = {}
    for code, t in trusts.items():
        per.setdefault(str(placed[code][across]), Counter())[str(t["segment"])] += 1
    england = Counter(str(t["segment"]) for t in trusts.values())
    keys = sorted(england)
    return ({a: {k: c.get(k, 0) for k in keys} for a, c in sorted(per.items())}, {k: england[k] for k in keys})


def consistency_across(store: Store, across: Across = "region", on: dt.date | None = None) -> dict[str, Any]:
    """Every leg's measures for every region (or ICB) on ``on``, with England, spread and between-area share."""
    if across not in ("region", "icb"):
        raise OpmodelError(f"--across {across!r}: compare across 'region' or 'icb'")
    day = on or dt.date.today()
    placed = _place(store, day)
    if not placed:
        raise NotFoundError(f"no NHS trusts are placed in an ICB and region on {day.isoformat()}: the registry "
                            "starts later; choose a later date")
    kind = "region" if across == "region" else "icb"
    names = {r["code"]: r["name"] for r in store.rows("SELECT code, name FROM organisations WHERE kind = ?", [kind])}
    areas = sorted({str(p[across]) for p in placed.values()})
    perf, trusts = _performance(store, placed)
    gathered: dict[Leg, list[tuple[LegMeasure, list[LegUnit]]]] = {
        "performance": perf, "quality": _quality(store, placed), "access": _access(store, placed, day)}
    key = "regions" if across == "region" else "icbs"
    dimensions: dict[str, Any] = {}
    for leg in _LEGS:
        measures = [measure_across(m, units, across) for m, units in gathered[leg]]
        by_area: dict[str, dict[str, Any]] = {a: {} for a in areas}
        for m in measures:
            for a in areas:
                by_area[a][m["id"]] = m["values"].get(a)
        dim: dict[str, Any] = {"measures": [{k: v for k, v in m.items() if k not in ("values",)} for m in measures],
                               key: by_area}
        if leg == "performance" and trusts:
            mix, england = _segment_mix(trusts, placed, across)
            for a in areas:
                by_area[a]["segment_mix"] = mix.get(a, {})
            dim["segment_mix_england"] = england
            dim["result_sources"] = dict(Counter(t["source"] for t in trusts.values()))
        dimensions[leg] = dim
    return {"across": across, "on": day.isoformat(),
            "areas": [{"code": a, "name": names.get(a), "trusts": sum(1 for p in placed.values() if p[across] == a)}
                      for a in areas],
            "dimensions": dimensions,
            "note": ("Areas and England pool the same NHS trusts (sum of numerators over sum of denominators). "
                     "between_share is the share of the trust-level variation (weighted by each measure's counts) "
                     "that lies between the areas. Quality figures are third-party processed copies.")}
