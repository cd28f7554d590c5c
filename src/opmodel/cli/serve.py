"""``opmodel serve``: the web dashboard and REST API on the embedded store.

The port is checked before anything starts, so a busy port gives one line naming a
free one instead of a URL followed by ``Errno 98`` and a traceback. The server lets
go of the store when idle (:mod:`opmodel.web.hub`), so other commands work beside it.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Annotated

import typer

from opmodel.cli.common import state
from opmodel.cli.output import console, err_console
from opmodel.errors import OpmodelError

__all__ = ["free_port", "port_in_use", "serve"]


def port_in_use(host: str, port: int) -> bool:
    """Whether binding ``host:port`` would fail (as uvicorn binds: with address reuse)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str, start: int) -> int:
    """The first port from ``start`` up that is free on ``host`` (0 when none of the next 100 is)."""
    return next((p for p in range(start, min(start + 100, 65536)) if not port_in_use(host, p)), 0)


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    token_env: Annotated[str, typer.Option(
        "--token-env", help="Environment variable holding the bearer token that allows uploads "
        "(POST /api/v1/metric-files); uploads are refused when it is unset.")] = "OPMODEL_API_TOKEN",
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1, max=1024,
                                               help="Largest upload accepted, in MB.")] = 64,
    response_cache: Annotated[bool, typer.Option(
        "--response-cache/--no-response-cache",
        help="Keep rendered answers until the store changes (off: every request renders, as the speed "
        "benchmark measures).")] = True,
) -> None:
    """Start the dashboard and REST API (http://HOST:PORT/, API docs at /api/docs)."""
    try:
        import uvicorn

        from opmodel.web import WebSettings, create_app
    except ImportError as exc:  # the web extra is not installed
        err_console.print(f"[bold red]Error:[/] the web dashboard needs the 'web' extra "
                          f"(pip install 'opmodel[web]'): {exc}")
        raise typer.Exit(1) from None
    if port_in_use(host, port):
        other = free_port(host, port + 1)
        hint = f": run `opmodel serve --port {other}`" if other else ""
        err_console.print(f"[bold red]Error:[/] port {port} is in use{hint}", highlight=False)
        raise typer.Exit(1)
    try:
        settings = WebSettings(store_path=state.store_path, token=os.environ.get(token_env),
                               max_upload_bytes=max_upload_mb * 1024 * 1024, warm_up=True,
                               cache_entries=WebSettings.cache_entries if response_cache else 0)
        app = create_app(settings)
    except OpmodelError as exc:  # a malformed token, or the store held by another command too long
        err_console.print(f"[bold red]Error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    uploads = "enabled" if settings.token else f"disabled (set {token_env})"
    console.print(f"opmodel dashboard on [bold]http://{host}:{port}/[/] (API docs: /api/docs); "
                  f"uploads {uploads}. Ctrl+C stops it.", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False,
                timeout_graceful_shutdown=3)
    console.print("Dashboard stopped.")
    # The store is closed (lifespan shutdown). Leave without the interpreter's final garbage
    # collection, which makes DuckDB's bindings print dozens of "nanobind: leaked" lines.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
