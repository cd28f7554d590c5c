#!/usr/bin/env python3
"""Speed of population-health profiles and comparisons on the shipped data.

Times, on a fresh seeded store:

- ``profiles``: :func:`icb_profile` for every ICB in force on 2026-06-01 (36, six of them merged,
  so their values come from predecessors), without trends;
- ``compare``: :func:`compare_indicator` for hypertension prevalence across the 36 ICBs, with the
  funnel, variance split and the nine-year converging/diverging reading;
- ``baseline``: reading every population value into Python once (one query), the floor any
  profile pays, measured in the same run so the ratios are machine-independent.

    .venv/bin/python benchmarks/bench_population.py [--repeat 3]

Target: an ICB page's section (one profile) well under a second; all 36 profiles in a few seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from timing import median_seconds

from opmodel.population import compare_indicator, icb_profile, icbs_on
from opmodel.store import open_store

DAY = dt.date(2026, 6, 1)




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.duckdb")
        icbs = [i["code"] for i in icbs_on(store, DAY)]
        icb_profile(store, icbs[0], DAY)   # warm the operating-model cache once
        base = median_seconds(lambda: store.execute("SELECT * FROM population_values").fetchall(), args.repeat)
        prof = median_seconds(lambda: [icb_profile(store, c, DAY) for c in icbs], args.repeat)
        comp = median_seconds(lambda: compare_indicator(store, "qof_hypertension", "icb", on=DAY), args.repeat)
        store.close()
    print(f"baseline (read all values): {base * 1000:.1f} ms")
    print(f"profiles ({len(icbs)} ICBs): {prof:.2f} s ({prof / len(icbs) * 1000:.0f} ms each, "
          f"{prof / base:.0f}x baseline)")
    print(f"compare qof_hypertension: {comp * 1000:.0f} ms ({comp / base:.0f}x baseline)")


if __name__ == "__main__":
    main()
