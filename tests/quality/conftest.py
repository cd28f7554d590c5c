"""Quality fixtures: the third-party files read independently with csv, and a seeded store per module."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from opmodel.store import Store, open_store
from tests.conftest import SHARED_DATA

FOLDER = SHARED_DATA / "cqc-ratings-and-shmi-2026-thirdparty"
PROFILES = FOLDER / "trustpulse_trust_profiles.csv"
EXTRACT = FOLDER / "cqc_ratings_extracted.csv"


def profile_rows() -> dict[str, dict[str, str]]:
    """The trust profiles by org_code, read with the csv module only."""
    with PROFILES.open(encoding="utf-8-sig", newline="") as fh:
        return {r["org_code"]: r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def qstore(seeded_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("quality") / "store.duckdb"
    shutil.copy(seeded_store_file, path)
    store = open_store(path)
    yield store
    store.close()
