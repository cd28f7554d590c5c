"""Board packs for many organisations in one go (a region's ~30 trusts), with progress and 2 workers.

Building a report reads the store, so it stays in the calling process and shares one quarter's
segmentation (:class:`OversightContext`); rendering (WeasyPrint layout, chart rasters) is CPU-bound
pure computation on the finished :class:`Report`, so it goes to a process pool. The machine has two
cores, hence ``jobs`` defaults to at most 2; building the next report overlaps with rendering.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from opmodel.errors import OpmodelError
from opmodel.reports.build import build_report
from opmodel.reports.model import Report
from opmodel.reports.pdf import render_pdf
from opmodel.reports.sections.oversight import oversight_context
from opmodel.reports.slides import render_pptx
from opmodel.reports.templates import ReportTemplate
from opmodel.store import Store

__all__ = ["BatchResult", "render_many", "render_one"]

Format = Literal["pdf", "pptx"]


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def render_one(report: Report, path: Path, fmt: Format) -> Path:
    """Write one report as PDF or PPTX (the worker's job)."""
    if fmt == "pdf":
        render_pdf(report, path)
    else:
        render_pptx(report, path)
    return path


def _ticker(tick: Callable[[str], None], code: str) -> Callable[[Future[Path]], None]:
    return lambda _f: tick(code)


def render_many(store: Store, orgs: Sequence[str], period: str, out_dir: Path, fmt: Format = "pdf",
                template: ReportTemplate | None = None, jobs: int | None = None,
                progress: Callable[[str], None] | None = None) -> BatchResult:
    """One file per organisation in ``out_dir`` (``<code>-<period>.<fmt>``); failures are listed, not raised."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or 2, os.cpu_count() or 1))
    ctx = oversight_context(store, period)
    result = BatchResult()
    tick = progress or (lambda _code: None)

    def build(code: str) -> Report | None:
        try:
            return build_report(store, code, period, template=template, ctx=ctx)
        except OpmodelError as exc:
            result.failed[code] = str(exc).splitlines()[0]
            tick(code)
            return None

    if jobs == 1:
        for code in orgs:
            report = build(code)
            if report is not None:
                result.written.append(render_one(report, out_dir / f"{code}-{period}.{fmt}", fmt))
                tick(code)
        return result
    pending: dict[str, Future[Path]] = {}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        for code in orgs:
            report = build(code)
            if report is not None:
                fut = pool.submit(render_one, report, out_dir / f"{code}-{period}.{fmt}", fmt)
                fut.add_done_callback(_ticker(tick, code))
                pending[code] = fut
        for code, fut in pending.items():
            try:
                result.written.append(fut.result())
            except Exception as exc:  # a render failure in one pack must not lose the others
                result.failed[code] = f"{type(exc).__name__}: {exc}"
    return result
