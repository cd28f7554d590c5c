"""Board packs for a trust, an ICB and a region, built and rendered once per module (rendering is slow)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from opmodel.reports import Report, build_report, oversight_context, render_pdf, render_pptx
from opmodel.store import Store, open_store

PERIOD = "2025-26-Q3"
ORGS = ("RJ1", "QKK", "Y56")


@pytest.fixture(scope="session")
def report_store(seeded_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("reports") / "store.duckdb"
    shutil.copy(seeded_store_file, path)
    store = open_store(path)
    yield store
    store.close()


@pytest.fixture(scope="session")
def reports(report_store: Store) -> dict[str, Report]:
    ctx = oversight_context(report_store, PERIOD)
    return {org: build_report(report_store, org, PERIOD, ctx=ctx) for org in ORGS}


@pytest.fixture(scope="session")
def pdfs(reports: dict[str, Report], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdfs")
    paths = {}
    for org, rep in reports.items():
        paths[org] = out / f"{org}.pdf"
        render_pdf(rep, paths[org])
    return paths


@pytest.fixture(scope="session")
def pptxs(reports: dict[str, Report], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pptx")
    paths = {}
    for org, rep in reports.items():
        paths[org] = out / f"{org}.pptx"
        render_pptx(rep, paths[org])
    return paths


def poppler(*args: str) -> str:
    """Run a poppler-utils tool and return its standard output."""
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    """pdftotext output with runs of whitespace folded to one space (lines wrap anywhere)."""
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return " ".join(poppler("pdftotext", *pages, str(path), "-").split())


def pdf_objects(path: Path) -> bytes:
    """The file's bytes with every Flate stream inflated (the catalogue sits in a compressed object stream)."""
    raw = path.read_bytes()
    parts = [raw]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", raw, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)
