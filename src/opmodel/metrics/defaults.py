"""The default metric values shipped in the package, seeded into every new store.

``scripts/build_metrics_data.py`` runs every registered reader over ``../shared/data``
and writes three zstd Parquet files to ``metrics/data``: the values, their sources (file,
sha256, publication, version) and the providers that are not in the ODS registry. Seeding
copies them in with DuckDB's ``read_parquet`` (well under a second), so a new user sees real
figures at once and loading the same published files later finds them already loaded.

Each source keeps its publication version (third-party sources rank below official ones,
:data:`opmodel.metrics.publishing.THIRD_PARTY_VERSION`), and its ``loaded_at`` is the moment
the values entered *this* store, so "loaded on" in a board pack is the store's own date.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

from opmodel.store import Store

__all__ = ["DATA_DIR", "ORGS_FILE", "SOURCES_FILE", "VALUES_FILE", "seed_metrics"]

DATA_DIR = Path(str(resources.files("opmodel.metrics") / "data"))
VALUES_FILE = DATA_DIR / "metric_values.parquet"
SOURCES_FILE = DATA_DIR / "metric_sources.parquet"
ORGS_FILE = DATA_DIR / "other_providers.parquet"


def seed_metrics(store: Store, data_dir: Path | None = None) -> None:
    """Copy the shipped values into a store (nothing to do if the package has none)."""
    d = DATA_DIR if data_dir is None else data_dir
    values, sources, orgs = (d / f.name for f in (VALUES_FILE, SOURCES_FILE, ORGS_FILE))
    if not (values.exists() and sources.exists() and orgs.exists()):
        return
    has_version = "version" in {r[0] for r in store.execute(
        "DESCRIBE SELECT * FROM read_parquet($f)", {"f": str(sources)}).fetchall()}
    version = "version" if has_version else (  # a file built before versions were shipped: write.version_from_name
        "CASE WHEN contains(lower(file_name), 'final') THEN 2 WHEN contains(lower(file_name), 'revised') THEN 1 "
        "ELSE 0 END")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with store.transaction():
        store.execute("""
            INSERT INTO organisations(code, name, kind, source)
            SELECT code, name, 'other_provider', source FROM read_parquet($f)
            WHERE code NOT IN (SELECT code FROM organisations)""", {"f": str(orgs)})
        store.execute(f"""
            CREATE OR REPLACE TEMP TABLE _metric_source_map AS
            SELECT source_id AS old_id, nextval('metric_source_seq') AS new_id, file, file_name, sha256,
                   publication, row_count, {version} AS version
            FROM read_parquet($f)
            WHERE sha256 NOT IN (SELECT sha256 FROM metric_sources)""", {"f": str(sources)})
        store.execute("""
            INSERT INTO metric_sources(source_id, file, file_name, sha256, publication, loaded_at, row_count, version)
            SELECT new_id, file, file_name, sha256, publication, $now, row_count, version
            FROM _metric_source_map""", {"now": now})
        store.execute("""
            INSERT INTO metric_values(metric, org_code, period_start, period_end, numerator, denominator, value,
                                      provisional, source_id, source_row, extra)
            SELECT v.metric, v.org_code, v.period_start, v.period_end, v.numerator, v.denominator, v.value,
                   v.provisional, m.new_id, v.source_row, v.extra
            FROM read_parquet($f) v JOIN _metric_source_map m ON m.old_id = v.source_id
            WHERE NOT EXISTS (SELECT 1 FROM metric_values x WHERE x.metric = v.metric AND x.org_code = v.org_code
                              AND x.period_start = v.period_start AND x.period_end = v.period_end)""",
                      {"f": str(values)})
        store.execute("DROP TABLE _metric_source_map")
