"""Options and helpers every command shares: the store, dates, error handling and progress."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer

from opmodel.cli.output import err_console
from opmodel.errors import InputError, OpmodelError, UnknownCodeError
from opmodel.store import Store, open_store

__all__ = ["handle_errors", "open_cli_store", "parse_date", "state", "working"]

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    store_path: Path | None = None


state = _State()


#: Seconds a command waits for a store another process holds (``opmodel serve`` answering
#: requests, or a load) before giving up with a one-line message; ``OPMODEL_STORE_WAIT`` overrides.
STORE_WAIT_SECONDS = 60.0


def _store_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("OPMODEL_STORE_WAIT", STORE_WAIT_SECONDS)))
    except ValueError:
        return STORE_WAIT_SECONDS


def open_cli_store() -> Store:
    """The store named by ``--store``/``OPMODEL_STORE`` or the default, seeded on first use.

    When another process holds it, wait (saying so in one line) up to ``OPMODEL_STORE_WAIT``
    seconds; then :class:`~opmodel.store.StoreBusyError` becomes a one-line error, exit code 1.
    """
    with working("Opening the store") as step:
        return open_store(state.store_path, wait=_store_wait(),
                          on_wait=lambda line: err_console.print(line, highlight=False, markup=False),
                          on_seed=lambda name, i, n: step(f"Filling the new store with the shipped data: {name} "
                                                          f"({i} of {n}; the first time only)"))


@contextmanager
def working(what: str, *, quiet: bool = False, after: float = 0.5) -> Iterator[Callable[[str], None]]:
    """Say on stderr what a long step is doing (a spinner with the elapsed time), until the block ends.

    Yields a function that changes the line. Shown only on a terminal, and not when ``quiet`` (pass
    it for ``--format json``/``--quiet``), so pipes, CI logs and JSON stay clean. The line appears
    only ``after`` seconds, so quick commands print nothing extra (issue 25 item 4).
    """
    if quiet or not err_console.is_terminal:
        yield lambda _text: None
        return
    import threading
    import time

    from rich.status import Status

    started = time.monotonic()
    text = [what]
    status = Status(what, console=err_console)
    stop = threading.Event()

    def show() -> None:
        if stop.wait(after):
            return
        status.start()
        while not stop.wait(0.2):
            status.update(f"{text[0]} [dim]{time.monotonic() - started:.0f} s[/]")

    def update(line: str) -> None:
        text[0] = line

    shower = threading.Thread(target=show, daemon=True)
    shower.start()
    try:
        yield update
    finally:
        stop.set()
        shower.join()
        status.stop()


def parse_date(value: str | None, name: str = "--on") -> dt.date:
    """Accept YYYY-MM-DD (or YYYY-MM as the month's first day); default today."""
    if value is None:
        return dt.date.today()
    try:
        if len(value) == 7:
            return dt.date.fromisoformat(value + "-01")
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}", param_hint=name) from None


def handle_errors(fn: F) -> F:
    """Turn library errors into clear messages and exit codes (1: input or data problem)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            err_console.print(f"[bold red]Rejected; nothing was written.[/]\n{exc}", markup=True, highlight=False)
            raise typer.Exit(1) from None
        except UnknownCodeError as exc:
            err_console.print(f"[bold red]Error:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from None
        except OpmodelError as exc:
            err_console.print(f"[bold red]Error:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
