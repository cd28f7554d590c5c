"""Fixtures for the registry tests: the real ODS files and an empty store with regions and ICBs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from opmodel.store import Store, open_store
from opmodel.structure.defaults import DATA_DIR
from opmodel.structure.loader import load_reference

from ..conftest import SHARED_DATA

ODS = SHARED_DATA / "ods-org-hierarchy"


@pytest.fixture
def reference_store(tmp_path: Path) -> Iterator[Store]:
    """A store with the shipped regions and ICBs but no trusts or sub-ICBs yet."""
    s = open_store(tmp_path / "ref.duckdb", seed=False)
    load_reference(s, DATA_DIR / "regions.csv")
    load_reference(s, DATA_DIR / "icbs.csv")
    yield s
    s.close()


def table_contents(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the registry tables, sorted, to compare a store before and after a failed load."""
    out = {}
    for table in ("organisations", "relationships", "ods_snapshots", "loads"):
        out[table] = sorted(store.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
    return out
