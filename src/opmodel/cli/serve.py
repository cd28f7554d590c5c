"""``opmodel serve``: the web dashboard and REST API on the embedded store."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from opmodel.cli.common import state
from opmodel.cli.output import console, err_console

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    token_env: Annotated[str, typer.Option(
        "--token-env", help="Environment variable holding the bearer token that allows uploads "
        "(POST /api/v1/metric-files); uploads are refused when it is unset.")] = "OPMODEL_API_TOKEN",
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1, max=1024,
                                               help="Largest upload accepted, in MB.")] = 64,
) -> None:
    """Start the dashboard and REST API (http://HOST:PORT/, API docs at /api/docs)."""
    try:
        import uvicorn

        from opmodel.web import WebSettings, create_app
    except ImportError as exc:  # the web extra is not installed
        err_console.print(f"[bold red]Error:[/] the web dashboard needs the 'web' extra "
                          f"(pip install 'opmodel[web]'): {exc}")
        raise typer.Exit(1) from None
    token = os.environ.get(token_env) or None
    settings = WebSettings(store_path=state.store_path, token=token, max_upload_bytes=max_upload_mb * 1024 * 1024,
                           warm_up=True)
    app = create_app(settings)
    console.print(f"opmodel dashboard on [bold]http://{host}:{port}/[/] (API docs: /api/docs); "
                  f"uploads {'enabled' if token else 'disabled (set ' + token_env + ')'}. Ctrl+C stops it.")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
