"""ICB values across reorganisation: the 42 ICBs of 2022-2026 and the 36 from April 2026.

Published figures are for the ICBs that existed when they were measured. An ICB formed in the
April 2026 mergers takes its value from its predecessors, found through the registry's
successions (the trusts that moved from each closed ICB to the new one): counts are summed where
every predecessor has them, otherwise values are population-weighted. A predecessor split between
successors contributes the share of its trusts that moved to each (see docs/decisions.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from opmodel.errors import UnknownCodeError
from opmodel.population.catalogue import Indicator, get_indicator
from opmodel.population.load import ENGLAND
from opmodel.population.stats import crude_rate, wilson_interval
from opmodel.store import Store
from opmodel.structure import Organisation, get_organisation, suggest_codes

__all__ = ["AreaValue", "Predecessor", "ValueCache", "area_value", "england_value", "icb_series", "icb_value",
           "icbs_on",
           "indicator_entry", "population_weights", "predecessors", "resolve_icb", "successions"]


@dataclass(frozen=True)
class Predecessor:
    """A closed ICB whose population (or ``share`` of it) passed to a successor."""

    code: str
    name: str
    share: float


@dataclass
class AreaValue:
    """One indicator value for one area and year, with how it was obtained."""

    indicator_id: str
    org_code: str
    year: int
    value: float
    lower_ci: float | None = None
    upper_ci: float | None = None
    count: float | None = None
    denominator: float | None = None
    method: str = "published"
    predecessors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"indicator_id": self.indicator_id, "org_code": self.org_code, "year": self.year,
                "value": self.value, "lower_ci": self.lower_ci, "upper_ci": self.upper_ci, "count": self.count,
                "denominator": self.denominator, "method": self.method, "predecessors": self.predecessors}


class ValueCache:
    """Values, successions and weights read once per request, so a profile of 36 ICBs costs a few queries."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._rows: dict[str, dict[tuple[str, int], tuple[Any, ...]]] = {}
        self._preds: dict[str, list[Predecessor]] | None = None
        self._weights: dict[str, float] | None = None
        self._entries: dict[str, Indicator] = {}
        self._icbs: dict[dt.date, list[dict[str, Any]]] = {}

    def rows(self, indicator_id: str) -> dict[tuple[str, int], tuple[Any, ...]]:
        if indicator_id not in self._rows:
            got = self.store.execute(
                "SELECT org_code, year, value, lower_ci, upper_ci, count, denominator FROM population_values "
                "WHERE indicator_id = ? AND category = ''", [indicator_id]).fetchall()
            self._rows[indicator_id] = {(str(r[0]), int(r[1])): r[2:] for r in got}
        return self._rows[indicator_id]

    def predecessors(self, code: str) -> list[Predecessor]:
        if self._preds is None:
            self._preds = successions(self.store)
        return self._preds.get(code, [])

    @property
    def weights(self) -> dict[str, float]:
        if self._weights is None:
            self._weights = population_weights(self.store)
        return self._weights

    def entry(self, indicator_id: str) -> Indicator:
        if indicator_id not in self._entries:
            self._entries[indicator_id] = indicator_entry(self.store, indicator_id)
        return self._entries[indicator_id]

    def icbs_on(self, on: dt.date) -> list[dict[str, Any]]:
        if on not in self._icbs:
            self._icbs[on] = icbs_on(self.store, on)
        return self._icbs[on]


def indicator_catalogue(store: Store) -> list[dict[str, Any]]:
    """Every indicator the store describes (definition, polarity, value type, source, licence),
    third-party ones first so their provenance is never missed."""
    return store.rows("SELECT * FROM population_indicators ORDER BY third_party DESC, indicator_id")


def sources_loaded(store: Store) -> int:
    """How many population publications the store holds (changes when one is loaded)."""
    return int(store.scalar("SELECT count(*) FROM population_sources") or 0)


def indicator_entry(store: Store, indicator_id: str) -> Indicator:
    """The catalogue entry, including Fingertips indicators described by a loaded metadata file."""
    row = store.rows("SELECT * FROM population_indicators WHERE indicator_id = ?", [indicator_id])
    if row:
        r = row[0]
        return Indicator(r["indicator_id"], r["name"], r["definition"], r["polarity"], r["value_type"],
                         r["multiplier"], r["source"], r["licence"], r["third_party"], r["confidence"], r["unit"])
    return get_indicator(indicator_id)


def resolve_icb(store: Store, code: str) -> Organisation:
    """The ICB with this ODS code (QKK) or ONS code (E54000030)."""
    c = code.strip().upper()
    if c.startswith("E54"):
        found = store.scalar("SELECT code FROM organisations WHERE ons_code = ? AND kind = 'icb'", [c])
        if found is None:
            raise UnknownCodeError("ICB ONS code", code, [])
        c = str(found)
    org = get_organisation(store, c)
    if org.kind.value != "icb":
        raise UnknownCodeError("ICB code", code, [s for s in suggest_codes(store, c) if s.startswith("Q")])
    return org


def icbs_on(store: Store, on: dt.date) -> list[dict[str, Any]]:
    """The ICBs in force on ``on`` with their region then."""
    return store.rows("""
        SELECT o.code, o.name, o.ons_code, r.parent AS region, g.name AS region_name
        FROM organisations o
        LEFT JOIN relationships r ON r.child = o.code AND r.rel = 'icb_region' AND r.valid_from <= $d
             AND (r.valid_to IS NULL OR r.valid_to >= $d)
        LEFT JOIN organisations g ON g.code = r.parent
        WHERE o.kind = 'icb' AND (o.open_date IS NULL OR o.open_date <= $d)
              AND (o.close_date IS NULL OR o.close_date >= $d)
        ORDER BY o.code""", {"d": on})


def successions(store: Store) -> dict[str, list[Predecessor]]:
    """Every ICB formed from closed ICBs: its predecessors and the share of each one's trusts it took.

    A closed ICB's trusts that moved, on the day after it closed, to an ICB opened that day make
    the succession; an ICB split between successors is apportioned by the trusts each received.
    """
    rows = store.rows("""
        WITH moves AS (
            SELECT o.parent AS old, n.parent AS new
            FROM relationships o JOIN relationships n ON n.child = o.child
            JOIN organisations p ON p.code = o.parent AND p.kind = 'icb' AND p.close_date = o.valid_to
            JOIN organisations s ON s.code = n.parent AND s.kind = 'icb' AND s.open_date = n.valid_from
            WHERE o.rel = 'trust_icb' AND n.rel = 'trust_icb' AND n.valid_from = o.valid_to + INTERVAL 1 DAY
                  AND o.parent <> n.parent)
        SELECT m.new, m.old, p.name, count(*) AS moved, sum(count(*)) OVER (PARTITION BY m.old) AS total
        FROM moves m JOIN organisations p ON p.code = m.old
        GROUP BY m.new, m.old, p.name ORDER BY m.new, m.old""")
    out: dict[str, list[Predecessor]] = {}
    for r in rows:
        out.setdefault(r["new"], []).append(Predecessor(r["old"], r["name"], float(r["moved"]) / float(r["total"])))
    return out


def predecessors(store: Store, code: str) -> list[Predecessor]:
    """The closed ICBs that formed ``code``, each with the share of its trusts that moved to it."""
    return successions(store).get(code, [])


def population_weights(store: Store) -> dict[str, float]:
    """ICB populations (IMD 2025 estimate) used to weight values; empty when not loaded."""
    rows = store.execute("SELECT org_code, value FROM population_values WHERE indicator_id = 'population_estimate' "
                         "AND category = ''").fetchall()
    return {str(c): float(v) for c, v in rows}


def _cache(store: Store, cache: ValueCache | None) -> ValueCache:
    return cache if cache is not None else ValueCache(store)


def _direct(c: ValueCache, indicator_id: str, org: str, year: int | None) -> AreaValue | None:
    rows = c.rows(indicator_id)
    if year is None:
        years = [y for (o, y) in rows if o == org]
        if not years:
            return None
        year = max(years)
    row = rows.get((org, year))
    if row is None:
        return None
    v, lo, hi, n, d = row
    out = AreaValue(indicator_id, org, year, float(v), lo, hi, n, d)
    if (lo is None or hi is None) and n is not None and d:
        iv = _interval(c.entry(indicator_id), float(n), float(d))
        if iv is not None:
            out.lower_ci, out.upper_ci, out.method = iv[0], iv[1], f"published value, interval recomputed ({iv[2]})"
    return out


def _interval(ind: Indicator, count: float, denom: float) -> tuple[float, float, str] | None:
    if ind.value_type == "proportion" and 0 <= count <= denom:
        w = wilson_interval(count, denom, 0.95, ind.multiplier)
        return w.lower, w.upper, "Wilson"
    if ind.value_type == "crude_rate" and denom > 0:
        r = crude_rate(count, denom, ind.multiplier)
        return r.lower, r.upper, "Byar" if r.method == "byar" else "exact Poisson"
    return None


def _merged(c: ValueCache, indicator_id: str, code: str, preds: list[Predecessor],
            year: int | None) -> AreaValue | None:
    rows = c.rows(indicator_id)
    years = sorted({y for (_, y) in rows if all((p.code, y) in rows for p in preds)}, reverse=True)
    if year is not None:
        years = [y for y in years if y == year]
    if not years:
        return None
    parts = [(p, _direct(c, indicator_id, p.code, years[0])) for p in preds]
    names = [p.code + ("" if p.share == 1 else f" ({p.share:.0%} of its trusts)") for p in preds]
    if all(v is not None and v.count is not None and v.denominator for _, v in parts):
        n = sum(p.share * float(v.count or 0) for p, v in parts if v is not None)
        d = sum(p.share * float(v.denominator or 0) for p, v in parts if v is not None)
        ind = c.entry(indicator_id)
        iv = _interval(ind, n, d)
        return AreaValue(indicator_id, code, years[0], n / d * ind.multiplier, iv[0] if iv else None,
                         iv[1] if iv else None, n, d, "summed counts of predecessors " + ", ".join(names),
                         [p.code for p in preds])
    if not all(p.code in c.weights for p in preds):
        return None
    w = {p.code: c.weights[p.code] * p.share for p in preds}
    total = sum(w.values())
    value = sum(w[p.code] * v.value for p, v in parts if v is not None) / total
    return AreaValue(indicator_id, code, years[0], value, None, None, None, None,
                     "population-weighted mean of predecessors " + ", ".join(names), [p.code for p in preds])


def icb_value(store: Store, indicator_id: str, code: str, year: int | None = None,
              cache: ValueCache | None = None) -> AreaValue | None:
    """The ICB's value for ``year`` (latest held when None): as published, or from its predecessors."""
    c = _cache(store, cache)
    direct = _direct(c, indicator_id, code, year)
    if direct is not None:
        return direct
    preds = c.predecessors(code)
    return _merged(c, indicator_id, code, preds, year) if preds else None


def icb_series(store: Store, indicator_id: str, code: str, cache: ValueCache | None = None) -> list[AreaValue]:
    """Every year the ICB has a value (directly or from its predecessors), oldest first."""
    c = _cache(store, cache)
    years = sorted({y for (_, y) in c.rows(indicator_id)})
    out = [icb_value(store, indicator_id, code, y, c) for y in years]
    return [v for v in out if v is not None]


def area_value(values: list[AreaValue], weights: dict[str, float], indicator_id: str, code: str,
               year: int) -> AreaValue | None:
    """Population-weighted mean of ICB values (a region, or England when nothing is published)."""
    held = [v for v in values if v.year == year]
    w = {v.org_code: weights.get(v.org_code) or sum(weights.get(p, 0.0) for p in v.predecessors) for v in held}
    held = [v for v in held if w[v.org_code] > 0]
    if not held:
        return None
    total = sum(w[v.org_code] for v in held)
    return AreaValue(indicator_id, code, year, sum(w[v.org_code] * v.value for v in held) / total,
                     method=f"population-weighted mean of {len(held)} ICB values")


def england_value(store: Store, indicator_id: str, year: int, cache: ValueCache | None = None) -> AreaValue | None:
    """England's published value for the year, else the population-weighted mean of the 42 ICBs."""
    c = _cache(store, cache)
    direct = _direct(c, indicator_id, ENGLAND, year)
    if direct is not None:
        return direct
    held = [(o, float(r[0])) for (o, y), r in c.rows(indicator_id).items() if y == year and o in c.weights]
    if len(held) < 2:
        return None
    total = sum(c.weights[o] for o, _ in held)
    return AreaValue(indicator_id, ENGLAND, year, sum(c.weights[o] * v for o, v in held) / total,
                     method=f"derived: population-weighted mean of {len(held)} ICBs")
