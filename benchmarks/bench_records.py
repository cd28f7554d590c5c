"""Record-level derivation at England scale: opmodel on DuckDB and Spark against two baselines.

Generates one year of calibrated A&E attendances (the 12 latest months of the monthly files,
about 27 million records) and the full RTT incomplete-pathway set (7.1 million), then derives
every metric's counts with

  (a) opmodel on DuckDB (the ibis expressions in ``opmodel.records.derive``),
  (b) the same query hand-written in DuckDB SQL (the floor),
  (c) a straightforward pandas implementation (the common alternative),
  (d) opmodel on a local Spark session (``local[2]``),

each in its own process (so peak memory is that approach's alone, sampled over the whole
process tree, the Spark JVM included), and reports wall time, rows per second and peak memory
as ratios against (b), all measured in one run. It also checks that the four results are
identical and equal the published counts for every trust-month and RTT provider.

    .venv/bin/python benchmarks/bench_records.py                 # full scale (~35M records)
    .venv/bin/python benchmarks/bench_records.py --providers 20  # scaled: the 20 largest providers
    .venv/bin/python benchmarks/bench_records.py --write-docs    # also replace the table in docs/performance.md
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
AE_FOLDER = SHARED / "nhse-ae-monthly-2024-25"
RTT_EXTRACT = SHARED / "nhse-rtt-2026-04" / "20260430-RTT-April-2026-full-extract.csv.zip"
RTT_BY_PROVIDER = SHARED / "nhse-rtt-2026-04" / "rtt_2026-04_incomplete_by_provider.csv"
MEMORY_LIMIT = "3GB"
APPROACHES = {
    "a": "opmodel, DuckDB (ibis)",
    "b": "hand-written DuckDB SQL (floor)",
    "c": "pandas",
    "d": "opmodel, local Spark (ibis)",
}


# --- the approaches (run in a child process) -----------------------------------------------------

def run_opmodel(root: Path, known: set[str], engine: str) -> dict[str, list[dict[str, Any]]]:
    from opmodel.records import connect, derive_folder

    con = connect(engine, memory_limit=MEMORY_LIMIT if engine == "duckdb" else None)
    d = derive_folder(con, root, known)
    return {"ae": d.ae or [], "rtt": d.rtt or []}


_AE_SQL = """
WITH dup AS (SELECT record_id FROM read_parquet('{glob}') GROUP BY record_id HAVING count(*) > 1),
f AS (
  SELECT ae.*, (dup.record_id IS NOT NULL OR ae.record_id IS NULL) AS r1,
         (ae.provider IS NULL OR ae.provider NOT IN (SELECT code FROM known)) AS r2,
         (arrival IS NULL OR departure IS NULL OR departure < arrival) AS r3,
         epoch(departure) - epoch(arrival) AS stay, epoch(departure) - epoch(decision_to_admit) AS wait
  FROM read_parquet('{glob}') AS ae LEFT JOIN dup ON ae.record_id = dup.record_id)
SELECT provider, coalesce(year(arrival), 0) AS year, coalesce(month(arrival), 0) AS month,
  count(*) FILTER (WHERE NOT (r1 OR r2 OR r3)) AS attendances,
  count(*) FILTER (WHERE NOT (r1 OR r2 OR r3) AND stay > 14400) AS over_4h,
  count(*) FILTER (WHERE NOT (r1 OR r2 OR r3) AND admitted) AS admitted,
  count(*) FILTER (WHERE NOT (r1 OR r2 OR r3) AND wait > 14400 AND wait <= 43200) AS dta_4_12h,
  count(*) FILTER (WHERE NOT (r1 OR r2 OR r3) AND wait > 43200) AS dta_12h,
  count(*) FILTER (WHERE r1) AS excluded_duplicate_record_id,
  count(*) FILTER (WHERE NOT r1 AND r2) AS excluded_unknown_provider,
  count(*) FILTER (WHERE NOT r1 AND NOT r2 AND r3) AS excluded_departure_before_arrival
FROM f GROUP BY ALL ORDER BY provider, year, month
"""

_RTT_SQL = """
WITH dup AS (SELECT record_id FROM read_parquet('{glob}') GROUP BY record_id HAVING count(*) > 1),
f AS (
  SELECT p.*, (dup.record_id IS NOT NULL OR p.record_id IS NULL) AS r1,
         (p.provider IS NULL OR p.provider NOT IN (SELECT code FROM known)) AS r2,
         clock_start IS NULL AS r3, census_date - clock_start AS days
  FROM read_parquet('{glob}') AS p LEFT JOIN dup ON p.record_id = dup.record_id)
SELECT provider, coalesce(year(census_date), 0) AS year, coalesce(month(census_date), 0) AS month,
  count(*) FILTER (WHERE NOT (r1 OR r2 OR r3)) AS pathways,
  count(*) FILTER (WHERE NOT (r1 OR r2 OR r3) AND days < 126) AS within_18wk,
  count(*) FILTER (WHERE NOT (r1 OR r2 OR r3) AND days >= 364) AS over_52wk,
  count(*) FILTER (WHERE NOT (r1 OR r2 OR r3) AND days >= 455) AS over_65wk,
  count(*) FILTER (WHERE NOT (r1 OR r2 OR r3) AND days >= 546) AS over_78wk,
  count(*) FILTER (WHERE r1) AS excluded_duplicate_record_id,
  count(*) FILTER (WHERE NOT r1 AND r2) AS excluded_unknown_provider,
  count(*) FILTER (WHERE NOT r1 AND NOT r2 AND r3) AS excluded_null_clock_start
FROM f GROUP BY ALL ORDER BY provider, year, month
"""


def _known_for(root: Path, name: str, known: set[str]) -> set[str]:
    from opmodel.records import read_provider_list

    return known | read_provider_list(root / name / "providers.csv")


def run_sql(root: Path, known: set[str]) -> dict[str, list[dict[str, Any]]]:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    out = {}
    for key, name, sql in (("ae", "ae_attendances", _AE_SQL), ("rtt", "rtt_pathways", _RTT_SQL)):
        con.execute("CREATE OR REPLACE TEMP TABLE known(code VARCHAR)")
        con.executemany("INSERT INTO known VALUES (?)", [(c,) for c in sorted(_known_for(root, name, known))])
        cur = con.execute(sql.format(glob=root / name / "month=*" / "*.parquet"))
        cols = [d[0] for d in cur.description or []]
        out[key] = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    return out


def run_pandas(root: Path, known: set[str]) -> dict[str, list[dict[str, Any]]]:
    import pandas as pd

    out = {}
    ae = pd.concat(pd.read_parquet(f) for f in sorted((root / "ae_attendances").glob("month=*/*.parquet")))
    ids = ae["record_id"]
    r1 = ids.duplicated(keep=False) | ids.isna()
    r2 = ~ae["provider"].isin(_known_for(root, "ae_attendances", known)) & ~r1
    r3 = (ae["arrival"].isna() | ae["departure"].isna() | (ae["departure"] < ae["arrival"])) & ~r1 & ~r2
    ok = ~(r1 | r2 | r3)
    stay = (ae["departure"] - ae["arrival"]).dt.total_seconds()
    wait = (ae["departure"] - ae["decision_to_admit"]).dt.total_seconds()
    frame = pd.DataFrame({
        "provider": ae["provider"], "year": ae["arrival"].dt.year.fillna(0).astype("int64"),
        "month": ae["arrival"].dt.month.fillna(0).astype("int64"),
        "attendances": ok, "over_4h": ok & (stay > 14400), "admitted": ok & ae["admitted"].fillna(False),
        "dta_4_12h": ok & (wait > 14400) & (wait <= 43200), "dta_12h": ok & (wait > 43200),
        "excluded_duplicate_record_id": r1, "excluded_unknown_provider": r2,
        "excluded_departure_before_arrival": r3})
    del ae
    agg = frame.groupby(["provider", "year", "month"], dropna=False).sum().reset_index()
    out["ae"] = [{k: (v if k == "provider" else int(v)) for k, v in r.items()} for r in agg.to_dict("records")]
    del frame, agg
    p = pd.concat(pd.read_parquet(f) for f in sorted((root / "rtt_pathways").glob("month=*/*.parquet")))
    ids = p["record_id"]
    r1 = ids.duplicated(keep=False) | ids.isna()
    r2 = ~p["provider"].isin(_known_for(root, "rtt_pathways", known)) & ~r1
    r3 = p["clock_start"].isna() & ~r1 & ~r2
    ok = ~(r1 | r2 | r3)
    days = (pd.to_datetime(p["census_date"]) - pd.to_datetime(p["clock_start"])).dt.days
    census = pd.to_datetime(p["census_date"])
    frame = pd.DataFrame({
        "provider": p["provider"], "year": census.dt.year.astype("int64"), "month": census.dt.month.astype("int64"),
        "pathways": ok, "within_18wk": ok & (days < 126), "over_52wk": ok & (days >= 364),
        "over_65wk": ok & (days >= 455), "over_78wk": ok & (days >= 546),
        "excluded_duplicate_record_id": r1, "excluded_unknown_provider": r2, "excluded_null_clock_start": r3})
    agg = frame.groupby(["provider", "year", "month"], dropna=False).sum().reset_index()
    out["rtt"] = [{k: (v if k == "provider" else int(v)) for k, v in r.items()} for r in agg.to_dict("records")]
    return out


def child(approach: str, root: Path, known_file: Path, result_file: Path) -> None:
    known = set(json.loads(known_file.read_text()))
    # Libraries are imported before the clock starts: we time the work, not Python's start-up.
    import duckdb  # noqa: F401
    import pandas  # noqa: F401

    import opmodel.records  # noqa: F401

    start = time.perf_counter()
    if approach == "a":
        res = run_opmodel(root, known, "duckdb")
    elif approach == "b":
        res = run_sql(root, known)
    elif approach == "c":
        res = run_pandas(root, known)
    else:
        res = run_opmodel(root, known, "spark")
    wall = time.perf_counter() - start
    result_file.write_bytes(pickle.dumps({"wall": wall, "result": res}))


# --- the parent: generate, run each approach in its own process, compare, report ---------------

def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(Path(f"/proc/{entry}/statm").read_text().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {pid}, [pid]
    while frontier:
        nxt = [c for c, p in parents.items() if p in frontier and c not in tree]
        tree.update(nxt)
        frontier = nxt
    return sum(rss.get(p, 0) for p in tree)


def measure(approach: str, root: Path, known_file: Path, work: Path) -> dict[str, Any]:
    result_file = work / f"result-{approach}.pkl"
    proc = subprocess.Popen([sys.executable, __file__, "--child", approach, "--root", str(root),
                             "--known", str(known_file), "--result", str(result_file)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.2)
    if proc.returncode:
        raise SystemExit(f"approach {approach} failed:\n{proc.stderr.read().decode() if proc.stderr else ''}")
    data = pickle.loads(result_file.read_bytes())
    return {"wall": data["wall"], "peak": peak, "result": data["result"]}


def _norm(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(tuple((k, int(v) if k != "provider" else v) for k, v in sorted(r.items())) for r in rows)


def check_round_trip(result: dict[str, list[dict[str, Any]]], months: set[str],
                     providers: set[str] | None) -> tuple[int, int]:
    """Every trust-month and RTT provider equals the publication; return the numbers checked."""
    from opmodel.records import ae_calibration_files, read_ae_counts

    ae = {(r["provider"], f"{r['year']:04d}-{r['month']:02d}"): r for r in result["ae"]}
    n_ae = 0
    for f in ae_calibration_files(AE_FOLDER):
        for c in read_ae_counts(f):
            key = (c.org_code, c.month.isoformat()[:7])
            if key[1] not in months or (providers is not None and c.org_code not in providers):
                continue
            r = ae.get(key, {"attendances": 0, "over_4h": 0, "dta_12h": 0, "dta_4_12h": 0})
            got = (r["attendances"], r["over_4h"], r["dta_12h"], r["dta_4_12h"])
            assert got == (sum(c.attendances), sum(c.over_4h), c.dta_12h, c.dta_4_12h), key
            n_ae += 1
    rtt = {r["provider"]: r for r in result["rtt"]}
    n_rtt = 0
    with RTT_BY_PROVIDER.open(newline="") as fh:
        for p in csv.DictReader(fh):
            if providers is not None and p["Provider Org Code"] not in providers:
                continue
            r = rtt[p["Provider Org Code"]]
            assert (r["pathways"], r["within_18wk"], r["over_52wk"], r["over_65wk"], r["over_78wk"]) == (
                int(p["incomplete_total"]), int(p["within_18_weeks"]), int(p["over_52_weeks"]),
                int(p["over_65_weeks"]), int(p["over_78_weeks"])), p["Provider Org Code"]
            n_rtt += 1
    return n_ae, n_rtt


def _largest(n: int) -> set[str]:
    with RTT_BY_PROVIDER.open(newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: -int(r["incomplete_total"]))
    return {r["Provider Org Code"] for r in rows[:n]}


def render(table: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    base = next(r for r in table if r["approach"] == "b")
    lines = [
        f"Measured {meta['when']} on {meta['machine']}; {meta['scale']}. Load average (1 min) "
        f"{meta['load'][0]:.1f} at the start and {meta['load'][1]:.1f} at the end: other work shared the cores.",
        f"Input: {meta['ae_records']:,} A&E attendance records ({meta['months']} months) + "
        f"{meta['rtt_records']:,} RTT pathway records = {meta['records']:,} records in Parquet "
        f"({meta['bytes'] / 1e6:,.0f} MB); generated in {meta['generate_s']:.0f} s.",
        f"Round trip: all four results identical and equal to the publications for {meta['checked_ae']:,} "
        f"trust-months and {meta['checked_rtt']:,} RTT providers.",
        "",
        "| approach | wall time (s) | rows/s | peak memory (MB) | time vs (b) | memory vs (b) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in table:
        lines.append(f"| ({r['approach']}) {APPROACHES[r['approach']]} | {r['wall']:.1f} | "
                     f"{meta['records'] / r['wall']:,.0f} | {r['peak'] / 1e6:,.0f} | "
                     f"{r['wall'] / base['wall']:.2f}× | {r['peak'] / base['peak']:.2f}× |")
    a = next(r for r in table if r["approach"] == "a")
    c = next(r for r in table if r["approach"] == "c")
    lines += ["", f"Targets: (a) within 1.5× of (b): {a['wall'] / base['wall']:.2f}× "
              f"({'met' if a['wall'] <= 1.5 * base['wall'] else 'NOT met'}); (a) at least 10× faster than (c): "
              f"{c['wall'] / a['wall']:.1f}× ({'met' if c['wall'] >= 10 * a['wall'] else 'NOT met'}); "
              f"peak memory of (a) under 4 GB: {a['peak'] / 1e9:.2f} GB "
              f"({'met' if a['peak'] < 4e9 else 'NOT met'})."]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child")
    ap.add_argument("--root", type=Path)
    ap.add_argument("--known", type=Path)
    ap.add_argument("--result", type=Path)
    ap.add_argument("--providers", type=int, help="Scale down to the N largest RTT providers (and their A&E).")
    ap.add_argument("--months", type=int, default=12, help="Latest N months of A&E (default 12).")
    ap.add_argument("--approaches", default="abcd")
    ap.add_argument("--work", type=Path, help="Where to generate records (default: a temporary folder).")
    ap.add_argument("--write-docs", action="store_true", help="Write the table into docs/performance.md.")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.root, args.known, args.result)
        return

    from opmodel.records import ae_calibration_files, generate_ae, generate_rtt, read_ae_counts
    from opmodel.store import open_store

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-records-"))
    files = ae_calibration_files(AE_FOLDER)
    all_months = sorted({c.month.isoformat()[:7] for f in files for c in read_ae_counts(f)})
    months = set(all_months[-args.months:])
    providers = _largest(args.providers) if args.providers else None
    root = work / "records"
    shutil.rmtree(root, ignore_errors=True)
    t0 = time.perf_counter()
    ae = generate_ae(files, root, seed=1, providers=sorted(providers) if providers else None, months=sorted(months))
    rtt = generate_rtt(RTT_EXTRACT, root, seed=1, providers=sorted(providers) if providers else None)
    generate_s = time.perf_counter() - t0
    print(f"generated {ae.records:,} A&E + {rtt.records:,} RTT records in {generate_s:.0f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "s.duckdb")
        known = sorted(r[0] for r in store.execute("SELECT code FROM organisations").fetchall())
        store.close()
    known_file = work / "known.json"
    known_file.write_text(json.dumps(known))

    load_start = os.getloadavg()[0]
    table, results = [], {}
    for approach in args.approaches:
        m = measure(approach, root, known_file, work)
        results[approach] = m["result"]
        table.append({"approach": approach, "wall": m["wall"], "peak": m["peak"]})
        print(f"({approach}) {APPROACHES[approach]}: {m['wall']:.1f} s, peak {m['peak'] / 1e6:,.0f} MB", flush=True)
    first = next(iter(results.values()))
    for approach, res in results.items():
        assert _norm(res["ae"]) == _norm(first["ae"]) and _norm(res["rtt"]) == _norm(first["rtt"]), approach
    checked_ae, checked_rtt = check_round_trip(first, months, providers)
    size = sum(p.stat().st_size for p in root.glob("*/month=*/*.parquet"))
    meta = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores (shared), Python {sys.version.split()[0]}",
        "scale": ("full scale" if providers is None else f"SCALED to the {args.providers} largest RTT providers")
        + f", A&E months {min(months)} to {max(months)}",
        "ae_records": ae.records, "rtt_records": rtt.records, "records": ae.records + rtt.records,
        "months": len(months), "bytes": size, "generate_s": generate_s,
        "checked_ae": checked_ae, "checked_rtt": checked_rtt, "load": (load_start, os.getloadavg()[0]),
    }
    text = render(table, meta) if set("bc") <= set(args.approaches) and "a" in args.approaches else json.dumps(table)
    print(text)
    if args.write_docs:
        doc = ROOT / "docs" / "performance.md"
        head = "## Records: deriving the metrics from record-level data"
        body = doc.read_text() if doc.exists() else "# Performance\n"
        start = body.find(head)
        if start >= 0:
            end = body.find("\n## ", start + len(head))
            body = body[:start] + body[(end + 1) if end >= 0 else len(body):]
        intro = ("`benchmarks/bench_records.py` generates calibrated records, then derives every record-level "
                 "metric with four approaches, each in its own process, in one run. Rows/s counts input "
                 "records; peak memory is the resident memory of the process tree (the Spark JVM included). "
                 "Reproduce with `.venv/bin/python benchmarks/bench_records.py --write-docs`.")
        note = ("Reading the figures. All four approaches compute the same counts (asserted in every run). "
                "(a) is one DuckDB query compiled by ibis, close to the hand-written (b); the gap is ibis's "
                "nested projections and timestamp casts, and on a shared machine it moves with the load. "
                "Against pandas (c), DuckDB here has only 2 threads on "
                "2 shared cores, while pandas' single-threaded vectorised kernels suit this flat scan-and-sum "
                "workload; the 10× target needs more cores (DuckDB parallelises its scans and aggregations, "
                "pandas does not). pandas also holds every record in memory, while DuckDB stays within its "
                "3 GB limit and spills to disk beyond it. Local Spark (d) pays for the JVM start, task "
                "scheduling and shuffles on one machine: it is there to show that the same expressions run "
                "unchanged where a cluster is needed, not to compete on one machine.")
        body = body.rstrip("\n") + f"\n\n{head}\n\n{intro}\n\n{text}\n\n{note}\n"
        doc.write_text(body)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
