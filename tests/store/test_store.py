"""The store: migrations per area, atomic transactions, seeding and the default location."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmodel.store import SCHEMA_AREAS, Store, applied_versions, default_store_path, open_store


def test_new_store_records_schema_versions(empty_store: Store) -> None:
    versions = applied_versions(empty_store.con)
    assert set(versions) == set(SCHEMA_AREAS)
    assert versions["core"] >= 1 and versions["structure"] >= 1


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with open_store(path, seed=False) as s:
        s.set_meta("marker", "kept")
        first = applied_versions(s.con)
    with open_store(path, seed=False) as s:
        assert applied_versions(s.con) == first
        assert s.get_meta("marker") == "kept"


def test_failed_transaction_leaves_the_store_as_it_was(empty_store: Store) -> None:
    empty_store.set_meta("a", "1")
    with pytest.raises(RuntimeError), empty_store.transaction():
        empty_store.set_meta("a", "2")
        empty_store.set_meta("b", "3")
        raise RuntimeError("boom")
    assert empty_store.get_meta("a") == "1"
    assert empty_store.get_meta("b") is None


def test_nested_transactions_join_the_outer_one(empty_store: Store) -> None:
    with pytest.raises(RuntimeError), empty_store.transaction():
        with empty_store.transaction():
            empty_store.set_meta("inner", "x")
        raise RuntimeError("outer fails")
    assert empty_store.get_meta("inner") is None


def test_seeding_happens_once(store_path: Path) -> None:
    with open_store(store_path) as s:
        n = s.scalar("SELECT count(*) FROM organisations")
        assert s.get_meta("seeded:structure") == "1"
    with open_store(store_path) as s:
        assert s.scalar("SELECT count(*) FROM organisations") == n


def test_default_path_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPMODEL_STORE", str(tmp_path / "x.duckdb"))
    assert default_store_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("OPMODEL_STORE")
    assert default_store_path().name == "opmodel.duckdb"
