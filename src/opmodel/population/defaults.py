"""The population-health data shipped in the package, seeded into every new store.

``scripts/build_population_data.py`` runs the population readers over ``../shared/data`` and
writes zstd Parquet files to ``population/data``: values (England, the 42 ICBs and England's
deprivation-decile breakdowns), the catalogue, the source files, and the local authority districts
(IMD 2025 by district with their ICB), which is read from the package rather than seeded.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from opmodel.store import Store

__all__ = ["DATA_DIR", "INDICATORS_FILE", "LOCAL_AREAS_FILE", "SOURCES_FILE", "VALUES_FILE", "seed_population"]

DATA_DIR = Path(str(resources.files("opmodel.population") / "data"))
VALUES_FILE = DATA_DIR / "population_values.parquet"
INDICATORS_FILE = DATA_DIR / "population_indicators.parquet"
SOURCES_FILE = DATA_DIR / "population_sources.parquet"
#: The 296 local authority districts with IMD 2025 domains and their ICBs (read as a file, not seeded).
LOCAL_AREAS_FILE = DATA_DIR / "local_areas.parquet"


def seed_population(store: Store, data_dir: Path | None = None) -> None:
    """Copy the shipped catalogue and values into a store (nothing to do if the package has none)."""
    d = DATA_DIR if data_dir is None else data_dir
    values, indicators, sources = (d / f.name for f in (VALUES_FILE, INDICATORS_FILE, SOURCES_FILE))
    if not (values.exists() and indicators.exists() and sources.exists()):
        return
    with store.transaction():
        store.execute("INSERT OR REPLACE INTO population_indicators SELECT * FROM read_parquet($f)",
                      {"f": str(indicators)})
        store.execute("""
            CREATE OR REPLACE TEMP TABLE _pop_source_map AS
            SELECT source_id AS old_id, nextval('population_source_seq') AS new_id, file_name, sha256, layout,
                   source, third_party, loaded_at
            FROM read_parquet($f) WHERE sha256 NOT IN (SELECT sha256 FROM population_sources)""",
                      {"f": str(sources)})
        store.execute("INSERT INTO population_sources SELECT new_id, file_name, sha256, layout, source, "
                      "third_party, loaded_at FROM _pop_source_map")
        store.execute("""
            INSERT OR IGNORE INTO population_values
            SELECT v.indicator_id, v.area_code, v.org_code, v.year, v.category, v.value, v.count, v.denominator,
                   v.lower_ci, v.upper_ci, m.new_id, v.source_row
            FROM read_parquet($f) v JOIN _pop_source_map m ON m.old_id = v.source_id""", {"f": str(values)})
        store.execute("DROP TABLE _pop_source_map")
