"""A small calibrated sample shared by the records tests, and the slow/Spark selection rule.

The sample covers every month of the A&E files for a few organisations of different shapes
(large type 1 trusts, a walk-in-only centre, RXF whose January 2025 DTA waits exceed its
admissions via A&E) and three RTT providers (RAN has pathways but no A&E), with two injected
bad records per rule. Tests marked ``slow`` (national scale) are deselected unless a ``-m``
expression is given, e.g. ``pytest -m slow tests/records``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from opmodel.records import ae_calibration_files, generate_ae, generate_rtt

from ..conftest import SHARED_DATA

AE_FOLDER = SHARED_DATA / "nhse-ae-monthly-2024-25"
RTT_EXTRACT = SHARED_DATA / "nhse-rtt-2026-04" / "20260430-RTT-April-2026-full-extract.csv.zip"
RTT_BY_PROVIDER = SHARED_DATA / "nhse-rtt-2026-04" / "rtt_2026-04_incomplete_by_provider.csv"
AE_SAMPLE = ["RJ1", "NL7", "RAJ", "R0A", "RXF"]
RTT_SAMPLE = ["RJ1", "RAJ", "RAN"]
INJECTED = 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect this folder's ``slow`` tests unless the run names markers with ``-m``."""
    if config.option.markexpr:
        return
    here = Path(__file__).parent
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("slow") and here in Path(str(item.fspath)).parents else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def small_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The RTT extract's rows (all parts) for the sample providers, as a plain CSV: quick to re-read."""
    target = tmp_path_factory.mktemp("rtt") / "rtt-sample.csv"
    with zipfile.ZipFile(RTT_EXTRACT) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".csv") and not n.startswith("__MACOSX"))
        with io.TextIOWrapper(archive.open(name), encoding="utf-8-sig", newline="") as src, \
                target.open("w", encoding="utf-8", newline="") as out:
            header = src.readline()
            out.write(header)
            column = next(csv.reader([header])).index("Provider Org Code")
            for text in src:
                if any(f",{code}," in text for code in RTT_SAMPLE) and next(csv.reader([text]))[column] in RTT_SAMPLE:
                    out.write(text)
    return target


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory: pytest.TempPathFactory, small_extract: Path) -> Path:
    """Records for the sample trusts (all months) and RTT providers, with injected bad records."""
    root = tmp_path_factory.mktemp("records")
    generate_ae(ae_calibration_files(AE_FOLDER), root, seed=7, providers=AE_SAMPLE, inject_bad=INJECTED)
    generate_rtt(small_extract, root, seed=7, inject_bad=INJECTED)
    return root


@pytest.fixture(scope="session")
def duckdb_result(sample_root: Path) -> Any:
    """The shared sample derived on DuckDB: what each Spark run must equal."""
    from opmodel.records import connect, derive_folder

    return derive_folder(connect("duckdb"), sample_root, set())
