#!/usr/bin/env python3
"""Build the quality and safety values shipped in the package from ../shared/data (issue 22).

Reads ``cqc-ratings-and-shmi-2026-thirdparty`` (CQC ratings, SHMI, Friends and Family Test per trust;
THIRD-PARTY processed copies, see its PROVENANCE.md) through the same loader a user's files go through
(``opmodel metrics load`` recognises both files by content), in a scratch store seeded with the shipped
structure only, then writes three zstd Parquet files to src/opmodel/quality/data/ in the layout of
metrics/data, so ``opmodel.metrics.defaults.seed_metrics`` can seed them into a new store:

  metric_values.parquet     one row per metric, organisation and period
  metric_sources.parquet    the files they came from (path relative to shared/, sha256)
  other_providers.parquet   provider codes not in the ODS registry, with the names in the file

Run:  python scripts/build_quality_data.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from opmodel.metrics import load_files
from opmodel.quality.defaults import DATA_DIR, FOLDER
from opmodel.store import open_store
from opmodel.structure import seed_structure

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    shared: Path = args.shared.resolve()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "build.duckdb", seed=False)
        seed_structure(store)
        report = load_files(store, [shared / "data" / FOLDER])
        if report.count("loaded") != 2:
            raise SystemExit(f"expected the two quality files to load, got: {report.to_dict()['files']}")
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        opts = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19"
        values, sources, orgs = (DATA_DIR / n for n in ("metric_values.parquet", "metric_sources.parquet",
                                                        "other_providers.parquet"))
        store.execute(f"""COPY (SELECT metric, org_code, period_start, period_end, numerator, denominator, value,
                                       provisional, source_id, source_row, extra
                                FROM metric_values ORDER BY metric, org_code, period_start, period_end)
                          TO '{values}' ({opts})""")
        prefix = str(shared.parent) + "/"
        store.execute(f"""COPY (SELECT source_id, replace(file, '{prefix}', '') AS file, file_name, sha256,
                                       publication, loaded_at, row_count
                                FROM metric_sources ORDER BY source_id)
                          TO '{sources}' ({opts})""")
        store.execute(f"""COPY (SELECT code, name, source FROM organisations
                                WHERE kind = 'other_provider' AND source LIKE 'metrics:%' ORDER BY code)
                          TO '{orgs}' ({opts})""")
        n = store.execute("SELECT count(*) FROM metric_values").fetchall()[0][0]
        store.close()
    size = sum(p.stat().st_size for p in (values, sources, orgs))
    print(f"{report.count('loaded')} file(s) loaded; {n} values; {len(report.new_organisations)} other providers; "
          f"{size / 1024:.0f} KiB written to {DATA_DIR} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
