#!/usr/bin/env python3
"""Speed of league-table likely ranges: about 205 trusts x 4,000 replicates, re-segmented and re-ranked.

Times, in the same run:

- ``plain``: one plain pass of the table (``replicates=1``: every trust's weighted mean, segment from the
  cut-offs, financial override, segment 5 and competition ranks), the baseline;
- ``ranges``: the same table with 4,000 replicates (metric-mix method), so the ratio says what the
  uncertainty costs over one plain run;
- ``tables``: the same trusts as three league tables (134 acute, 61 mental health and community,
  10 ambulance), as the league page computes them;
- ``real``: the published MH/community CSV's Q3 (61 trusts) on the computed path: segmentation alone
  (the engine's plain run) and segmentation plus ranges.

    .venv/bin/python benchmarks/bench_uncertainty.py [--repeat 5]

Target (issue 12): 205 trusts x 4,000 replicates in under 2 seconds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from timing import median_seconds

from opmodel.metrics import load_files
from opmodel.oversight.computed import computed_inputs
from opmodel.oversight.uncertainty import TrustPool, league_uncertainty
from opmodel.oversight.uncertainty_run import ranges_for_inputs
from opmodel.store import open_store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
NOF_CSV = (SHARED / "nof-2025-26-mh-community-raw"
           / "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")
CUTS = [2.06, 2.35, 2.71]
GROUPS = {"acute": (134, 22), "mental_health_community": (61, 12), "ambulance": (10, 8)}


def synthetic(seed: int = 1) -> dict[str, list[TrustPool]]:
    """Pools shaped like 2025/26: acute trusts with about 22 scores (three infection scores at 1/3 weight)."""
    rng = np.random.default_rng(seed)
    out: dict[str, list[TrustPool]] = {}
    for group, (n, k) in GROUPS.items():
        pools = []
        for i in range(n):
            m = int(rng.integers(k - 3, k + 1))
            level = rng.uniform(1.6, 3.0)
            scores = tuple(float(x) for x in np.clip(rng.normal(level, 0.8, m), 1, 4))
            weights = tuple([1 / 3] * 3 + [1.0] * (m - 3))
            pools.append(TrustPool(f"{group[:2].upper()}{i:03d}", scores, weights, bool(rng.random() < 0.6),
                                   bool(rng.random() < 0.03)))
        out[group] = pools
    return out




def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--replicates", type=int, default=4000)
    args = ap.parse_args()
    groups = synthetic()
    everyone = [p for g in groups.values() for p in g]
    plain = median_seconds(lambda: league_uncertainty(everyone, CUTS, replicates=1), args.repeat * 4)
    ranges = median_seconds(lambda: league_uncertainty(everyone, CUTS, replicates=args.replicates), args.repeat)
    tables = median_seconds(lambda: [league_uncertainty(g, CUTS, replicates=args.replicates) for g in groups.values()],
                   args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.duckdb", seed=False)
        load_files(store, [NOF_CSV])
        seg = median_seconds(lambda: computed_inputs(store, None, "2025-26-Q3", "mental_health_community"), args.repeat)
        real = median_seconds(
            lambda: ranges_for_inputs(computed_inputs(store, None, "2025-26-Q3", "mental_health_community"),
                                      replicates=args.replicates, seed=int(time.time_ns() % 1_000_000)),
            args.repeat)
        store.close()
    print(json.dumps({
        "trusts": len(everyone), "replicates": args.replicates,
        "plain_run_s": round(plain, 4), "ranges_s": round(ranges, 3), "ratio_to_plain_run": round(ranges / plain, 1),
        "three_tables_s": round(tables, 3),
        "real_mh_q3_segmentation_s": round(seg, 3), "real_mh_q3_with_ranges_s": round(real, 3),
        "real_ratio": round(real / seg, 2), "target_s": 2.0, "target_met": ranges < 2.0 and tables < 2.0,
    }, indent=2))


if __name__ == "__main__":
    main()
