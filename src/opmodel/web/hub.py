"""The server's store: opened while requests need it, let go when idle, a cursor per request.

DuckDB lets one process open a file read-write, and many threads of that process
query it concurrently through cursors of one database instance (each cursor is
its own connection with MVCC snapshots). Opening the file per request would cost
tens of milliseconds, and holding it for the server's whole life locks every other
``opmodel`` command out of the store (issue 16 item 11). So the hub opens the file
when a request needs it, shares it between concurrent requests, and closes it
``idle_seconds`` after the last one finishes: an idle server holds no lock, and a
command run beside it works (or waits a moment, saying so, see
:mod:`opmodel.store.locking`). When another command holds the store, requests wait
up to ``wait_seconds`` and then answer 503.

``version`` changes after every committed write by the server (a rejected upload
changes nothing, so caches stay valid) and whenever the file changes on disk (a
load by another command), so caches can tell stale pages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from opmodel.store import Store, open_store
from opmodel.store.locking import connect_waiting

__all__ = ["CursorStore", "StoreHub"]

T = TypeVar("T")
_Signature = tuple[tuple[int, int] | None, ...]


class CursorStore(Store):
    """A :class:`Store` over a cursor of an already open database (no migration, no seeding)."""

    def __init__(self, parent: duckdb.DuckDBPyConnection, path: Path | None) -> None:
        self.path = path
        self.read_only = False
        self.con = parent.cursor()
        self._depth = 0


class StoreHub:
    """The server's store: migrated and seeded once, shared by concurrent requests, closed when idle."""

    def __init__(self, path: Path | str | None, *, idle_seconds: float = 2.0, wait_seconds: float = 20.0) -> None:
        root = open_store(path, wait=wait_seconds)
        self.path = root.path
        self.idle_seconds = idle_seconds
        self.wait_seconds = wait_seconds
        self._con: duckdb.DuckDBPyConnection | None = None
        if self.path is None:  # an in-memory store lives as long as its connection
            self._con = root.con
        else:
            root.close()
        self._users = 0
        self._timer: threading.Timer | None = None
        self._con_lock = threading.Lock()
        self._write_lock = threading.Lock()
        #: Held across an upload's check and load, so one upload is parsed at a time.
        self.upload_lock = threading.Lock()
        self._version = 0
        self._version_lock = threading.Lock()
        self._signature_seen = self._signature()
        self._memo: dict[tuple[int, Any], Any] = {}
        self._memo_lock = threading.Lock()

    # -- versions -----------------------------------------------------------------
    def _signature(self) -> _Signature:
        """(mtime, size) of the store file and its write-ahead log: changes when anyone writes."""
        if self.path is None:
            return ()
        out: list[tuple[int, int] | None] = []
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                st = p.stat()
            except OSError:
                out.append(None)
            else:
                out.append((st.st_mtime_ns, st.st_size))
        return tuple(out)

    @property
    def version(self) -> int:
        """A number that changes whenever the store has changed (by the server or another command)."""
        sig = self._signature()
        if sig != self._signature_seen:
            with self._version_lock:
                if sig != self._signature_seen:
                    self._signature_seen = sig
                    self._version += 1
        return self._version

    @property
    def is_open(self) -> bool:
        """Whether the server currently holds the store file (and so its lock)."""
        return self._con is not None

    # -- connections --------------------------------------------------------------
    def _acquire(self) -> CursorStore:
        with self._con_lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._con is None:
                assert self.path is not None
                self._con = connect_waiting(str(self.path), wait=self.wait_seconds)
            store = CursorStore(self._con, self.path)
            self._users += 1
            return store

    def _release(self, store: Store) -> None:
        store.close()
        with self._con_lock:
            self._users -= 1
            if self._users == 0 and self.path is not None and self._con is not None:
                if self.idle_seconds <= 0:
                    self._close_connection()
                else:
                    self._timer = threading.Timer(self.idle_seconds, self._close_if_idle)
                    self._timer.daemon = True
                    self._timer.start()

    def _close_if_idle(self) -> None:
        with self._con_lock:
            if self._users == 0:
                self._close_connection()

    def _close_connection(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._con is not None:
            self._con.close()
            self._con = None

    @contextmanager
    def reader(self) -> Iterator[Store]:
        """A store for one request's reads."""
        store = self._acquire()
        try:
            yield store
        finally:
            self._release(store)

    @contextmanager
    def writer(self) -> Iterator[Store]:
        """A store for one write; writes are serialised, and one that completes bumps :attr:`version`.

        A block that raises (a rejected load rolls back) leaves ``version`` as it was,
        so every cached page stays valid.
        """
        with self._write_lock:
            store = self._acquire()
            committed = False
            try:
                yield store
                committed = True
            finally:
                self._release(store)
                if committed:
                    with self._version_lock:
                        self._version += 1
                        self._signature_seen = self._signature()

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per store version (segmentation runs, chart SVGs shared by pages and API)."""
        version = self.version
        full = (version, key)
        with self._memo_lock:
            if full in self._memo:
                return self._memo[full]  # type: ignore[no-any-return]
        value = compute()
        with self._memo_lock:
            stale = [k for k in self._memo if k[0] != version]
            for k in stale:
                del self._memo[k]
            if len(self._memo) >= 4096:
                self._memo.clear()
            self._memo[full] = value
        return value

    def close(self) -> None:
        with self._con_lock:
            self._close_connection()
