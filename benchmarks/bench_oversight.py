#!/usr/bin/env python3
"""Speed of a full NOF quarter: about 210 trusts x 40 metrics scored, segmented and ranked.

Builds a synthetic quarter shaped like 2025/26 (134 acute, 66 mental health and community,
10 ambulance trusts; 40 metrics per group: ranked, standard, floor, bands and a combined
finance matrix, with pooled populations so every score is *computed*, and about 10% of values
missing), then times:

- ``engine``: :func:`run_segmentation` on in-memory inputs (scores, averages, pooled quartiles,
  override, segment 5, domains, league ranks);
- ``store``: the same from the store (:func:`load_inputs` in one query, then the engine);
- ``real``: the published MH/community CSV's Q3 (61 trusts) through the engine;
- ``baseline``: sorting the quarter's 8,400 values once per metric in plain Python, the floor
  any ranking engine pays, measured in the same run so the ratio is machine-independent.

    .venv/bin/python benchmarks/bench_oversight.py [--repeat 20]

Target (issue 5): a full quarter in well under one second.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from timing import median_seconds

from opmodel.oversight import (
    InputValue,
    OrgInfo,
    PeriodInputs,
    Policy,
    inputs_from_rows,
    load_inputs,
    load_policy,
    parse_period,
    parse_policy,
    run_segmentation,
)
from opmodel.store import open_store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
NOF_CSV = (SHARED / "nof-2025-26-mh-community-raw"
           / "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")
GROUPS = {"acute": 134, "mental_health_community": 66, "ambulance": 10}
N_METRICS = 40
PERIOD = parse_period("2025-26-Q3")


def synthetic_policy() -> Policy:
    base = load_policy("nof-2025-26").model_dump(mode="json")
    metrics: dict[str, Any] = {}
    for i in range(N_METRICS - 3):
        mid, raw = f"OF1{i + 100:03d}", f"OF0{i + 100:03d}"
        kind = ("ranked", "standard", "floor")[i % 3]
        regime: dict[str, Any] = {"type": kind}
        if kind != "ranked":
            regime["threshold"] = 50.0
        metrics[mid] = {"name": f"metric {i}", "domain": list(base["domains"])[i % 5], "raw": raw,
                        "direction": "higher" if i % 2 else "lower", "regime": regime,
                        "population": "all_reporting" if i % 4 else "peer_group",
                        "weight": 1 / 3 if i < 3 else 1.0}
    for mid in ("OF1079", "OF1081", "OF1080"):
        metrics[mid] = base["metrics"][mid]
    base["metrics"] = metrics
    for g in base["peer_groups"].values():
        g["metrics"] = list(metrics) if g["segmented"] else []
    return parse_policy(base, "synthetic")


def synthetic_inputs(policy: Policy, seed: int = 1) -> PeriodInputs:
    rnd = random.Random(seed)
    out = PeriodInputs(period=PERIOD)
    n = 0
    for group, size in GROUPS.items():
        for _ in range(size):
            code = f"T{n:03d}"
            n += 1
            out.orgs[code] = OrgInfo(code, f"Trust {code}", group)
    for m in policy.metrics.values():
        if not m.raw:
            continue
        out.values[m.raw] = {o: InputValue(round(rnd.uniform(0, 100), 2)) for o in out.orgs if rnd.random() > 0.1}
    out.values["OF0079"] = {o: InputValue(round(rnd.uniform(-3, 1), 2)) for o in out.orgs}
    out.values["OF0081"] = {o: InputValue(round(rnd.uniform(-1.5, 0.5), 2)) for o in out.orgs}
    out.values["OF5004"] = {o: InputValue(float(rnd.random() < 0.5)) for o in out.orgs}
    return out




def to_store(inputs: PeriodInputs, path: Path) -> None:
    store = open_store(path, seed=False)
    with store.transaction():
        store.execute("INSERT INTO metric_sources (source_id, file, file_name, sha256, publication) "
                      "VALUES (1, 'synthetic', 'synthetic', 'x', 'nof_dashboard')")
        rows = [(m, o, PERIOD.start, PERIOD.end, v.value, 1,
                 json.dumps({"trust_type": {"acute": "Acute trust", "ambulance": "Ambulance trust"}.get(
                     inputs.orgs[o].peer_group or "", "Mental health and community trust")}))
                for m, per in inputs.values.items() for o, v in per.items()]
        store.con.executemany("INSERT INTO metric_values (metric, org_code, period_start, period_end, value, "
                              "source_id, extra) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args()
    policy = synthetic_policy()
    inputs = synthetic_inputs(policy)
    values = [[v.value for v in per.values()] for per in inputs.values.values()]
    baseline = median_seconds(lambda: [sorted(v) for v in values], a.repeat)  # type: ignore[type-var]
    engine = median_seconds(lambda: run_segmentation(policy, inputs), a.repeat)
    run = run_segmentation(policy, inputs)
    sources = {s.source for r in run.results for s in r.scores.values()}
    print(f"synthetic quarter: {len(run.results)} trusts x {len(policy.metrics)} metrics, "
          f"score sources {sorted(sources)}, segments from {run.cutoffs.source} cut-offs")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        to_store(inputs, path)
        store = open_store(path, seed=False)
        from_store = median_seconds(lambda: run_segmentation(policy, load_inputs(store, policy, PERIOD)), a.repeat)
        store.close()
    report = {"baseline_sort_s": baseline, "engine_s": engine, "store_plus_engine_s": from_store}
    if NOF_CSV.exists():
        from opmodel.metrics.readers.nof import NofDashboardReader

        real_policy = load_policy("nof-2025-26")
        real = inputs_from_rows(NofDashboardReader().read(NOF_CSV), real_policy, PERIOD)
        report["real_q3_61_trusts_s"] = median_seconds(lambda: run_segmentation(real_policy, real), a.repeat)
    for k, v in report.items():
        ratio = "" if k == "baseline_sort_s" else f"  ({v / baseline:,.0f} x baseline)"
        print(f"{k:<24} {v * 1000:8.1f} ms{ratio}")
    verdict = "PASS" if from_store < 1.0 else "FAIL"
    print(f"target: full quarter (store + engine) well under 1 s: {verdict} ({from_store:.3f} s)")


if __name__ == "__main__":
    main()
