#!/usr/bin/env python3
"""Fresh-process ``opmodel`` commands against a floor measured in the same run (issue 25).

The floor is the least any command can cost: Python starting, importing DuckDB and querying the
store read-only. Each command runs as a new process, in turn with the floor (floor, command, floor,
command, ...), so both see the same machine; the figure quoted is the median of the per-pair
ratios of wall time (and of CPU time, which a busy machine disturbs less). The store is a private
copy of a seeded store; "repeat" runs find the quarter's results kept in the store (the second
and later calls a user makes), "cold" runs compute them (``OPMODEL_RESULTS_CACHE=off``).

    .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--before /path/to/older/src]

``--before SRC`` also runs every command with ``PYTHONPATH=SRC`` (an older checkout's ``src``) in
the same run, for a before/after table against the same floor.

Targets (issue 25): ``org show``, ``who`` and ``metrics show`` within 3x the floor; ``segment`` and
``league`` (with likely ranges) within 5x.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

OPMODEL = str(Path(sys.executable).with_name("opmodel"))
FLOOR = ("import sys, duckdb\n"
         "con = duckdb.connect(sys.argv[1], read_only=True)\n"
         "print(con.execute(\"SELECT name FROM organisations WHERE code = 'RJ1'\").fetchall())\n")
QUARTER = ["--period", "2025-26-Q3", "--peer-group", "acute", "--format", "json"]
#: (label, arguments, target ratio or None, results kept from an earlier call?)
COMMANDS: list[tuple[str, list[str], float | None, bool]] = [
    ("--help", ["--help"], None, True),
    ("org show RJ1", ["org", "show", "RJ1"], 3.0, True),
    ("who RJ1 --function elective_care", ["who", "RJ1", "--function", "elective_care"], 3.0, True),
    ("metrics show ae_4hr --org RJ1", ["metrics", "show", "ae_4hr", "--org", "RJ1"], 3.0, True),
    ("segment (repeat)", ["segment", *QUARTER], 5.0, True),
    ("league with likely ranges (repeat)", ["league", *QUARTER], 5.0, True),
    ("segment (cold)", ["segment", *QUARTER], None, False),
    ("league with likely ranges (cold)", ["league", *QUARTER], None, False),
    ("cases list (empty register)", ["cases", "list"], None, True),
]


@dataclass
class Timing:
    wall: float
    cpu: float


def timed(cmd: list[str], env: dict[str, str]) -> Timing:
    """Wall and CPU seconds of one process (CPU from the children's resource usage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return Timing(wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def measure(cmd: list[str], env: dict[str, str], floor: list[str], floor_env: dict[str, str],
            runs: int) -> dict[str, float]:
    """Median wall/CPU of ``cmd`` and of the floor, run in turn, and the median per-pair ratios."""
    timed(cmd, env)  # warm-up: file caches, and (for repeat runs) the results kept in the store
    timed(floor, floor_env)
    pairs = [(timed(cmd, env), timed(floor, floor_env)) for _ in range(runs)]
    return {"wall": statistics.median(a.wall for a, _ in pairs),
            "cpu": statistics.median(a.cpu for a, _ in pairs),
            "floor_wall": statistics.median(b.wall for _, b in pairs),
            "floor_cpu": statistics.median(b.cpu for _, b in pairs),
            "ratio_wall": statistics.median(a.wall / b.wall for a, b in pairs),
            "ratio_cpu": statistics.median(a.cpu / b.cpu for a, b in pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="Counted runs of each command (and of the floor).")
    parser.add_argument("--before", type=Path, help="An older checkout's src folder, measured in the same run.")
    parser.add_argument("--only", nargs="*", help="Only the commands whose label starts with one of these.")
    args = parser.parse_args()

    from opmodel.store import open_store

    src = str(Path(__file__).resolve().parents[1] / "src")
    with tempfile.TemporaryDirectory() as tmp:
        seeded = Path(tmp) / "seeded.duckdb"
        open_store(seeded).close()
        base = {k: v for k, v in os.environ.items() if k not in ("OPMODEL_STORE", "PYTHONPATH")}
        base["OPMODEL_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'register.sqlite'}"
        versions = [("after", src)] + ([("before", str(args.before.resolve()))] if args.before else [])
        for _name, path in versions:  # as an installed package has them, whatever PYTHONDONTWRITEBYTECODE says
            subprocess.run([sys.executable, "-m", "compileall", "-q", path], check=True, stdout=subprocess.DEVNULL)
        load = os.getloadavg()
        print(f"bench_cli: {args.runs} runs per command in turn with the floor; {os.cpu_count()} CPUs; "
              f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start; {time.strftime('%Y-%m-%d %H:%M %Z')}")
        print("floor: python -c 'import duckdb; connect(store, read_only=True); one query'\n")
        print("| command | code | wall s | CPU s | floor wall s | × floor (wall) | × floor (CPU) | target |")
        print("|---|---|---:|---:|---:|---:|---:|---|")
        for label, argv, target, repeat in COMMANDS:
            if args.only and not any(label.startswith(o) for o in args.only):
                continue
            for name, path in versions:
                store = Path(tmp) / f"{name}.duckdb"
                if not store.exists():
                    shutil.copy(seeded, store)
                env = {**base, "PYTHONPATH": path, "OPMODEL_STORE": str(store), "OPMODEL_RESULTS_CACHE":
                       "on" if repeat else "off"}
                floor = [sys.executable, "-c", FLOOR, str(store)]
                r = measure([OPMODEL, *argv], env, floor, base, args.runs)
                verdict = "" if target is None else (
                    f"≤ {target:g}×: {'met' if r['ratio_wall'] <= target else 'not met'}" if name == "after" else "")
                print(f"| `{label}` | {name} | {r['wall']:.3f} | {r['cpu']:.3f} | {r['floor_wall']:.3f} | "
                      f"{r['ratio_wall']:.1f} | {r['ratio_cpu']:.1f} | {verdict} |", flush=True)
        load = os.getloadavg()
        print(f"\nload average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end")


if __name__ == "__main__":
    main()
