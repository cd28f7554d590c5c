"""Opening the store and running work atomically.

DuckDB gives us a single-file, embedded analytical database; every load runs in
one transaction so a failure leaves the store exactly as it was.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
from platformdirs import user_data_dir

from opmodel.store.locking import connect_waiting
from opmodel.store.migrations import migrate
from opmodel.store.versions import mark_changed

__all__ = ["Store", "default_store_path", "open_store", "register_seeder"]

ENV_VAR = "OPMODEL_STORE"

# Areas register seeders that fill a brand-new store with the shipped default data,
# so that `opmodel` works out of the box with no network and no ../shared. A seeder named as
# "module:function" is imported only when a store needs it (most commands open a seeded store).
Seeder = Callable[["Store"], None] | str
_SEEDERS: list[tuple[str, Seeder]] = []


def register_seeder(name: str, seeder: Seeder) -> None:
    """Register ``seeder`` (a function or ``"module:function"``) to run once when a store is first
    created (idempotent by name)."""
    if all(n != name for n, _ in _SEEDERS):
        _SEEDERS.append((name, seeder))


def _resolve(seeder: Seeder) -> Callable[[Store], None]:
    if callable(seeder):
        return seeder
    module, _, attr = seeder.partition(":")
    fn: Callable[[Store], None] = getattr(importlib.import_module(module), attr)
    return fn


def default_store_path() -> Path:
    """The store used when neither ``--store`` nor ``OPMODEL_STORE`` is given."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("opmodel", appauthor=False)) / "opmodel.duckdb"


class Store:
    """A DuckDB database holding the registry, models, metrics and results."""

    def __init__(self, path: Path | str | None, *, read_only: bool = False, wait: float = 0.0,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.path: Path | None = None if path in (None, ":memory:") else Path(str(path))
        if self.path is not None and not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        target = ":memory:" if self.path is None else str(self.path)
        self.read_only = read_only
        # Another process may hold the file (see opmodel.store.locking): wait up to ``wait`` seconds.
        self.con = connect_waiting(target, read_only=read_only, wait=wait, on_wait=on_wait)
        self._depth = 0
        if not read_only:
            migrate(self.con)

    # -- transactions -------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block atomically; nested blocks join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self.con
            finally:
                self._depth -= 1
            return
        self.con.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")
        finally:
            self._depth = 0

    # -- helpers ------------------------------------------------------------------
    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        return self.con.execute(sql, params) if params is not None else self.con.execute(sql)

    def rows(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        """Run a query and return a list of dicts keyed by column name."""
        cur = self.execute(sql, params)
        cols = [d[0] for d in cur.description or []]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def scalar(self, sql: str, params: Any = None) -> Any:
        """The first column of the first row; the whole result is consumed so none stays open."""
        rows = self.execute(sql, params).fetchall()
        return rows[0][0] if rows else None

    def get_meta(self, key: str) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def seed_defaults(self, on_seed: Callable[[str, int, int], None] | None = None) -> None:
        """Fill a new store with each registered area's shipped defaults, once per area.

        One query finds the areas already seeded, so opening a seeded store imports no seeder.
        ``on_seed(name, i, n)`` is told before each seeder runs (progress for a first command).
        """
        done = {str(k) for (k,) in self.execute("SELECT key FROM meta WHERE key LIKE 'seeded:%'").fetchall()}
        todo = [(name, seeder) for name, seeder in _SEEDERS if f"seeded:{name}" not in done]
        for i, (name, seeder) in enumerate(todo, 1):
            if on_seed is not None:
                on_seed(name, i, len(todo))
            with self.transaction():
                _resolve(seeder)(self)
                self.set_meta(f"seeded:{name}", "1")
                mark_changed(self)  # seeders may write without a ledger row (issue 25)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: Path | str | None = None, *, seed: bool = True, wait: float = 0.0,
               on_wait: Callable[[str], None] | None = None,
               on_seed: Callable[[str, int, int], None] | None = None) -> Store:
    """Open (creating and migrating if needed) the store at ``path`` or the default one.

    A new store is seeded with the shipped default data of every area that has
    registered a seeder, so the first command a user runs has real data to show.
    When another process holds the file, wait up to ``wait`` seconds (telling
    ``on_wait`` once), then raise :class:`~opmodel.store.locking.StoreBusyError`.
    ``on_seed(name, i, n)`` hears of each seeder as a new store is filled.
    """
    import opmodel.defaults  # noqa: F401  (registers the area seeders)

    store = Store(default_store_path() if path is None else path, wait=wait, on_wait=on_wait)
    if seed:
        store.seed_defaults(on_seed)
    return store
