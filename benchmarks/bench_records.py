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


# The same algorithm as opmodel.records.derive, written by hand: shared ids found by sorting,
# records counted per provider, month and (duplicate, third-rule) flags, rules applied to the
# grouped rows (the provider rule is a property of the group key).
_DUP = """dup AS (SELECT DISTINCT record_id FROM (
    SELECT record_id, lag(record_id) OVER (ORDER BY record_id) AS prev FROM read_parquet('{glob}'))
  WHERE record_id = prev)"""

_FOLD = """
SELECT provider, year, month,
  {metrics},
  coalesce(sum(n) FILTER (WHERE d), 0) AS excluded_duplicate_record_id,
  CASE WHEN k THEN 0 ELSE coalesce(sum(n) FILTER (WHERE NOT d), 0) END AS excluded_unknown_provider,
  CASE WHEN k THEN coalesce(sum(n) FILTER (WHERE NOT d AND b), 0) ELSE 0 END AS excluded_{rule3}
FROM (SELECT g.*, coalesce(g.provider IN (SELECT code FROM known), false) AS k FROM g)
GROUP BY provider, year, month, k ORDER BY provider, year, month
"""


def _fold(metrics: list[str], rule3: str) -> str:
    cols = ",\n  ".join(f"CASE WHEN k THEN coalesce(sum({m}) FILTER (WHERE NOT d AND NOT b), 0) ELSE 0 END AS {m}"
                         for m in metrics)
    return _FOLD.format(metrics=cols, rule3=rule3)


_AE_SQL = "WITH " + _DUP + """,
g AS (
  SELECT provider, coalesce(year(arrival), 0) AS year, coalesce(month(arrival), 0) AS month,
         (dup.record_id IS NOT NULL OR ae.record_id IS NULL) AS d,
         (arrival IS NULL OR departure IS NULL OR departure < arrival) AS b,
         count(*) AS n,
         count(*) AS attendances,
         count(*) FILTER (WHERE epoch(departure) - epoch(arrival) > 14400) AS over_4h,
         count(*) FILTER (WHERE admitted) AS admitted,
         count(*) FILTER (WHERE epoch(departure) - epoch(decision_to_admit) > 14400
                          AND epoch(departure) - epoch(decision_to_admit) <= 43200) AS dta_4_12h,
         count(*) FILTER (WHERE epoch(departure) - epoch(decision_to_admit) > 43200) AS dta_12h
  FROM read_parquet('{glob}') AS ae LEFT JOIN dup ON ae.record_id = dup.record_id
  GROUP BY ALL)""" + _fold(["attendances", "over_4h", "admitted", "dta_4_12h", "dta_12h"],
                           "departure_before_arrival")

_RTT_SQL = "WITH " + _DUP + """,
g AS (
  SELECT provider, coalesce(year(census_date), 0) AS year, coalesce(month(census_date), 0) AS month,
         (dup.record_id IS NOT NULL OR p.record_id IS NULL) AS d, clock_start IS NULL AS b,
         count(*) AS n,
         count(*) AS pathways,
         count(*) FILTER (WHERE census_date - clock_start < 126) AS within_18wk,
         count(*) FILTER (WHERE census_date - clock_start >= 364) AS over_52wk,
         count(*) FILTER (WHERE census_date - clock_start >= 455) AS over_65wk,
         count(*) FILTER (WHERE census_date - clock_start >= 546) AS over_78wk
  FROM read_parquet('{glob}') AS p LEFT JOIN dup ON p.record_id = dup.record_id
  GROUP BY ALL)""" + _fold(["pathways", "within_18wk", "over_52wk", "over_65wk", "over_78wk"], "null_clock_start")


def _known_for(root: Path, name: str, known: set[str]) -> set[str]:
    from opmodel.records import read_provider_list

    return known | read_provider_list(root / name / "providers.csv")


def run_sql(root: Path, known: set[str]) -> dict[str, list[dict[str, Any]]]:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    out = {}
    for key, name, sql in (("ae", "ae_attendances", _AE_SQL), ("rtt", "rtt_pathways", _RTT_SQL)):
        con.execute("CREATE OR REPLACE TEMP TABLE known AS SELECT unnest($1::VARCHAR[]) AS code",
                    [sorted(_known_for(root, name, known))])
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

    if approach in "ad":
        # ... including the modules ibis and pandera import lazily on first use.
        import importlib

        for module in ("ibis.backends.duckdb" if approach == "a" else "ibis.backends.pyspark",
                       "ibis.expr.types.groupby", "ibis.formats.pandas", "pandera.backends.ibis.container",
                       "pandera.backends.ibis.components", "pandera.backends.ibis.builtin_checks",
                       "pandera.strategies"):
            importlib.import_module(module)
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


def _note(table: list[dict[str, Any]]) -> str:
    """The closing note: where the time goes (profiled separately, see below) and the 10× verdict."""
    wall = {r["approach"]: r["wall"] for r in table}
    ratio = wall["c"] / wall["a"]
    parts = [
        "Reading the figures. All four approaches compute the same counts (asserted in every run), and (a) and "
        "(b) run the same algorithm: (b) is (a)'s query written by hand. Two passes over the files: the shared "
        "record ids are found by sorting the ids (`lag` over `order by record_id`), then one scan counts the "
        "records per provider, month and rule flags, and the rules are applied to those few thousand grouped "
        "rows (docs/decisions.md, Records and scale). The gap between (a) and (b) is ibis's: about 0.3 s of "
        "fixed cost (connecting, schema validation, building and compiling two expressions) and a compiled "
        "query a little slower than the hand-written one (nested projections and casts).",
        "",
        "Where the time goes. `EXPLAIN ANALYZE` of (b) on the same national data (2026-11-23, CPU seconds "
        "summed over DuckDB's 2 threads): A&E, 27.5 M records, 1.5 s wall: sorting the 27.5 M ids for the "
        "duplicate search 1.18 s, reading the six needed columns 0.69 s, per-record expressions (epoch seconds, "
        "year, month, flags) 0.42 s, the per-record hash aggregation 0.51 s; RTT, 7.1 M records, 0.3 s wall: "
        "sorting the ids 0.30 s, the aggregation 0.12 s, reading 0.05 s. The same profile before this round "
        "(the previous table: (a) 7.6 s, (b) 6.1 s, (c) 23.6 s) found three avoidable costs: the duplicate "
        "search as a hash aggregation with one group per record (about two thirds of the CPU time; sorting is "
        "three times cheaper), the known-provider test evaluated per record against ~1,200 codes (now once per "
        "provider-month), and the record ids stored dictionary-then-plain (now delta-encoded: decoding them, "
        "twice per run, went from 0.21 s to 0.02 s). Parquet compression (ZSTD, Snappy, LZ4, none), row-group "
        "size and integer seconds instead of timestamps were measured and made no difference beyond noise. "
        "pandas (c) reads every column into memory and hashes on one core: on the same data, reading the "
        "A&E files took about 10 s of its 23 s, the duplicate check 2.6 s, the derived columns 3.1 s and the "
        "group-by 6.9 s (timed separately); the new encoding makes its reads a little faster too.",
        "",
    ]
    if ratio >= 10:
        parts.append(f"The 10× target against pandas is met in this run ({ratio:.1f}×), with little margin: "
                     "on 2 shared cores both sides move with the machine's load, so a busier run can fall "
                     "below 10×.")
    else:
        parts.append(f"Why (a) is {ratio:.1f}× and not 10× faster than pandas here: 10× needed (a) in "
                     f"{wall['c'] / 10:.2f} s or less; it took {wall['a']:.2f} s, while the hand-written floor "
                     f"(b) took {wall['b']:.2f} s ({wall['c'] / wall['b']:.1f}× faster than pandas). The floor is "
                     "the work the definitions require, on 2 cores: the duplicate-id rule needs all 34.7 M ids "
                     "brought together (sorted: about 1.5 CPU-seconds) and the counts need one pass over the "
                     "needed columns of 27.5 M A&E and 7.1 M RTT records (about 1.8 CPU-seconds), so at least "
                     "about 1.65 s of wall time on 2 free threads, more when other work shares the cores. On top "
                     f"of it (a) pays ibis's fixed cost and its slower query, {wall['a'] - wall['b']:.2f} s in "
                     "this run: at this scale that is the difference between meeting and missing 10×. DuckDB's "
                     "side shrinks with more cores (its sort, scans and aggregations use every thread) while "
                     "pandas stays on one.")
    parts.append(" Local Spark (d) pays for the JVM start, task scheduling and shuffles on one machine; it is "
                 "there to show that the same expressions run unchanged where a cluster is needed, not to "
                 "compete on one machine. pandas holds every record in memory; DuckDB stays within its 3 GB "
                 "limit and spills beyond it.")
    return "\n".join(parts[:-1]) + parts[-1]


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
    os.sync()  # no write-back of the fresh files competing with the first approach measured
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
        note = _note(table)
        body = body.rstrip("\n") + f"\n\n{head}\n\n{intro}\n\n{text}\n\n{note}\n"
        doc.write_text(body)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
