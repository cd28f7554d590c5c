#!/usr/bin/env python3
"""Load and fault test of the support register: 50 editors on their own cases, 10 on one shared case and
10 appending evidence to one action at once.

Starts the real server (uvicorn in a subprocess, as ``opmodel serve`` runs it) over a
private copy of a seeded store, on SQLite (the default) and on a throwaway PostgreSQL
cluster, and drives it for ``--duration`` seconds (issue 15: 30 s). Reports accepted
changes per second, 409 conflicts, p50/p95/p99 latency, 5xx answers, lost updates
(acknowledged changes missing from the history), lost evidence (acknowledged evidence missing from
its action: issue 23's race on PostgreSQL), the dashboard page's answers meanwhile,
and the ratio of the concurrent write rate to one editor's rate measured in the same run
(the baseline). Then it SIGKILLs the server while the writers are going and counts the
acknowledged changes missing afterwards (must be 0).

    .venv/bin/python benchmarks/bench_register.py [--duration 30] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.register.fixtures import PgCluster  # noqa: E402
from tests.register.load import Server, lost_evidence, lost_updates, prepare, run_load  # noqa: E402

from opmodel.store import open_store  # noqa: E402


def one_backend(name: str, url: str, seed: Path, duration: float) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-register-{name}-"))
    store = tmp / "store.duckdb"
    shutil.copy(seed, store)
    setup = prepare(store, url, n_cases=50)
    server = Server(store, url)
    try:
        # baseline: one editor on its own case, same server, same run
        base = run_load(server.base, type(setup)(setup.token, setup.cases[:1], setup.shared), min(duration, 10), 0)
        base_rate = base.statuses[201] / base.seconds
        load = run_load(server.base, setup, duration, same=10, evidence=10)
        accepted = len(load.accepted)
        killed = run_load(server.base, setup, 0, same=10, kill=server, kill_after=50)
    finally:
        server.stop()
    out = {
        "backend": name, "seconds": round(load.seconds, 1), "accepted": accepted,
        "accepted_per_s": round(accepted / load.seconds, 1), "baseline_per_s": round(base_rate, 1),
        "ratio_to_one_editor": round(accepted / load.seconds / base_rate, 2) if base_rate else None,
        "conflicts_409": load.statuses[409], "server_errors_5xx": sum(v for k, v in load.statuses.items() if k >= 500),
        "connection_errors": load.errors, "p50_ms": round(load.p(0.5)), "p95_ms": round(load.p(0.95)),
        "p99_ms": round(load.p(0.99)), "lost_updates": len(lost_updates(url, load)),
        "evidence_acknowledged": len(load.evidence), "evidence_lost": len(lost_evidence(url, load)),
        "dashboard_answers": dict(load.dashboard),
        "kill9_acknowledged": len(killed.accepted), "kill9_lost": len(lost_updates(url, killed)),
    }
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--backends", default="sqlite,postgresql")
    a = ap.parse_args()
    seed = Path(tempfile.mkdtemp(prefix="bench-register-seed-")) / "seed.duckdb"
    open_store(seed).close()
    results = []
    for backend in a.backends.split(","):
        if backend == "sqlite":
            url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-register-db-')) / 'register.sqlite'}"
            results.append(one_backend("sqlite", url, seed, a.duration))
        else:
            cluster = PgCluster()
            try:
                results.append(one_backend("postgresql", cluster.new_database(), seed, a.duration))
            finally:
                cluster.stop()
        print(json.dumps(results[-1]), flush=True)
    ok = all(r["server_errors_5xx"] == 0 and r["lost_updates"] == 0 and r["kill9_lost"] == 0
             and r["evidence_lost"] == 0 for r in results)
    print("PASS" if ok else "FAIL", time.strftime("%Y-%m-%d %H:%M:%S"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
