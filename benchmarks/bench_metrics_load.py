#!/usr/bin/env python3
"""Loading every publication in ../shared/data into a new store: wall time and peak memory.

Each measurement runs in its own process so that its peak resident memory is its own:

- ``load``: a store with the shipped registry only (no default metrics), then
  ``load_files(store, [shared/data])`` through every registered reader (the 82 MB RTT CSV
  is streamed from its zip);
- ``reload``: the same folder loaded a second time (every file already loaded: sha256 only);
- ``baseline``: the floor any loader pays, measured in the same run: reading every byte of
  every file once, inflating the RTT zip member and splitting it into CSV rows, and opening
  the same store.

Reports wall seconds, peak RSS, seconds per reader (recognition of the files no reader takes
counted as ``(not recognised)``) and ratios to the baseline. Targets: the whole folder in
under 10 s on a 2-core machine (issue 16, item 9; it was 60 s in issue 4), peak memory under
1 GB. On a shared machine the absolute time swings with the load; the ratio to the baseline
measured in the same run is the figure to compare.

    .venv/bin/python benchmarks/bench_metrics_load.py [--shared ../shared] [--json]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared"
TIME_TARGET_S = 10.0
MEMORY_TARGET_MB = 1024.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _store(tmp: Path) -> Any:
    from opmodel.store import open_store
    from opmodel.structure import seed_structure

    store = open_store(tmp / "bench.duckdb", seed=False)
    seed_structure(store)
    return store


def child(kind: str, data: Path) -> dict[str, Any]:
    from opmodel.metrics import expand_paths, load_files

    with tempfile.TemporaryDirectory() as tmp:
        store = _store(Path(tmp))
        started = time.perf_counter()
        out: dict[str, Any] = {"kind": kind}
        if kind == "baseline":
            files = expand_paths([data])
            total = 0
            for f in files:
                total += len(f.read_bytes())
                if zipfile.is_zipfile(f) and f.suffix != ".xlsx":
                    with zipfile.ZipFile(f) as zf:
                        for name in zf.namelist():
                            if name.endswith(".csv") and not name.startswith("__MACOSX"):
                                with zf.open(name) as fh:
                                    out["rtt_rows"] = sum(1 for _ in csv.reader(io.TextIOWrapper(fh, "utf-8")))
            out.update(files=len(files), bytes=total)
        else:
            marks: list[float] = []
            report = load_files(store, [data], progress=lambda i, n, p: marks.append(time.perf_counter()))
            if kind == "reload":  # time the second pass only
                started = time.perf_counter()
                marks = []
                report = load_files(store, [data], progress=lambda i, n, p: marks.append(time.perf_counter()))
            marks.append(time.perf_counter())
            per_reader: dict[str, float] = {}
            for f, t0, t1 in zip(report.files, marks, marks[1:], strict=False):
                key = f.publication or "(not recognised)"
                per_reader[key] = per_reader.get(key, 0.0) + (t1 - t0)
            out["per_reader_s"] = dict(sorted(per_reader.items(), key=lambda kv: -kv[1]))
            out.update(loaded=report.count("loaded"), unchanged=report.count("unchanged"),
                       skipped=report.count("skipped"), values=report.inserted)
        out["wall_s"] = time.perf_counter() - started
        store.close()
    out["peak_mb"] = _peak_mb()
    return out


def run(kind: str, data: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, "--data", str(data)],
                          capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--child", choices=["load", "reload", "baseline"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.data)))
        return
    data = (args.shared / "data").resolve()
    base, load, reload = run("baseline", data), run("load", data), run("reload", data)
    results = {"baseline": base, "load": load, "reload": reload,
               "time_ratio": load["wall_s"] / base["wall_s"], "memory_ratio": load["peak_mb"] / base["peak_mb"],
               "meets_targets": load["wall_s"] < TIME_TARGET_S and load["peak_mb"] < MEMORY_TARGET_MB}
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"files: {base['files']} ({base['bytes'] / 1e6:.1f} MB on disk; RTT CSV {base['rtt_rows']:,} rows)")
    print(f"baseline (read every byte, split the RTT CSV): {base['wall_s']:6.2f} s  peak {base['peak_mb']:6.0f} MB")
    print(f"load everything into a new store:              {load['wall_s']:6.2f} s  peak {load['peak_mb']:6.0f} MB"
          f"  ({load['loaded']} loaded, {load['skipped']} skipped, {load['values']:,} values)")
    print(f"load it all again (already loaded):            {reload['wall_s']:6.2f} s  peak {reload['peak_mb']:6.0f} MB"
          f"  (second pass: {reload['unchanged']} unchanged)")
    print("seconds per reader (first load): " + ", ".join(f"{k} {v:.2f}" for k, v in load["per_reader_s"].items()))
    print(f"ratios to baseline: time x{results['time_ratio']:.1f}, peak memory x{results['memory_ratio']:.1f}")
    print(f"targets (< {TIME_TARGET_S:.0f} s, < {MEMORY_TARGET_MB:.0f} MB): "
          f"{'met' if results['meets_targets'] else 'NOT met'}")


if __name__ == "__main__":
    main()
