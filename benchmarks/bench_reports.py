#!/usr/bin/env python3
"""Board packs (issue 17): one trust's PDF, and every trust of a region in one go.

Measured in one run, against a baseline from the same run:

- ``baseline``: WeasyPrint turning a one-page HTML document (the pack's stylesheet, one table) into a
  PDF: the floor any PDF pays here;
- ``trust``: ``build_report`` + ``render_pdf`` for RJ1 in a warm process (median of ``--repeat``),
  wall and CPU seconds; and ``opmodel report RJ1 --pdf`` as a fresh process (imports included);
- ``region``: ``render_many`` for every trust in Y56 (about 30) with ``--jobs`` workers, and with
  ``--serial`` also one worker, for the speed-up of the process pool on this 2-core machine.

Targets: one trust's PDF under 3 s; a region's trusts in one command with a progress bar.

    .venv/bin/python benchmarks/bench_reports.py [--repeat 3] [--region Y56] [--jobs 2] [--serial]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PERIOD = "2025-26-Q3"


def _timed(fn: object, repeat: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--region", default="Y56")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--serial", action="store_true", help="also render the region with one process")
    args = ap.parse_args()

    from weasyprint import CSS, HTML

    from opmodel.reports import build_report, oversight_context, render_many, render_pdf
    from opmodel.reports.pdf import _HTML_DIR
    from opmodel.store import open_store
    from opmodel.structure import list_organisations

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        store = open_store(tmpdir / "bench.duckdb")
        css = CSS(filename=str(_HTML_DIR / "board_pack.css"))
        page = ("<html lang='en-GB'><head><title>baseline</title></head><body><h1>Baseline</h1><table>"
                + "".join(f"<tr><td>row {i}</td><td>{i * 1.5:.1f}%</td></tr>" for i in range(20))
                + "</table></body></html>")

        def baseline() -> None:
            HTML(string=page).write_pdf(stylesheets=[css], pdf_variant="pdf/ua-1", pdf_tags=True)

        baseline()  # warm fonts
        base_w, base_c = _timed(baseline, args.repeat)
        ctx = oversight_context(store, PERIOD)

        def trust() -> None:
            render_pdf(build_report(store, "RJ1", PERIOD, ctx=None), tmpdir / "rj1.pdf")

        trust()
        trust_w, trust_c = _timed(trust, args.repeat)
        build_w, build_c = _timed(lambda: build_report(store, "RJ1", PERIOD, ctx=ctx), args.repeat)
        store.close()

        exe = shutil.which("opmodel") or str(Path(sys.executable).with_name("opmodel"))
        env = {**os.environ, "OPMODEL_STORE": str(tmpdir / "bench.duckdb")}
        started = time.perf_counter()
        subprocess.run([exe, "report", "RJ1", "--period", PERIOD, "--pdf", str(tmpdir / "cli.pdf")], check=True,
                       env=env, capture_output=True)
        cli_w = time.perf_counter() - started

        store = open_store(tmpdir / "bench.duckdb")
        codes = [t["code"] for t in list_organisations(store, kind="trust", on=ctx.period_end, region=args.region)]
        runs = [(f"region, {args.jobs} processes", args.jobs)] + ([("region, 1 process", 1)] if args.serial else [])
        region: list[tuple[str, float, int]] = []
        for label, jobs in runs:
            out = tmpdir / f"packs-{jobs}"
            started = time.perf_counter()
            result = render_many(store, codes, PERIOD, out, jobs=jobs)
            region.append((label, time.perf_counter() - started, len(result.written)))
        store.close()

    load = os.getloadavg()[0]
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores")
    print("| run | wall | CPU | vs baseline (wall) |")
    print("|---|---|---|---|")
    print(f"| baseline: one-page PDF through WeasyPrint | {base_w:.2f} s | {base_c:.2f} s | 1× |")
    print(f"| RJ1: build the report (segmentation shared) | {build_w:.2f} s | {build_c:.2f} s | "
          f"{build_w / base_w:.1f}× |")
    print(f"| RJ1: build + PDF, warm process (target < 3 s) | {trust_w:.2f} s | {trust_c:.2f} s | "
          f"{trust_w / base_w:.1f}× |")
    print(f"| RJ1: `opmodel report --pdf`, fresh process | {cli_w:.2f} s | – | {cli_w / base_w:.1f}× |")
    for label, wall, n in region:
        print(f"| {args.region}: {n} trusts, {label} | {wall:.1f} s ({wall / max(n, 1):.2f} s per trust) | – | "
              f"{wall / base_w:.0f}× |")


if __name__ == "__main__":
    main()
