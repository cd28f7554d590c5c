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
changes nothing, so caches stay valid) and whenever another process changes the data
(a load by another command), so caches can tell stale pages. The file changing on disk
is the cheap sign; the store's data version (:func:`opmodel.store.data_version`) then
says whether the data changed or only kept results and checkpoints did (issue 25).

:meth:`StoreHub.memo` keeps what pages share (segmentation runs, chart SVGs, view models)
once per data version in this process and in the store's results cache, so a restarted
server, or a second one, does not compute or render them again (issue 25 item 3).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from starlette.concurrency import run_in_threadpool

from opmodel.store import Store, data_version, open_store
from opmodel.store.locking import connect_waiting
from opmodel.store.results import MISSING, cache_key, get_result, put_result
from opmodel.store.results import enabled as results_enabled
from opmodel.store.versions import code_fingerprint

__all__ = ["CursorStore", "NeedsThread", "StoreHub"]

T = TypeVar("T")
#: True while a request is tried on the event loop (:meth:`StoreHub.serve`): anything that would query,
#: compute or wait raises :class:`NeedsThread` instead.
_ON_LOOP: ContextVar[bool] = ContextVar("opmodel_on_loop", default=False)


class NeedsThread(BaseException):
    """A request tried on the event loop needs a query, a computation or a wait: it is run on a thread.

    A ``BaseException``, like ``GeneratorExit``, because it is control flow: a page's ``except Exception``
    (a section that degrades when its data fails) must not catch it and render its fallback instead.
    """


def _must_not_block() -> None:
    if _ON_LOOP.get():
        raise NeedsThread


#: What the pages share, kept in the store per data version (chart SVGs are the largest, ~50 kB each).
KEPT_PAGE_PARTS = 2048
_Signature = tuple[tuple[int, int] | None, ...]


class CursorStore(Store):
    """A :class:`Store` over a cursor of an already open database (no migration, no seeding).

    The cursor is made when the request first queries: a page served from what is kept (see
    :meth:`StoreHub.memo`) makes none, and under 50 clients making and closing one cost more than the
    page (issue 25).
    """

    def __init__(self, parent: duckdb.DuckDBPyConnection, path: Path | None) -> None:
        self.path = path
        self.read_only = False
        self._parent = parent
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self._depth = 0

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._cursor is None:
            _must_not_block()
            self._cursor = self._parent.cursor()
        return self._cursor

    @con.setter
    def con(self, value: duckdb.DuckDBPyConnection) -> None:
        self._cursor = value

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None


class StoreHub:
    """The server's store: migrated and seeded once, shared by concurrent requests, closed when idle."""

    def __init__(self, path: Path | str | None, *, idle_seconds: float = 2.0, wait_seconds: float = 20.0,
                 section_budget: int = 64 * 1024 * 1024) -> None:
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
        self._last_release = 0.0
        #: One thread watches for idleness while the file is open (a timer per request cost ~5 ms each).
        self._closer: threading.Thread | None = None
        self._wake = threading.Event()
        self._con_lock = threading.Lock()
        self._write_lock = threading.Lock()
        #: Held across an upload's check and load, so one upload is parsed at a time.
        self.upload_lock = threading.Lock()
        self._version = 0
        self._version_lock = threading.Lock()
        self._signature_seen = self._signature()
        #: The data version :attr:`version` stands for (None until read).
        self._data: str | None = None
        self._memo: dict[tuple[int, Any], Any] = {}
        self._memo_lock = threading.Lock()
        #: Rendered page sections (``section``): this process only, least recently used first, bounded by size.
        self._sections: OrderedDict[tuple[int, Any], tuple[str, bytes]] = OrderedDict()
        self._sections_chars = 0
        self.section_budget = section_budget
        #: Requests :meth:`serve` answered on the event loop and on a thread (what the tests check).
        self.served = {"loop": 0, "thread": 0}
        #: Keep memoised values in the store's results cache too (off for the benchmark's cold runs).
        self.keep_results = results_enabled()

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

    def _read_data_version(self) -> str | None:
        """The data version, or None when it cannot be read at once (another process holds the store:
        asked from the event loop, this must not wait)."""
        try:
            store = self._acquire(wait=0.0)
        except Exception:
            return None
        try:
            return data_version(store)
        except Exception:
            return None
        finally:
            self._release(store)

    @property
    def version(self) -> int:
        """A number that changes whenever the store's data has changed (by the server or another command).

        While the server holds the file no other process can write it, so the number stands; when the
        file was let go and has changed since, it is opened (without waiting: another process may
        hold it) and its data version decides. Results kept and checkpoints change the file, not the number.
        """
        if self.path is None or self._con is not None:
            return self._version
        if self._signature() != self._signature_seen:
            try:
                self._release(self._acquire(wait=0.0))  # opening compares the data (_check_reopened)
            except Exception:  # held by another process (a load): assume it changed, as a page would
                with self._version_lock:
                    self._version += 1
                    self._data = None
                    self._signature_seen = self._signature()
        return self._version

    def _check_reopened(self, con: duckdb.DuckDBPyConnection) -> None:
        """Just (re)opened: did another process change the data while the file was let go?"""
        sig = self._signature()
        if sig == self._signature_seen:
            return
        try:
            data: str | None = data_version(CursorStore(con, self.path))
        except Exception:
            data = None
        with self._version_lock:
            if data is None or self._data is None or data != self._data:
                self._version += 1
            self._data = data
            self._signature_seen = sig

    @property
    def data(self) -> str:
        """The store's data version for the current :attr:`version` (read once per version)."""
        version = self.version
        if self._data is None:
            found = self._read_data_version()
            with self._version_lock:
                if self._version == version and self._data is None:
                    self._data = found
        return self._data or ""

    @property
    def is_open(self) -> bool:
        """Whether the server currently holds the store file (and so its lock)."""
        return self._con is not None

    # -- connections --------------------------------------------------------------
    def _acquire(self, wait: float | None = None) -> CursorStore:
        with self._con_lock:
            if self._con is None:
                assert self.path is not None
                self._con = connect_waiting(str(self.path), wait=self.wait_seconds if wait is None else wait)
                self._check_reopened(self._con)
                if self.idle_seconds > 0 and (self._closer is None or not self._closer.is_alive()):
                    self._wake.clear()
                    self._closer = threading.Thread(target=self._close_when_idle, name="opmodel-store-idle",
                                                    daemon=True)
                    self._closer.start()
            store = CursorStore(self._con, self.path)
            self._users += 1
            return store

    def quiet_for(self) -> float:
        """Seconds since a request (or anything else) last let go of the store; 0 while one holds it."""
        with self._con_lock:
            return 0.0 if self._users else time.monotonic() - self._last_release

    def _release(self, store: Store) -> None:
        store.close()
        with self._con_lock:
            self._users -= 1
            self._last_release = time.monotonic()
            if self._users == 0 and self.path is not None and self._con is not None and self.idle_seconds <= 0:
                self._close_connection()

    def _close_when_idle(self) -> None:
        """Close the file ``idle_seconds`` after the last request let go of it; then end (reopening starts
        another watcher)."""
        while True:
            with self._con_lock:
                if self._con is None:
                    return
                idle = time.monotonic() - self._last_release
                if self._users == 0 and idle >= self.idle_seconds:
                    self._close_connection()
                    return
                left = self.idle_seconds - idle if self._users == 0 else self.idle_seconds
            if self._wake.wait(max(0.01, left)):
                return

    def _close_connection(self) -> None:
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
    def loop_reader(self) -> Iterator[Store]:
        """A store for a request tried on the event loop: it may read only what this process keeps
        (:meth:`memo`, :meth:`section`); a query, a computation or opening the file raises
        :class:`NeedsThread`."""
        with self._con_lock:
            if (self._con is None and self.path is not None) or self.idle_seconds <= 0:
                raise NeedsThread  # opening waits for the file; closing at once checkpoints
            store = CursorStore(self._con, self.path)  # type: ignore[arg-type]
            self._users += 1
        token = _ON_LOOP.set(True)
        try:
            yield store
        finally:
            _ON_LOOP.reset(token)
            self._release(store)

    async def serve(self, page: Callable[[Store], T]) -> T:
        """``page(store)`` on the event loop when everything it shows is kept, else on a worker thread.

        Under 50 clients each thread hand-over waited on the GIL behind the others (issue 25): a page whose
        views and sections are all kept renders in about a millisecond, less than the hand-overs cost. The
        first rendering of a page, and any query, still runs on a thread, so the loop never waits on DuckDB.
        """
        try:
            with self.loop_reader() as store:
                served = page(store)
            self.served["loop"] += 1
            return served
        except NeedsThread:
            pass
        self.served["thread"] += 1
        return await run_in_threadpool(self._read_with, page)

    def _read_with(self, page: Callable[[Store], T]) -> T:
        with self.reader() as store:
            return page(store)

    @contextmanager
    def writer(self) -> Iterator[Store]:
        """A store for one write; writes are serialised, and one that completes bumps :attr:`version`.

        A block that raises (a rejected load rolls back) leaves ``version`` as it was,
        so every cached page stays valid.
        """
        with self._write_lock:
            store = self._acquire()
            committed = False
            data: str | None = None
            try:
                yield store
                committed = True
                data = data_version(store)
            finally:
                self._release(store)
                if committed:
                    with self._version_lock:
                        self._version += 1
                        self._data = data
                        self._signature_seen = self._signature()

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per store version (segmentation runs, chart SVGs shared by pages and API).

        Looked for in this process first, then in the store's results cache (kept there by an earlier
        run of the server, or another one), and computed only when neither holds it for this version.
        """
        version = self.version
        full = (version, key)
        with self._memo_lock:
            if full in self._memo:
                return self._memo[full]  # type: ignore[no-any-return]
        _must_not_block()
        value = self._kept(key, compute)
        with self._memo_lock:
            stale = [k for k in self._memo if k[0] != version]
            for k in stale:
                del self._memo[k]
            if len(self._memo) >= 4096:
                self._memo.clear()
            self._memo[full] = value
        return value

    def section(self, key: Any, render: Callable[[], str]) -> str:
        """A page section's HTML, rendered once per store version and ``key`` (issue 25).

        The views a section shows are kept by :meth:`memo`; writing them out again as HTML was most of an
        uncached profile's time. Kept in this process only (cheap to redo after a restart), the least
        recently used dropped first once they hold more than ``section_budget`` characters and bytes.
        """
        return self._section(key, render)[0]

    def section_bytes(self, key: Any, render: Callable[[], str]) -> bytes:
        """:meth:`section` encoded as UTF-8, encoded once: a page spliced from kept bytes (see
        :mod:`opmodel.web.page_bytes`) skips encoding them again, a third of a profile's time."""
        return self._section(key, render)[1]

    def _section(self, key: Any, render: Callable[[], str]) -> tuple[str, bytes]:
        version = self.version
        full = (version, key)
        with self._memo_lock:
            found = self._sections.get(full)
            if found is not None:
                self._sections.move_to_end(full)
                return found
        _must_not_block()
        html = render()
        entry = (html, html.encode("utf-8"))
        with self._memo_lock:
            if self._sections and next(iter(self._sections))[0] != version:  # the data changed: start again
                self._sections.clear()
                self._sections_chars = 0
            if full not in self._sections:
                self._sections[full] = entry
                self._sections_chars += len(html) + len(entry[1])
            while self._sections_chars > self.section_budget and len(self._sections) > 1:
                _, (text, data) = self._sections.popitem(last=False)
                self._sections_chars -= len(text) + len(data)
        return entry

    def _kept(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` through the store's results cache (name ``web``), when the key can be kept."""
        try:
            stored_key = cache_key({"memo": key}) if self.keep_results and self.path is not None else None
        except TypeError:  # a key of objects we cannot name: this process only
            stored_key = None
        if stored_key is None:
            return compute()
        version = f"{code_fingerprint()}|{self.data}"
        with self.reader() as store:
            found = get_result(store, "web", stored_key, version)
        if found is not MISSING:
            return found  # type: ignore[no-any-return]
        value = compute()
        try:
            with self.reader() as store:
                put_result(store, "web", stored_key, version, value, keep=KEPT_PAGE_PARTS)
        except Exception:  # a value that cannot be pickled, or the store busy: kept in this process only
            pass
        return value

    def close(self) -> None:
        self._wake.set()
        with self._con_lock:
            self._close_connection()
