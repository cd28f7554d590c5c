#!/usr/bin/env python3
"""Build the population-health data shipped in the package from ../shared/data.

Runs the population readers (opmodel.population) over the Fingertips sample, the third-party
ICB extract and the IMD 2025 ICB summaries, through the same loader a user's files go through,
in a scratch store seeded with the shipped structure only, and writes three zstd Parquet files
to src/opmodel/population/data/:

  population_values.parquet      England and ICB rows (with England's deprivation breakdowns)
  population_indicators.parquet  the catalogue
  population_sources.parquet     the files they came from (name, sha256, layout, third party or not)

Local-authority and sub-ICB rows of the Fingertips sample are left out (nothing shows them yet).
Attribution: src/opmodel/population/data/ATTRIBUTION.md (Open Government Licence v3.0).

Run:  python scripts/build_population_data.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from opmodel.population import load_population_files
from opmodel.population.defaults import DATA_DIR, INDICATORS_FILE, SOURCES_FILE, VALUES_FILE
from opmodel.store import open_store
from opmodel.structure import seed_structure

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("fingertips-sample-nw", "icb-population-health-2012-2023-thirdparty", "imd-deprivation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    shared: Path = args.shared.resolve()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "build.duckdb", seed=False)
        seed_structure(store)
        results = load_population_files(store, [shared / "data" / f for f in FOLDERS])
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        opts = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19"
        store.execute(f"""COPY (SELECT v.* FROM population_values v
                                WHERE v.org_code = 'england'
                                   OR v.org_code IN (SELECT code FROM organisations WHERE kind = 'icb')
                                ORDER BY indicator_id, org_code, year, category)
                          TO '{VALUES_FILE}' ({opts})""")
        store.execute(f"COPY (SELECT * FROM population_indicators ORDER BY indicator_id) TO '{INDICATORS_FILE}' "
                      f"({opts})")
        store.execute(f"COPY (SELECT * FROM population_sources ORDER BY source_id) TO '{SOURCES_FILE}' ({opts})")
        n = store.scalar(f"SELECT count(*) FROM read_parquet('{VALUES_FILE}')")
        store.close()
    size = sum(p.stat().st_size for p in (VALUES_FILE, INDICATORS_FILE, SOURCES_FILE))
    print(f"{len(results)} file(s) read; {n} values; {size / 1024:.0f} KiB written to {DATA_DIR} "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
