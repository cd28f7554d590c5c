"""The built-in map measures: metrics, the oversight segment mix and population indicators.

Each reads its area's public functions and returns the values of the areas in force on the map's
date, so a map never shows an ICB that did not exist then:

- metrics (:func:`metric_measure`): ICB and region values as :func:`opmodel.metrics.metric_values`
  aggregates them (numerators and denominators through the structure in force in the period;
  oversight-methodology §6.3–6.4). When the period's ICBs are not the map's (a month before the
  April 2026 mergers on a map after them) every area is summed afresh from its trusts as placed on
  the map's date, and the map says so;
- oversight (:func:`segment_share`): the share of each area's trusts in segments 3 to 5 of the
  quarter, NHS England's published segment where one is held, else the computed one;
- population (:func:`population_measure`): ICB values as published or carried across the mergers by
  :func:`opmodel.population.icb_value`; a region's value is the population-weighted mean of its ICBs.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.maps.measures import (
    AreaValue,
    KnownMeasures,
    MeasureRequest,
    MeasureSource,
    MeasureValues,
    Polarity,
)
from opmodel.store import Store

__all__ = ["BUILTIN_SOURCES", "GENERIC_SOURCES", "SEGMENT_MEASURE", "headline_segment", "metric_measure",
           "place_trusts", "population_measure", "segment_share"]

SEGMENT_MEASURE = "segment_3_5"
_SEGMENT_ALIASES = (SEGMENT_MEASURE, "segments", "segment_mix")


def place_trusts(store: Store, level: str, on: dt.date, then: dt.date, codes: set[str]) -> dict[str, str]:
    """Trust -> the ICB (or region) in force on ``on`` it belongs to.

    A trust open on ``on`` goes where the registry places it that day; one closed by then goes where
    it was on ``then`` (the period's date) if that area is still in force, else to the single ICB
    that succeeded it (``opmodel.population.successions``). A trust whose ICB was split between
    successors is left unplaced rather than guessed.
    """
    from opmodel.population import successions
    from opmodel.structure import list_organisations

    key = "icb" if level == "icb" else "region"
    now = {t["code"]: t[key] for t in list_organisations(store, kind="trust", on=on) if t[key]}
    in_force = {a["code"] for a in list_organisations(store, kind=key, on=on)}
    out = {c: now[c] for c in codes if c in now}
    rest = codes - set(out)
    if not rest:
        return out
    before = {t["code"]: t[key] for t in list_organisations(store, kind="trust", on=then) if t[key]}
    heirs: dict[str, list[str]] = {}
    for new, preds in successions(store).items():
        for p in preds:
            heirs.setdefault(p.code, []).append(new)
    for c in rest:
        area = before.get(c)
        if area is None:
            continue
        if area in in_force:
            out[c] = area
        elif len(heirs.get(area, [])) == 1 and heirs[area][0] in in_force:
            out[c] = heirs[area][0]
    return out


# ---------------------------------------------------------------- metrics


def _metric_period(store: Store, metric: str, on: dt.date, period: str | None) -> dt.date | None:
    if period is not None:
        text = period.strip()
        try:
            day = dt.date.fromisoformat(text if len(text) > 7 else text + "-01")
        except ValueError:
            raise OpmodelError(f"--period {period!r} for {metric}: expected a month such as 2025-07") from None
        return day
    found = store.scalar("SELECT max(period_start) FROM metric_values WHERE metric = ? AND period_start <= ?",
                         [metric, on])
    return found if isinstance(found, dt.date) else None


def metric_measure(store: Store, request: MeasureRequest) -> MeasureValues | None:
    """A metric's values for the period (default: the latest starting on or before the map's date)."""
    from opmodel.metrics import catalogue, metric_values
    from opmodel.structure import list_organisations

    defn = catalogue().get(request.measure)
    if defn is None and not store.scalar("SELECT count(*) FROM metric_values WHERE metric = ?", [request.measure]):
        return None
    start = _metric_period(store, request.measure, request.on, request.period)
    if start is None:
        raise OpmodelError(f"No {request.measure} values for a period starting on or before {request.on}.")
    rows = metric_values(store, request.measure, level=request.level, start=start, end=start)
    if not rows:
        held = store.rows("SELECT DISTINCT period_start FROM metric_values WHERE metric = ? ORDER BY 1 DESC LIMIT 6",
                          [request.measure])
        raise OpmodelError(f"No {request.measure} values for the period starting {start}; latest held: "
                           + ", ".join(str(r["period_start"]) for r in held))
    areas = {a["code"] for a in list_organisations(store, kind=request.level, on=request.on)}
    by_code = {r["org_code"]: r for r in rows}
    notes: list[str] = []
    agg = defn.aggregate if defn is not None else "none"
    values: dict[str, AreaValue]
    if areas <= set(by_code) or agg not in ("ratio", "sum"):
        values = {c: AreaValue(c, by_code[c]["value"], _trusts(by_code[c]["n_orgs"]))
                  for c in areas if c in by_code and by_code[c]["value"] is not None}
    else:
        values = _resummed(store, request, start, agg, defn.scale if defn and defn.scale else 1.0)
        notes.append(f"The ICBs of {request.on:%-d %B %Y} differ from those of the period: each area's figure is "
                     "summed from its trusts' numerators and denominators as placed on the map's date.")
    eng = metric_values(store, request.measure, level="england", start=start, end=start)
    label = start.strftime("%B %Y") if (defn is None or defn.frequency == "monthly") else str(start)
    unit = "%" if defn is not None and defn.unit == "percent" else (defn.unit if defn is not None else "")
    publication = (rows[0].get("publication") or "") if rows else ""
    return MeasureValues(
        measure=request.measure, name=defn.name if defn else request.measure, unit=unit if unit != "count" else "",
        polarity="no_judgement" if defn is None else ("high_is_good" if defn.direction == "higher" else "low_is_good"),
        level=request.level, on=request.on, period=label,
        source=f"NHS England statistics ({publication or 'published'}), aggregated by opmodel", values=values,
        england=eng[0]["value"] if eng else None, england_comparable=agg != "sum",
        third_party="thirdparty" in publication.lower(),  # a processed copy (e.g. trust_profiles_thirdparty)
        decimals=1 if unit == "%" else 0 if agg == "sum" else 2, notes=notes)


def _trusts(n: Any) -> str:
    return f"{n} trusts" if isinstance(n, int) and n > 1 else "1 trust" if n == 1 else ""


def _resummed(store: Store, request: MeasureRequest, start: dt.date, agg: str, scale: float) -> dict[str, AreaValue]:
    from opmodel.metrics import metric_values

    trusts = metric_values(store, request.measure, level="trust", start=start, end=start)
    placed = place_trusts(store, request.level, request.on, start, {r["org_code"] for r in trusts})
    sums: dict[str, list[float]] = {}
    for r in trusts:
        area = placed.get(r["org_code"])
        if area is None:
            continue
        acc = sums.setdefault(area, [0.0, 0.0, 0.0, 0.0])
        acc[0] += r["numerator"] or 0.0
        acc[1] += r["denominator"] or 0.0
        acc[2] += r["value"] or 0.0
        acc[3] += 1
    out = {}
    for area, (num, den, total, n) in sums.items():
        value = (scale * num / den if den else None) if agg == "ratio" else total
        out[area] = AreaValue(area, value, _trusts(int(n)))
    return out


def _metric_ids(store: Store) -> list[str]:
    from opmodel.metrics import catalogue

    return sorted(catalogue())


# ---------------------------------------------------------------- oversight segments


def headline_segment(result: Any) -> int | None:
    """The segment a trust is known by: oversight's headline (issue 20), i.e. NHS England's published
    segment where one is held (5 when in the support programme), else the computed one, provisional."""
    from opmodel.oversight import computed_headline

    headline = result.headline or computed_headline(result)
    return None if headline.final_segment is None else int(headline.final_segment)


def _quarters_back(on: dt.date, n: int = 8) -> list[str]:
    from opmodel.oversight import Period

    year = on.year if on.month >= 4 else on.year - 1
    p = Period(year, (on.month - 4) % 12 // 3 + 1)
    out = []
    for _ in range(n):
        out.append(p.label)
        p = p.previous()
    return out


def _segmentation(store: Store, on: dt.date, period: str | None) -> Any:
    from opmodel.oversight import segment

    for label in [period] if period else _quarters_back(on):
        try:
            return segment(store, label, save=False, link=False)
        except OpmodelError:
            if period:
                raise
    raise OpmodelError(f"No oversight results for a quarter starting on or before {on}.")


def segment_share(store: Store, level: str, on: dt.date, period: str | None = None,
                  run: Any | None = None) -> MeasureValues:
    """The share of each area's trusts in segments 3 to 5 (lower is better), from one quarter's run.

    ``run`` (a :class:`opmodel.oversight.SegmentationRun`) lets a caller that already holds the
    quarter's run (the web pages memoise it) skip recomputing it.
    """
    from opmodel.oversight import parse_period

    run = run if run is not None else _segmentation(store, on, period)
    end = parse_period(run.period).end
    segs = {r.org_code: s for r in run.results if (s := headline_segment(r)) is not None}
    published = sum(1 for r in run.results if r.headline is not None and r.headline.source == "published")
    placed = place_trusts(store, level, on, end, set(segs))
    counts: dict[str, Counter[str]] = {}
    for code, area in placed.items():
        counts.setdefault(area, Counter())["low" if segs[code] >= 3 else "high"] += 1
    values = {a: AreaValue(a, 100.0 * c["low"] / (c["low"] + c["high"]),
                           f"{c['low']} of {c['low'] + c['high']} trusts") for a, c in counts.items()}
    low = sum(1 for s in segs.values() if s >= 3)
    notes = [f"{len(segs)} trusts with a segment for {run.period}: NHS England's published segment for "
             f"{published}, opmodel's computed segment for the rest."]
    if len(placed) < len(segs):
        notes.append(f"{len(segs) - len(placed)} trusts could not be placed in an area in force on {on:%-d %B %Y}.")
    return MeasureValues(
        measure=SEGMENT_MEASURE, name="Trusts in oversight segments 3 to 5", unit="%", polarity="low_is_good",
        level=level, on=on, period=run.period,
        source="NHS Oversight Framework segments: NHS England's published where held, else computed by opmodel",
        values=values, england=100.0 * low / len(segs) if segs else None, decimals=0, notes=notes)


def _segment_source(store: Store, request: MeasureRequest) -> MeasureValues | None:
    if request.measure not in _SEGMENT_ALIASES:
        return None
    return segment_share(store, request.level, request.on, request.period)


# ---------------------------------------------------------------- population


_POLARITY: dict[str, Polarity] = {"high_is_good": "high_is_good", "low_is_good": "low_is_good"}


def population_measure(store: Store, request: MeasureRequest) -> MeasureValues | None:
    """A population-health indicator for a year (default: the latest held up to the map's date)."""
    from opmodel.errors import UnknownCodeError
    from opmodel.population import ValueCache, england_value, icb_value
    from opmodel.population.icb import area_value

    c = ValueCache(store)
    try:
        ind = c.entry(request.measure)
    except UnknownCodeError:
        return None
    years = sorted({y for (_, y) in c.rows(request.measure)})
    if not years:
        raise OpmodelError(f"No values are held for {request.measure}; load its file with `opmodel population load`.")
    if request.period is not None:
        try:
            year = int(request.period)
        except ValueError:
            raise OpmodelError(f"--period {request.period!r} for {request.measure}: expected a year") from None
        if year not in years:
            raise OpmodelError(f"{request.measure} has no values for {year}; years held: {', '.join(map(str, years))}")
    else:
        year = max([y for y in years if y <= request.on.year] or years[:1])
    icbs = c.icbs_on(request.on)
    got = {i["code"]: v for i in icbs if (v := icb_value(store, request.measure, i["code"], year, c)) is not None}
    values: dict[str, AreaValue] = {}
    if request.level == "icb":
        for code, v in got.items():
            values[code] = AreaValue(code, v.value, "" if v.method == "published" else v.method)
    else:
        for region in sorted({i["region"] for i in icbs if i["region"]}):
            mine = [v for k, v in got.items() if any(i["code"] == k and i["region"] == region for i in icbs)]
            reg = area_value(mine, c.weights, request.measure, region, year)
            if reg is not None:
                values[region] = AreaValue(region, reg.value, reg.method)
    eng = england_value(store, request.measure, year, c)
    unit = "%" if ind.unit == "%" else ind.unit
    return MeasureValues(
        measure=request.measure, name=ind.name, unit=unit,
        polarity=_POLARITY.get(ind.polarity, "no_judgement"),
        level=request.level, on=request.on, period=str(year),
        source=("Third-party figures: " if ind.third_party else "") + ind.source, values=values,
        england=eng.value if eng else None, third_party=bool(ind.third_party),
        decimals=0 if ind.value_type == "count" else 1)


def _population_ids(store: Store) -> list[str]:
    return [str(r[0]) for r in store.execute("SELECT indicator_id FROM population_indicators").fetchall()]


#: Sources that answer any id of their kind (every metric), tried after the specific ones.
GENERIC_SOURCES = ("metrics", "population")

BUILTIN_SOURCES: dict[str, tuple[MeasureSource, KnownMeasures | None]] = {
    "oversight": (_segment_source, lambda _s: list(_SEGMENT_ALIASES)),
    "metrics": (metric_measure, _metric_ids),
    "population": (population_measure, _population_ids),
}
