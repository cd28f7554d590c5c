"""Opening the store file when another process may hold it.

DuckDB lets one process at a time open a database file for writing (and refuses
readers while it does). Commands that meet a held store wait for it, saying so in
one line, and give up with a clear :class:`StoreBusyError` (never a traceback)
after a timeout. ``opmodel serve`` lets go of the file when idle
(:mod:`opmodel.web.hub`), so a command run beside it normally waits a moment at most.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import duckdb

from opmodel.errors import OpmodelError

__all__ = ["StoreBusyError", "connect_waiting", "is_lock_conflict"]

_PID = re.compile(r"\(PID (\d+)\)")


class StoreBusyError(OpmodelError):
    """Another process held the store for longer than we were prepared to wait."""


def is_lock_conflict(exc: BaseException) -> bool:
    """True when ``exc`` is DuckDB refusing a file another process holds."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _holder(exc: BaseException) -> str:
    m = _PID.search(str(exc))
    return f"another process (PID {m[1]})" if m else "another process"


def connect_waiting(target: str, *, read_only: bool = False, wait: float = 0.0,
                    on_wait: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, retrying for up to ``wait`` seconds while another process holds the file.

    ``on_wait`` receives one line, once, when waiting starts.
    """
    deadline = time.monotonic() + wait
    delay = 0.05
    told = False
    while True:
        try:
            return duckdb.connect(target, read_only=read_only)
        except duckdb.IOException as exc:
            if not is_lock_conflict(exc):
                raise
            who = _holder(exc)
            if time.monotonic() >= deadline:
                raise StoreBusyError(
                    f"The store {target} is in use by {who} (for example `opmodel serve` answering "
                    f"requests, or a load); still busy after {wait:g} s. Try again when it has finished."
                ) from None
            if not told and on_wait is not None:
                on_wait(f"The store {target} is in use by {who}; waiting up to {wait:g} s for it...")
                told = True
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.5)
