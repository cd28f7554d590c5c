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

__all__ = ["AreaValue", "Predecessor", "area_value", "england_value", "icb_series", "icb_value", "icbs_on",
           "indicator_entry", "population_weights", "predecessors", "resolve_icb"]


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


def predecessors(store: Store, code: str) -> list[Predecessor]:
    """The closed ICBs that formed ``code``, each with the share of its trusts that moved to it."""
    opened = store.scalar("SELECT open_date FROM organisations WHERE code = ?", [code])
    if opened is None:
        return []
    rows = store.rows("""
        WITH moves AS (
            SELECT o.parent AS old, n.parent AS new
            FROM relationships o JOIN relationships n ON n.child = o.child
            WHERE o.rel = 'trust_icb' AND n.rel = 'trust_icb' AND o.valid_to = $day_before
                  AND n.valid_from = $opened AND o.parent <> n.parent)
        SELECT m.old AS code, p.name, count(*) FILTER (WHERE m.new = $code) AS moved, count(*) AS total
        FROM moves m JOIN organisations p ON p.code = m.old AND p.kind = 'icb' AND p.close_date = $day_before
        GROUP BY m.old, p.name HAVING count(*) FILTER (WHERE m.new = $code) > 0 ORDER BY m.old""",
                      {"opened": opened, "day_before": opened - dt.timedelta(days=1), "code": code})
    return [Predecessor(r["code"], r["name"], r["moved"] / r["total"]) for r in rows]


def population_weights(store: Store) -> dict[str, float]:
    """ICB populations (IMD 2025 estimate) used to weight values; empty when not loaded."""
    rows = store.execute("SELECT org_code, value FROM population_values WHERE indicator_id = 'population_estimate' "
                         "AND category = ''").fetchall()
    return {str(c): float(v) for c, v in rows}


def _direct(store: Store, indicator_id: str, org: str, year: int | None) -> AreaValue | None:
    sql = ("SELECT year, value, lower_ci, upper_ci, count, denominator FROM population_values "
           "WHERE indicator_id = ? AND org_code = ? AND category = ''")
    params: list[Any] = [indicator_id, org]
    if year is not None:
        sql += " AND year = ?"
        params.append(year)
    row = store.execute(sql + " ORDER BY year DESC LIMIT 1", params).fetchone()
    if row is None:
        return None
    y, v, lo, hi, n, d = row
    out = AreaValue(indicator_id, org, int(y), float(v), lo, hi, n, d)
    if (lo is None or hi is None) and n is not None and d:
        iv = _interval(indicator_entry(store, indicator_id), float(n), float(d))
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


def _years(store: Store, indicator_id: str, orgs: list[str]) -> list[int]:
    """Years in which every one of ``orgs`` has a value, newest first."""
    rows = store.execute(
        f"SELECT year FROM population_values WHERE indicator_id = ? AND category = '' AND org_code IN "
        f"({', '.join('?' * len(orgs))}) GROUP BY year HAVING count(DISTINCT org_code) = ? ORDER BY year DESC",
        [indicator_id, *orgs, len(orgs)]).fetchall()
    return [int(r[0]) for r in rows]


def _merged(store: Store, indicator_id: str, code: str, preds: list[Predecessor], year: int | None,
            weights: dict[str, float]) -> AreaValue | None:
    years = _years(store, indicator_id, [p.code for p in preds])
    if year is not None:
        years = [y for y in years if y == year]
    if not years:
        return None
    parts = [(p, _direct(store, indicator_id, p.code, years[0])) for p in preds]
    names = [p.code + ("" if p.share == 1 else f" ({p.share:.0%} of its trusts)") for p in preds]
    if all(v is not None and v.count is not None and v.denominator for _, v in parts):
        n = sum(p.share * float(v.count or 0) for p, v in parts if v is not None)
        d = sum(p.share * float(v.denominator or 0) for p, v in parts if v is not None)
        ind = indicator_entry(store, indicator_id)
        iv = _interval(ind, n, d)
        return AreaValue(indicator_id, code, years[0], n / d * ind.multiplier, iv[0] if iv else None,
                         iv[1] if iv else None, n, d, "summed counts of predecessors " + ", ".join(names),
                         [p.code for p in preds])
    if not all(p.code in weights for p in preds):
        return None
    w = {p.code: weights[p.code] * p.share for p in preds}
    total = sum(w.values())
    value = sum(w[p.code] * v.value for p, v in parts if v is not None) / total
    return AreaValue(indicator_id, code, years[0], value, None, None, None, None,
                     "population-weighted mean of predecessors " + ", ".join(names), [p.code for p in preds])


def icb_value(store: Store, indicator_id: str, code: str, year: int | None = None,
              weights: dict[str, float] | None = None) -> AreaValue | None:
    """The ICB's value for ``year`` (latest held when None): as published, or from its predecessors."""
    direct = _direct(store, indicator_id, code, year)
    if direct is not None:
        return direct
    preds = predecessors(store, code)
    if not preds:
        return None
    return _merged(store, indicator_id, code, preds, year, population_weights(store) if weights is None else weights)


def icb_series(store: Store, indicator_id: str, code: str) -> list[AreaValue]:
    """Every year the ICB has a value (directly or from its predecessors), oldest first."""
    years = [int(r[0]) for r in store.execute(
        "SELECT DISTINCT year FROM population_values WHERE indicator_id = ? AND category = '' ORDER BY year",
        [indicator_id]).fetchall()]
    weights = population_weights(store)
    out = [icb_value(store, indicator_id, code, y, weights) for y in years]
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


def england_value(store: Store, indicator_id: str, year: int) -> AreaValue | None:
    """England's published value for the year, else the population-weighted mean of the 42 ICBs."""
    direct = _direct(store, indicator_id, ENGLAND, year)
    if direct is not None:
        return direct
    weights = population_weights(store)
    rows = store.execute("SELECT org_code, value FROM population_values WHERE indicator_id = ? AND year = ? "
                         "AND category = ''", [indicator_id, year]).fetchall()
    held = [(str(c), float(v)) for c, v in rows if str(c) in weights]
    if len(held) < 2:
        return None
    total = sum(weights[c] for c, _ in held)
    return AreaValue(indicator_id, ENGLAND, year, sum(weights[c] * v for c, v in held) / total,
                     method=f"derived: population-weighted mean of {len(held)} ICBs")
