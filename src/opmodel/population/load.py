"""Loading population-health files into the store: atomic, idempotent by file content.

Each file is read by :mod:`opmodel.population.readers`; values replace earlier ones for the
same indicator, area, year and category, and published area codes are mapped to the registry's
ODS codes (ONS E54… and E40… through ``organisations.ons_code``) so every view can ask by either;
sub-ICB (E38) and local-authority codes stay as published (the registry holds no ONS code for them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from opmodel.errors import InputError
from opmodel.population.catalogue import CATALOGUE, Indicator
from opmodel.population.readers import PopulationFile, detect_layout, read_population_file
from opmodel.store import Store

__all__ = ["ENGLAND", "LoadResult", "load_population_files", "population_files", "save_indicators"]

ENGLAND = "england"
_ENGLAND_ONS = "E92000001"


@dataclass(frozen=True)
class LoadResult:
    file: str
    layout: str
    rows: int
    skipped: bool   # the same content was loaded before


def population_files(paths: Iterable[Path | str]) -> list[Path]:
    """The population-health files among ``paths`` (folders are searched recursively)."""
    out: list[Path] = []
    for p in map(Path, paths):
        candidates = sorted(p.rglob("*.csv")) if p.is_dir() else [p]
        out.extend(c for c in candidates if c.is_file() and detect_layout(c) is not None)
    return out


def save_indicators(store: Store, indicators: Sequence[Indicator]) -> None:
    """Insert or update catalogue entries."""
    store.con.executemany(
        "INSERT OR REPLACE INTO population_indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[i.indicator_id, i.name, i.definition, i.polarity, i.value_type, i.multiplier, i.unit, i.confidence,
          i.source, i.licence, i.third_party] for i in indicators])


def _save(store: Store, f: PopulationFile, sha: str) -> int:
    sid = int(store.scalar("SELECT nextval('population_source_seq')"))
    store.execute("INSERT INTO population_sources(source_id, file_name, sha256, layout, source, third_party) "
                  "VALUES (?, ?, ?, ?, ?, ?)", [sid, f.path.name, sha, f.layout, f.source, f.third_party])
    if f.indicators:
        # Fingertips metadata refines (not replaces) what the data file said; fixed entries stay as they are.
        save_indicators(store, [i for i in f.indicators if i.indicator_id not in CATALOGUE])
    if not f.rows:
        return 0
    import pyarrow as pa

    cols = {k: [getattr(r, k) for r in f.rows] for k in ("indicator_id", "area_code", "year", "category", "value",
                                                          "count", "denominator", "lower_ci", "upper_ci",
                                                          "source_row")}
    store.con.register("_population_batch", pa.table(cols))
    store.execute("""
        INSERT OR REPLACE INTO population_values
        SELECT b.indicator_id, b.area_code,
               CASE WHEN b.area_code = $eng THEN $england
                    ELSE coalesce((SELECT o.code FROM organisations o WHERE o.ons_code = b.area_code
                                   AND o.kind IN ('icb', 'region') LIMIT 1), b.area_code) END,
               b.year, b.category, b.value, b.count, b.denominator, b.lower_ci, b.upper_ci, $sid, b.source_row
        FROM _population_batch b""", {"eng": _ENGLAND_ONS, "england": ENGLAND, "sid": sid})
    store.con.unregister("_population_batch")
    return len(f.rows)


def load_population_files(store: Store, paths: Iterable[Path | str]) -> list[LoadResult]:
    """Load every population-health file under ``paths`` in one transaction (all or nothing)."""
    files = population_files(paths)
    if not files:
        raise InputError.one(", ".join(map(str, paths)) if not isinstance(paths, Path) else paths, None, None,
                             "no population-health files found (Fingertips download or metadata, ICB extract "
                             "or IMD 2025 ICB summaries)")
    parsed = [(read_population_file(p), hashlib.sha256(p.read_bytes()).hexdigest()) for p in files]
    out: list[LoadResult] = []
    with store.transaction():
        save_indicators(store, list(CATALOGUE.values()))
        for f, sha in parsed:
            if store.scalar("SELECT count(*) FROM population_sources WHERE sha256 = ?", [sha]):
                out.append(LoadResult(str(f.path), f.layout, 0, True))
                continue
            out.append(LoadResult(str(f.path), f.layout, _save(store, f, sha), False))
    return out
