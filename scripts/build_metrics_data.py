#!/usr/bin/env python3
"""Build the default metric values shipped in the package from ../shared/data.

Runs every registered publication reader (opmodel.metrics.READERS) over the shared data
folder through the same loader a user's files go through, in a scratch store seeded
with the shipped structure only, then writes three zstd Parquet files to
src/opmodel/metrics/data/:

  metric_values.parquet     one row per metric, organisation and period
  metric_sources.parquet    the files they came from (path relative to shared/, sha256, publication,
                            version: third-party sources rank below official ones)
  other_providers.parquet   provider codes not in the ODS registry, with published names

Sources are NHS England publications under the Open Government Licence v3.0 (see
src/opmodel/metrics/data/ATTRIBUTION.md and each folder's PROVENANCE.md).

Run:  python scripts/build_metrics_data.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from opmodel.metrics import MetricsLoadError, load_files
from opmodel.metrics.defaults import DATA_DIR, ORGS_FILE, SOURCES_FILE, VALUES_FILE
from opmodel.quality.defaults import FOLDER as QUALITY_FOLDER
from opmodel.store import open_store
from opmodel.structure import seed_structure

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    shared: Path = args.shared.resolve()
    started = time.perf_counter()
    # The quality area ships its own folder (scripts/build_quality_data.py): not shipped twice.
    folders = sorted(p for p in (shared / "data").iterdir() if p.is_dir() and p.name != QUALITY_FOLDER)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "build.duckdb", seed=False)
        seed_structure(store)
        try:
            report = load_files(store, folders)
        except MetricsLoadError as exc:  # per-file loads: the rest is committed; say what was refused
            report = exc.report
            print(f"refused {report.count('rejected')} file(s); the others are written:\n{exc}")
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        opts = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19"
        store.execute(f"""COPY (SELECT metric, org_code, period_start, period_end, numerator, denominator, value,
                                       provisional, source_id, source_row, extra
                                FROM metric_values ORDER BY metric, org_code, period_start, period_end)
                          TO '{VALUES_FILE}' ({opts})""")
        prefix = str(shared.parent) + "/"
        store.execute(f"""COPY (SELECT source_id, replace(file, '{prefix}', '') AS file, file_name, sha256,
                                       publication, loaded_at, row_count, version
                                FROM metric_sources ORDER BY source_id)
                          TO '{SOURCES_FILE}' ({opts})""")
        store.execute(f"""COPY (SELECT code, name, source FROM organisations
                                WHERE kind = 'other_provider' AND source LIKE 'metrics:%' ORDER BY code)
                          TO '{ORGS_FILE}' ({opts})""")
        n = store.execute("SELECT count(*) FROM metric_values").fetchall()[0][0]
        store.close()
    size = sum(p.stat().st_size for p in (VALUES_FILE, SOURCES_FILE, ORGS_FILE))
    print(f"{report.count('loaded')} file(s) loaded, {report.count('skipped')} skipped; {n} values; "
          f"{len(report.new_organisations)} other providers; {size / 1024:.0f} KiB written to {DATA_DIR} "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
