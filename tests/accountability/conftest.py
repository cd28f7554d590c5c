"""Fixtures for the accountability tests: one shared read-only store and mutated copies of shipped models."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from opmodel.accountability import MODELS_DIR
from opmodel.accountability.loader import yaml_with_lines
from opmodel.store import Store, open_store

Mutator = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="session")
def shared_store(seeded_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One seeded store for every test that only reads the registry."""
    target = tmp_path_factory.mktemp("acc") / "store.duckdb"
    shutil.copy(seeded_store_file, target)
    s = open_store(target)
    yield s
    s.close()


def shipped_data(name: str) -> dict[str, Any]:
    data, _ = yaml_with_lines((MODELS_DIR / f"{name}.yaml").read_text(), name)
    return copy.deepcopy(data)


@pytest.fixture
def mutated(tmp_path: Path) -> Callable[[str, Mutator], Path]:
    """Write a copy of a shipped model changed by ``fn`` and return its path."""

    def make(name: str, fn: Mutator) -> Path:
        data = shipped_data(name)
        fn(data)
        path = tmp_path / f"{name}-mutated.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200))
        return path

    return make


def line_text(path: Path, line: int | None) -> str:
    assert line is not None
    return path.read_text().splitlines()[line - 1]
