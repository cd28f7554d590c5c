"""Inequality within an ICB: its local authority districts by deprivation, with the slope index.

England's deprivation deciles say how unequal the country is; an ICB asks how unequal its own
population is. The package ships the 296 districts of England with their IMD 2025 domain scores,
national deprivation quintile and ICB (``local_areas.parquet``, built by
``scripts/build_population_data.py``). For one ICB this module groups its districts by national
quintile and computes the SII across the districts themselves, ordered from the most deprived
(PHE's convention, :func:`opmodel.population.stats.slope_index_of_inequality`), for an IMD domain
or for any indicator loaded at district level (Fingertips downloads hold them).

The IMD domains are parts of the index that orders the districts, so a gradient in them is partly
built in; they are shown because they are the measures held for every district, and the answer
says so.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.population.defaults import LOCAL_AREAS_FILE
from opmodel.population.icb import resolve_icb
from opmodel.population.inequality import sii_json
from opmodel.population.stats import slope_index_of_inequality
from opmodel.store import Store

__all__ = ["LOCAL_MEASURES", "LocalMeasure", "icb_districts", "icb_inequality", "local_areas"]

#: The first day of the ICB footprints formed in April 2026 (the 36 ICBs).
FOOTPRINTS_2026 = dt.date(2026, 4, 1)
_IMD = "MHCLG English Indices of Deprivation 2025, district summaries (via the R package IMD)"
_CAVEAT = ("IMD domains are parts of the index that orders the districts, so part of this gradient is built in; "
           "they are the measures held for every district.")
_QUINTILES = {1: "most deprived 20% of districts", 2: "second most deprived 20%", 3: "middle 20%",
              4: "second least deprived 20%", 5: "least deprived 20% of districts"}


@dataclass(frozen=True)
class LocalMeasure:
    """A district-level measure: its column, name, unit, polarity and, for a rate, its count column."""

    measure_id: str
    column: str
    name: str
    unit: str
    polarity: str
    count: str | None = None


LOCAL_MEASURES: dict[str, LocalMeasure] = {m.measure_id: m for m in (
    LocalMeasure("health", "health_score", "Health deprivation and disability (IMD 2025 domain score; higher is "
                 "worse health)", "", "low_is_good"),
    LocalMeasure("income", "income_rate", "Residents in income deprivation (IMD 2025)", "%", "low_is_good",
                 "income_count"),
    LocalMeasure("employment", "employment_rate", "Working-age residents in employment deprivation (IMD 2025)", "%",
                 "low_is_good", "employment_count"),
    LocalMeasure("education", "education_score", "Education, skills and training (IMD 2025 domain score)", "",
                 "low_is_good"),
    LocalMeasure("crime", "crime_score", "Crime (IMD 2025 domain score)", "", "low_is_good"),
    LocalMeasure("housing", "housing_score", "Barriers to housing and services (IMD 2025 domain score)", "",
                 "low_is_good"),
    LocalMeasure("environment", "environment_score", "Living environment (IMD 2025 domain score)", "",
                 "low_is_good"),
    LocalMeasure("imd", "imd_score", "Index of Multiple Deprivation 2025 (average score)", "", "low_is_good"),
)}


@functools.lru_cache(maxsize=1)
def local_areas() -> pd.DataFrame:
    """The shipped districts table (empty frame when the package was built without it)."""
    if not LOCAL_AREAS_FILE.exists():
        return pd.DataFrame()
    return pd.read_parquet(LOCAL_AREAS_FILE)


def icb_districts(store: Store, code: str, on: dt.date | None = None) -> tuple[str, str, pd.DataFrame]:
    """(ICB code, name, its districts) on ``on``: the 42 ICBs before April 2026, the 36 from then."""
    org = resolve_icb(store, code)
    day = on or dt.date.today()
    areas = local_areas()
    if areas.empty:
        raise OpmodelError("The district table is not in this package; run scripts/build_population_data.py.")
    first, second = ("icb_code_2026", "icb_code") if day >= FOOTPRINTS_2026 else ("icb_code", "icb_code_2026")
    mine = areas[areas[first] == org.code]
    if mine.empty:
        mine = areas[areas[second] == org.code]   # asked about an ICB outside its own years: its own footprint
    if mine.empty:
        raise OpmodelError(f"No local authority districts are held for {org.code} ({org.name}).")
    return org.code, org.name, mine.sort_values("imd_score", ascending=False).reset_index(drop=True)


def _district_values(store: Store, measure: str, areas: pd.DataFrame) -> tuple[dict[str, dict[str, Any]], str, str,
                                                                               str, str | None]:
    """Values by district for a loaded indicator: (values, name, unit, polarity, year)."""
    codes = list(areas["la_code"])
    row = store.rows("SELECT name, polarity, unit FROM population_indicators WHERE indicator_id = ?", [measure])
    if not row:
        raise UnknownCodeError("district measure", measure, sorted(LOCAL_MEASURES))
    got = store.rows(
        f"SELECT org_code, year, value, lower_ci, upper_ci, count, denominator FROM population_values "
        f"WHERE indicator_id = ? AND category = '' AND org_code IN ({', '.join('?' * len(codes))})",
        [measure, *codes])
    if not got:
        raise OpmodelError(f"No district values of {measure} are held for these districts; load a Fingertips "
                           "download with district rows (`opmodel population load`).")
    year = max(int(r["year"]) for r in got)
    values = {str(r["org_code"]): r for r in got if int(r["year"]) == year}
    return values, str(row[0]["name"]), str(row[0]["unit"] or ""), str(row[0]["polarity"]), str(year)


def _group(rows: list[dict[str, Any]], with_counts: bool) -> float | None:
    held = [r for r in rows if r["value"] is not None]
    if not held:
        return None
    if with_counts and all(r.get("count") is not None and r.get("denominator") for r in held):
        return 100 * sum(float(r["count"]) for r in held) / sum(float(r["denominator"]) for r in held)
    pop = sum(float(r["population"]) for r in held)
    return sum(float(r["value"]) * float(r["population"]) for r in held) / pop


def icb_inequality(store: Store, code: str, measure: str = "health", on: dt.date | None = None) -> dict[str, Any]:
    """The ICB's districts by national deprivation quintile for one measure, with the SII across them."""
    icb, name, frame = icb_districts(store, code, on)
    areas: list[dict[str, Any]] = [{str(k): v for k, v in rec.items()} for rec in frame.to_dict("records")]
    fixed = LOCAL_MEASURES.get(measure)
    rows: list[dict[str, Any]] = []
    year: str | None
    if fixed is not None:
        m_name, unit, polarity, year, source = fixed.name, fixed.unit, fixed.polarity, "2025", _IMD
        for a in areas:
            value = float(a[fixed.column])
            count = float(a[fixed.count]) if fixed.count else None
            den = count / value * 100 if count is not None and value else None
            rows.append({"value": value, "count": count, "denominator": den, "lower": None, "upper": None,
                         "se": (math.sqrt(value / 100 * (1 - value / 100) / den) * 100 if den else None)})
    else:
        held, m_name, unit, polarity, year = _district_values(store, measure, frame)
        source = "Loaded district values (Fingertips)"
        for a in areas:
            r = held.get(str(a["la_code"]))
            rows.append({"value": float(r["value"]) if r else None, "count": r["count"] if r else None,
                         "denominator": r["denominator"] if r else None, "lower": r["lower_ci"] if r else None,
                         "upper": r["upper_ci"] if r else None, "se": None})
    out_areas = []
    for a, r in zip(areas, rows, strict=True):
        out_areas.append({"la_code": a["la_code"], "la_name": a["la_name"], "quintile": int(a["quintile"]),
                          "imd_score": float(a["imd_score"]), "imd_rank": int(a["imd_rank"]),
                          "population": float(a["population"]), **{k: v for k, v in r.items() if k != "se"}})
    quintiles = []
    for q in sorted({a["quintile"] for a in out_areas}):
        members = [a for a in out_areas if a["quintile"] == q]
        quintiles.append({"quintile": q, "label": _QUINTILES[q], "districts": [a["la_name"] for a in members],
                          "population": sum(a["population"] for a in members),
                          "value": _group(members, fixed is not None and fixed.count is not None)})
    usable = [(a, r) for a, r in zip(out_areas, rows, strict=True) if a["value"] is not None]
    sii: dict[str, Any] | None = None
    why = None
    if len(usable) < 3:
        why = (f"{name} has {len(usable)} district(s) with a value; the slope index needs at least three groups")
    else:
        ses = [r["se"] for _, r in usable]
        limits = all(r["lower"] is not None and r["upper"] is not None for _, r in usable)
        res = slope_index_of_inequality(
            [a["value"] for a, _ in usable], [a["population"] for a, _ in usable],
            se=ses if all(s is not None for s in ses) else None,
            lower=[float(r["lower"]) for _, r in usable] if limits else None,
            upper=[float(r["upper"]) for _, r in usable] if limits else None)
        sii = {**sii_json(res, polarity), "groups_are": "districts of the ICB ordered by IMD 2025 average score, "
                                                         "most deprived first"}
    coverage = float(areas[0]["icb_coverage"]) if on is not None and on < FOOTPRINTS_2026 else None
    notes = [_CAVEAT] if fixed is not None and fixed.measure_id != "imd" else []
    if coverage is not None and abs(coverage - 1) > 0.001:
        notes.append(f"The districts placed in {icb} hold {coverage:.1%} of its own IMD 2025 income-deprived count: "
                     "districts that straddle ICB boundaries are placed whole where most of them lie.")
    return {"org_code": icb, "org_name": name, "on": (on or dt.date.today()).isoformat(),
            "measure": {"id": measure, "name": m_name, "unit": unit, "polarity": polarity, "year": year,
                        "source": source},
            "districts": out_areas, "quintiles": quintiles, "sii": sii, "sii_note": why, "notes": notes,
            "quintile_basis": "national quintile of the 296 districts by IMD 2025 rank of average score "
                              "(1 = most deprived)"}
