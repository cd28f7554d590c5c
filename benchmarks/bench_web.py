#!/usr/bin/env python3
"""Load test of the dashboard on loopback: 50 concurrent clients for 30 s per URL, driven by ``wrk``.

Starts the real server (uvicorn, one process, as ``opmodel serve`` runs it) in a
subprocess over a private copy of a seeded store, then drives the organisation
profile and the league table with ``wrk`` (Debian package ``wrk``). Reports throughput and p50/p95/p99
latency, errors (socket errors and non-2xx answers), and the ratio of each page's
throughput to a static file's measured in the same run (the server's floor).

The server is ``opmodel serve`` itself (start-up warming included). Run twice: with the
response cache (the default server) and without it (``--no-response-cache``: every request
renders the page; the shared computations such as oversight runs and SVG charts stay kept per
data version, in the process and in the store's results cache).

Issue 25 adds, measured in the same run against the floor of ``bench_cli.py`` (Python starting,
importing DuckDB and querying the store read-only): the first profile after the server starts, on
a store used before (its results kept) and on a fresh one; and one client's median time for an
uncached profile against a cached one.

    .venv/bin/python benchmarks/bench_web.py [--duration 30] [--connections 50] [--threads 2]

Targets: p95 under 150 ms with zero errors on a 2-core machine, response cache off (issue 25;
issue 7 met it with the cache); an uncached profile within 20x a cached one; the first profile
after start within 4x the floor.

``--stampede`` instead measures issue 16's two attacks on the cache, with Python clients
only (no wrk): 50 clients asking for one uncached profile at once, right after a rejected
upload and right after a committed change (single flight: one rendering, not 50), and the
server's resident memory before and after 2,500 ``?cb=N`` requests (unknown parameters share
one entry; the cache is bounded by bytes). Run it with an older ``PYTHONPATH`` to compare.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

LUA = """
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"connect\\": %d, \\"read\\": %d, "
    .. "\\"write\\": %d, \\"timeout\\": %d, \\"status\\": %d, \\"p50\\": %d, \\"p95\\": %d, \\"p99\\": %d, "
    .. "\\"max\\": %d}\\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""

OPMODEL = str(Path(sys.executable).with_name("opmodel"))
FLOOR = ("import sys, duckdb\n"
         "con = duckdb.connect(sys.argv[1], read_only=True)\n"
         "print(con.execute(\"SELECT name FROM organisations WHERE code = 'RJ1'\").fetchall())\n")
PROFILE = "/organisations/RJ1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store: Path, cache: bool, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """``opmodel serve`` on a free port; returns once it answers a static file (the moment it has started)."""
    port = free_port()
    cmd = [OPMODEL, "--store", str(store), "serve", "--port", str(port)] + ([] if cache else ["--no-response-cache"])
    proc = subprocess.Popen(cmd, env={**os.environ, "OPMODEL_API_TOKEN": "bench-token", **(env or {})},
                            stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/static/site.css", timeout=2).read()
            return proc, base
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("server did not start") from None
            time.sleep(0.05)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def floor_seconds(store: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR, str(store)], check=True, capture_output=True)
    return time.perf_counter() - started


def first_profile(store: Path, repeats: int) -> tuple[float, float]:
    """Median time of the first profile after ``opmodel serve`` starts, and of the floor run in turn."""
    firsts, floors = [], []
    for _ in range(repeats):
        floors.append(floor_seconds(store))
        proc, base = start_server(store, cache=False)
        try:
            firsts.append(_get(base + PROFILE))
        finally:
            stop(proc)
    return statistics.median(firsts), statistics.median(floors)


def one_client(base: str, url: str, n: int) -> float:
    """Median seconds of ``n`` requests one after another."""
    _get(base + url)
    return statistics.median(_get(base + url) for _ in range(n))


def run_wrk(url: str, duration: int, connections: int, threads: int, script: Path) -> dict[str, float]:
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
                          "-s", str(script), url], check=True, capture_output=True, text=True).stdout
    found = re.search(r"^JSON (.*)$", out, re.M)
    if found is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    r = json.loads(found.group(1))
    errors = r["connect"] + r["read"] + r["write"] + r["timeout"] + r["status"]
    return {"requests": r["requests"], "rps": r["requests"] / (r["duration_us"] / 1e6), "errors": errors,
            "p50_ms": r["p50"] / 1000, "p95_ms": r["p95"] / 1000, "p99_ms": r["p99"] / 1000,
            "max_ms": r["max"] / 1000}


def _get(url: str) -> float:
    started = time.perf_counter()
    urllib.request.urlopen(url, timeout=300).read()
    return time.perf_counter() - started


def _rejected_upload(base: str) -> int:
    boundary = "benchboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\nhello,world\n1,2\n\r\n--{boundary}--\r\n").encode()
    req = urllib.request.Request(base + "/api/v1/metric-files", data=body, method="POST", headers={
        "Authorization": "Bearer bench-token", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        return int(urllib.request.urlopen(req, timeout=60).status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stampede(store_path: Path, clients: int) -> None:
    """50 clients on one page after a rejected upload; memory after 2,500 cache-busting requests."""
    proc, base = start_server(store_path, cache=True)
    page = base + "/organisations/RJ1"
    pool = concurrent.futures.ThreadPoolExecutor(clients)
    try:
        baseline = _get(page)  # first rendering, alone
        _get(page)
        status = _rejected_upload(base)
        times = sorted(pool.map(_get, [page] * clients))
        print(f"after a rejected upload ({status}): {clients} clients on /organisations/RJ1: "
              f"p50 {times[len(times) // 2] * 1000:.0f} ms, p95 {times[int(len(times) * 0.95) - 1] * 1000:.0f} ms, "
              f"slowest {times[-1] * 1000:.0f} ms (one rendering alone: {baseline * 1000:.0f} ms)", flush=True)
        rss = _rss_mb(proc.pid)
        started = time.perf_counter()
        list(pool.map(_get, [f"{base}/api/v1/organisations?limit=2&kind=trust&cb={n}" for n in range(2500)]))
        print(f"2,500 ?cb=N requests in {time.perf_counter() - started:.1f} s: server resident memory "
              f"{rss:.0f} -> {_rss_mb(proc.pid):.0f} MB", flush=True)
    finally:
        pool.shutdown()
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="Seconds per URL.")
    parser.add_argument("--connections", type=int, default=50, help="Concurrent clients.")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--pages", nargs="*",
                        default=[PROFILE, "/league", "/icbs/QKK", "/regions/Y56", "/support-cases"],
                        help="URLs to drive (default: a profile, the league, an ICB, a region, the register).")
    parser.add_argument("--starts", type=int, default=5, help="Server starts for the first-profile figure.")
    parser.add_argument("--stampede", action="store_true", help="Measure the cache attacks of issue 16 instead.")
    args = parser.parse_args()
    if args.stampede:
        from opmodel.store import open_store

        with tempfile.TemporaryDirectory() as tmp:
            open_store(Path(tmp) / "bench.duckdb").close()
            stampede(Path(tmp) / "bench.duckdb", args.connections)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    from opmodel.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        seeded = Path(tmp) / "seeded.duckdb"
        open_store(seeded).close()  # seeded with the shipped defaults
        store_path = Path(tmp) / "bench.duckdb"
        shutil.copy(seeded, store_path)
        os.environ["OPMODEL_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'register.sqlite'}"
        script = Path(tmp) / "report.lua"
        script.write_text(LUA)
        load = os.getloadavg()
        print(f"bench_web: {args.connections} clients x {args.duration} s per URL, wrk {args.threads} threads, "
              f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start; "
              f"{time.strftime('%Y-%m-%d %H:%M %Z')}")

        # The first profile after start: a fresh store (nothing kept: the quarter and RJ1's charts are
        # computed), then the same store again (what the first visit kept is read back).
        fresh = Path(tmp) / "fresh.duckdb"
        cold: list[float] = []
        for _ in range(max(1, args.starts // 2)):
            shutil.copy(seeded, fresh)
            proc, base = start_server(fresh, cache=False)
            try:
                cold.append(_get(base + PROFILE))
            finally:
                stop(proc)
        warm, floor = first_profile(fresh, args.starts)
        print(f"first {PROFILE} after `opmodel serve` starts: store used before {warm * 1000:.0f} ms = "
              f"{warm / floor:.1f}x the floor ({floor * 1000:.0f} ms; target 4x); fresh store "
              f"{statistics.median(cold) * 1000:.0f} ms = {statistics.median(cold) / floor:.1f}x", flush=True)

        single: dict[str, float] = {}
        print(f"{'mode':<9} {'url':<22} {'req/s':>8} {'vs static':>9} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'errors':>7}  one client ms  target")
        for mode, cache in (("cached", True), ("no-cache", False)):
            proc, base = start_server(store_path, cache=cache)
            try:
                for url in ["/static/site.css", *args.pages]:  # warm-up: first render, imports, caches
                    urllib.request.urlopen(base + url, timeout=300).read()
                floor_r = run_wrk(base + "/static/site.css", max(5, args.duration // 3), args.connections,
                                  args.threads, script)
                static = "/static/site.css"
                print(f"{mode:<9} {static:<22} {floor_r['rps']:>8.0f} {1.0:>9.2f} {floor_r['p50_ms']:>8.1f} "
                      f"{floor_r['p95_ms']:>8.1f} {floor_r['p99_ms']:>8.1f} {floor_r['errors']:>7.0f}")
                for url in args.pages:
                    single[f"{mode} {url}"] = one_client(base, url, 30)
                    r = run_wrk(base + url, args.duration, args.connections, args.threads, script)
                    ok = "PASS" if r["p95_ms"] < 150 and r["errors"] == 0 else "FAIL"
                    print(f"{mode:<9} {url:<22} {r['rps']:>8.0f} {r['rps'] / floor_r['rps']:>9.2f} "
                          f"{r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['errors']:>7.0f}  "
                          f"{single[f'{mode} {url}'] * 1000:>13.1f}  {ok}", flush=True)
            finally:
                stop(proc)
        for url in args.pages:
            ratio = single[f"no-cache {url}"] / single[f"cached {url}"]
            print(f"one client, {url}: uncached {single[f'no-cache {url}'] * 1000:.1f} ms = {ratio:.1f}x cached "
                  f"({single[f'cached {url}'] * 1000:.1f} ms)" + ("; target 20x" if url == PROFILE else ""))
        load = os.getloadavg()
        print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end")


if __name__ == "__main__":
    main()
