"""One shared DuckDB database for the whole server, a cursor per request.

DuckDB allows one process to open a file read-write, and many threads of that
process to query it concurrently through cursors of the same database instance
(each cursor is its own connection with MVCC snapshots). Opening the file per
request would lock out the writer and cost milliseconds per open; a single
connection behind a lock would serialise every page. So the server opens the
store once, hands each request a cursor, and funnels writes (uploads) through
one lock. ``version`` changes after every write so caches can tell stale pages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from opmodel.store import Store, open_store

__all__ = ["CursorStore", "StoreHub"]

T = TypeVar("T")


class CursorStore(Store):
    """A :class:`Store` over a cursor of an already open database (no migration, no seeding)."""

    def __init__(self, parent: duckdb.DuckDBPyConnection, path: Path | None) -> None:
        self.path = path
        self.read_only = False
        self.con = parent.cursor()
        self._depth = 0


class StoreHub:
    """The server's store: opened (and seeded) once, shared by every request."""

    def __init__(self, path: Path | str | None) -> None:
        self._root = open_store(path)
        self.path = self._root.path
        self._write_lock = threading.Lock()
        self._cursor_lock = threading.Lock()
        self._version = 0
        self._memo: dict[tuple[int, Any], Any] = {}
        self._memo_lock = threading.Lock()

    @property
    def version(self) -> int:
        """A number that changes whenever the server has written to the store."""
        return self._version

    @contextmanager
    def reader(self) -> Iterator[Store]:
        """A store for one request's reads."""
        with self._cursor_lock:
            store = CursorStore(self._root.con, self.path)
        try:
            yield store
        finally:
            store.close()

    @contextmanager
    def writer(self) -> Iterator[Store]:
        """A store for one write; writes are serialised and bump :attr:`version`."""
        with self._write_lock:
            with self._cursor_lock:
                store = CursorStore(self._root.con, self.path)
            try:
                yield store
            finally:
                store.close()
                self._version += 1

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per store version (segmentation runs, chart SVGs shared by pages and API)."""
        full = (self._version, key)
        with self._memo_lock:
            if full in self._memo:
                return self._memo[full]  # type: ignore[no-any-return]
        value = compute()
        with self._memo_lock:
            stale = [k for k in self._memo if k[0] != self._version]
            for k in stale:
                del self._memo[k]
            if len(self._memo) >= 4096:
                self._memo.clear()
            self._memo[full] = value
        return value

    def close(self) -> None:
        self._root.close()
