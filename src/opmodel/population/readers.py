"""Readers for population-health files, recognised by their header, not their name.

Three layouts: Fingertips indicator data (the standard download: ``IndicatorId, Year, AgeID,
SexID, AreaCode, Count, Value, LowerCI, UpperCI, Denominator, …``) with its indicator metadata,
the third-party ICB extract (``year, org, metric, value, domain``), and the IMD 2025 ICB
summaries (``icb24_code, …``). Each returns validated rows; a bad cell raises ``InputError``
naming the file, line and field.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from opmodel.errors import InputError
from opmodel.population.catalogue import (
    FINGERTIPS_PREFIX,
    THIRD_PARTY_METRICS,
    Indicator,
    indicator_from_fingertips,
)

__all__ = ["PopulationFile", "PopulationRow", "detect_layout", "read_population_file"]

FINGERTIPS_DATA = {"IndicatorId", "Year", "AreaCode", "Count", "Value", "LowerCI", "UpperCI", "Denominator"}
FINGERTIPS_META = {"IndicatorID", "Polarity", "BenchmarkComparisonMethod", "ValueType", "IndicatorName"}
THIRD_PARTY = {"year", "org", "metric", "value", "domain"}
IMD_ICB = {"icb24_code", "imd_average_score", "income_scale", "income_average_score"}


@dataclass(frozen=True)
class PopulationRow:
    """One indicator value for one area, year and (optional) inequality category."""

    indicator_id: str
    area_code: str          # as published: E92000001, E54…, E38…, E06…, or an ODS ICB code
    year: int               # calendar year, or the first year of a financial/academic year
    value: float
    count: float | None = None
    denominator: float | None = None
    lower_ci: float | None = None
    upper_ci: float | None = None
    category: str = ""      # e.g. "Most deprived decile (IMD2019)"; "" for the whole area
    source_row: int | None = None


@dataclass
class PopulationFile:
    """What one file held: its layout, rows and (for Fingertips) catalogue entries."""

    path: Path
    layout: str             # fingertips_data | fingertips_indicators | icb_extract | imd_icb
    source: str
    third_party: bool
    rows: list[PopulationRow]
    indicators: list[Indicator]


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [h.strip() for h in next(csv.reader(fh), [])]


def detect_layout(path: Path) -> str | None:
    """Which population layout ``path`` has, or None if it is none of them."""
    if path.suffix.lower() != ".csv":
        return None
    cols = set(_header(path))
    for layout, need in (("fingertips_data", FINGERTIPS_DATA), ("fingertips_indicators", FINGERTIPS_META),
                         ("icb_extract", THIRD_PARTY), ("imd_icb", IMD_ICB)):
        if need <= cols:
            return layout
    return None


def _records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from enumerate(csv.DictReader(fh), start=2)


def _num(path: Path, line: int, fld: str, text: str | None, *, required: bool = False) -> float | None:
    t = (text or "").strip()
    if not t or t.upper() in {"NA", "NAN"}:
        if required:
            raise InputError.one(path, line, fld, "expected a number, found an empty cell")
        return None
    try:
        v = float(t)
    except ValueError:
        raise InputError.one(path, line, fld, f"expected a number, found '{t[:40]}'") from None
    if not math.isfinite(v):
        raise InputError.one(path, line, fld, f"expected a finite number, found '{t[:40]}'")
    return v


def _year(path: Path, line: int, fld: str, text: str) -> int:
    t = (text or "").strip()[:4]
    if not (t.isdigit() and 1990 <= int(t) <= 2100):
        raise InputError.one(path, line, fld, f"expected a year such as 2023, found '{text[:20]}'")
    return int(t)


def _breakdown(r: dict[str, str], default_sex: str, default_age: str) -> str:
    """The row's breakdown: '' for the indicator's headline sex and age with no category.

    Fingertips puts the category's label in ``CategoryType`` and the kind of breakdown in
    ``Category`` (e.g. "County & UA deprivation deciles in England …"); both are kept.
    """
    parts: list[str] = []
    sex, age = (r.get("Sex") or "").strip(), (r.get("Age") or "").strip()
    if sex != default_sex:
        parts.append(sex)
    if age != default_age:
        parts.append(age)
    label, kind = (r.get("CategoryType") or "").strip(), (r.get("Category") or "").strip().strip('"')
    if label:
        parts.append(f"{kind}: {label}" if kind else label)
    return "; ".join(parts)


def _headline(records: list[tuple[int, dict[str, str]]]) -> dict[str, tuple[str, str]]:
    """Per indicator, the headline sex (Persons when published) and its most common age band."""
    by: dict[str, Counter[tuple[str, str]]] = {}
    for _, r in records:
        by.setdefault(r.get("IndicatorId", ""), Counter())[((r.get("Sex") or "").strip(),
                                                             (r.get("Age") or "").strip())] += 1
    out: dict[str, tuple[str, str]] = {}
    for ind, c in by.items():
        sexes = {s for s, _ in c}
        sex = "Persons" if "Persons" in sexes else max(sexes, key=lambda x: sum(n for (s, _), n in c.items() if s == x))
        out[ind] = (sex, max(((a, n) for (s, a), n in c.items() if s == sex), key=lambda t: t[1])[0])
    return out


def _fingertips(path: Path) -> PopulationFile:
    rows: list[PopulationRow] = []
    seen: dict[int, Indicator] = {}
    records = list(_records(path))
    headline = _headline(records)
    for line, r in records:
        value = _num(path, line, "Value", r.get("Value"))
        if value is None:
            continue
        fid_text = (r.get("IndicatorId") or "").strip()
        if not fid_text.isdigit():
            raise InputError.one(path, line, "IndicatorId", f"expected a Fingertips indicator number, found "
                                 f"'{fid_text[:20]}'")
        fid = int(fid_text)
        if fid not in seen and r.get("IndicatorName"):
            seen[fid] = indicator_from_fingertips(fid, r["IndicatorName"].strip(), r.get("Polarity"),
                                                  r.get("ValueType"))
        rows.append(PopulationRow(
            f"{FINGERTIPS_PREFIX}{fid}", (r.get("AreaCode") or "").strip(), _year(path, line, "Year", r["Year"]),
            value, _num(path, line, "Count", r.get("Count")), _num(path, line, "Denominator", r.get("Denominator")),
            _num(path, line, "LowerCI", r.get("LowerCI")), _num(path, line, "UpperCI", r.get("UpperCI")),
            _breakdown(r, *headline[r.get("IndicatorId", "")]), line))
    return PopulationFile(path, "fingertips_data", "OHID Fingertips", False, rows, list(seen.values()))


def _fingertips_meta(path: Path) -> PopulationFile:
    out: list[Indicator] = []
    for line, r in _records(path):
        fid = (r.get("IndicatorID") or "").strip()
        if not fid.isdigit():
            raise InputError.one(path, line, "IndicatorID", f"expected a Fingertips indicator number, found '{fid}'")
        out.append(indicator_from_fingertips(int(fid), (r.get("IndicatorName") or "").strip(), r.get("Polarity"),
                                             r.get("ValueType"), r.get("BenchmarkComparisonMethod")))
    return PopulationFile(path, "fingertips_indicators", "OHID Fingertips", False, [], out)


#: Indicators the extract holds as shares of the population (percentages in opmodel).
_SHARES = frozenset({"core20_share", "least_deprived_share", "age_60_plus"})


def _icb_extract(path: Path) -> PopulationFile:
    """The third-party ICB extract; a share's unit is decided once per indicator for the whole file.

    The extract could hold a share as a fraction (0.24) or a percentage (24.1). Deciding per value
    (multiplying anything at most 1 by 100) turned Surrey Heartlands' genuine 0.56% Core20 share
    into 56% (issue 21). So each share indicator is a fraction only if *every* value of it in the
    file is at most 1; in the published extract all three are percentages.
    """
    found: list[tuple[int, str, str, float, int]] = []
    for line, r in _records(path):
        ind = THIRD_PARTY_METRICS.get((r.get("metric") or "").strip())
        if ind is None:
            continue
        org = (r.get("org") or "").strip()
        if not org:
            raise InputError.one(path, line, "org", "expected an ICB code such as QKK, found an empty cell")
        value = _num(path, line, "value", r.get("value"))
        if value is None:
            continue
        found.append((line, ind, org, value, _year(path, line, "year", r.get("year") or "")))
    fractions = {ind for ind in _SHARES if any(i == ind for _, i, _, _, _ in found)
                 and all(v <= 1 for _, i, _, v, _ in found if i == ind)}
    rows: list[PopulationRow] = []
    for line, ind, org, value, year in found:
        pct = value * 100 if ind in fractions else value
        if ind in _SHARES and not 0 <= pct <= 100:
            raise InputError.one(path, line, "value", f"{ind} for {org}: {value:g} is not a share of the "
                                                      "population; expected a percentage from 0 to 100")
        rows.append(PopulationRow(ind, org, year, pct, source_row=line))
    return PopulationFile(path, "icb_extract", "Third-party ICB extract (fpt_analysis)", True, rows, [])


def _imd(path: Path) -> PopulationFile:
    rows: list[PopulationRow] = []
    for line, r in _records(path):
        code = (r.get("icb24_code") or "").strip()
        if not code.startswith("E54"):
            raise InputError.one(path, line, "icb24_code", f"expected an ONS ICB code (E54…), found '{code}'")
        score = _num(path, line, "imd_average_score", r.get("imd_average_score"), required=True)
        scale = _num(path, line, "income_scale", r.get("income_scale"), required=True)
        rate = _num(path, line, "income_average_score", r.get("income_average_score"), required=True)
        assert score is not None and scale is not None and rate is not None
        if rate <= 0:
            raise InputError.one(path, line, "income_average_score", "expected a positive income-deprivation rate")
        rows.append(PopulationRow("imd2025_score", code, 2025, score, source_row=line))
        rows.append(PopulationRow("population_estimate", code, 2025, round(scale / rate), source_row=line))
    return PopulationFile(path, "imd_icb", "IMD 2025 ICB summaries", False, rows, [])


def read_population_file(path: Path | str) -> PopulationFile:
    """Read one population-health file, whichever of the known layouts it has."""
    p = Path(path)
    if not p.is_file():
        raise InputError.one(p, None, None, "no such file")
    layout = detect_layout(p)
    readers = {"fingertips_data": _fingertips, "fingertips_indicators": _fingertips_meta,
               "icb_extract": _icb_extract, "imd_icb": _imd}
    if layout is None:
        raise InputError.one(p, 1, None, "not a recognised population-health file: expected a Fingertips download, "
                                         "Fingertips indicator metadata, the ICB extract (year, org, metric, value, "
                                         "domain) or the IMD 2025 ICB summaries")
    return readers[layout](p)
