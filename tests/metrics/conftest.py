"""Shared metrics fixtures: the real publications loaded once per session into a store file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from opmodel.metrics import load_files
from opmodel.store import Store, open_store
from opmodel.structure import seed_structure
from tests.conftest import SHARED_DATA

AE_DIR = SHARED_DATA / "nhse-ae-monthly-2024-25"
RTT_DIR = SHARED_DATA / "nhse-rtt-2026-04"
DM01_DIR = SHARED_DATA / "nhse-diagnostics-dm01-2024-25"
RTT_ZIP = RTT_DIR / "20260430-RTT-April-2026-full-extract.csv.zip"
DM01_XLS = DM01_DIR / "Monthly-Diagnostics-Web-File-Provider-July-2025_L8FLO.xls"
DM01_CSV = DM01_DIR / "dm01_provider_monthly_2024-08_2025-07.csv"
AE_MAY_2025 = AE_DIR / "Monthly-AE-May-2025.csv"
AE_XLSX = AE_DIR / "June-2025-AE-by-provider.xlsx"


def structure_only_store(path: Path) -> Store:
    """A store with the shipped registry but no metric values (so loads start from nothing)."""
    store = open_store(path, seed=False)
    seed_structure(store)
    return store


@pytest.fixture
def bare_store(tmp_path: Path) -> Iterator[Store]:
    store = structure_only_store(tmp_path / "bare.duckdb")
    yield store
    store.close()


@pytest.fixture(scope="session")
def loaded_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding everything the A&E, RTT and DM01 readers read from the real files."""
    path = tmp_path_factory.mktemp("metrics") / "loaded.duckdb"
    store = structure_only_store(path)
    load_files(store, [AE_DIR, RTT_DIR, DM01_DIR])
    store.execute("CHECKPOINT")
    store.close()
    return path


@pytest.fixture(scope="session")
def loaded(loaded_store_file: Path) -> Iterator[Store]:
    """Read-only use: the session's loaded store (tests must not write to it)."""
    store = Store(loaded_store_file, read_only=True)
    yield store
    store.close()


@pytest.fixture
def loaded_copy(loaded_store_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A private, writable copy of the loaded store."""
    target = tmp_path / "loaded.duckdb"
    shutil.copy(loaded_store_file, target)
    store = open_store(target, seed=False)
    yield store
    store.close()
