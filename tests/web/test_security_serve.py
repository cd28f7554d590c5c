"""Issue 16 items 5 and 13: `opmodel serve` checks its port first, hides the server name,
refuses a malformed token in one line, and leaves without DuckDB's leak notes."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


class _Exited(Exception):
    pass


@pytest.fixture
def fake_uvicorn(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Record how serve would start uvicorn, and stop at its final os._exit."""
    import uvicorn

    seen: dict[str, Any] = {}

    def run(app: Any, **kwargs: Any) -> None:
        seen.update(kwargs, app=app)

    def leave(code: int) -> None:
        seen["exit"] = code
        raise _Exited

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr("opmodel.cli.serve.os._exit", leave)
    return seen


def test_a_busy_port_gives_one_line_naming_a_free_one(cli: Any, busy_port: int) -> None:
    from opmodel.cli.serve import port_in_use

    result = cli("serve", "--port", str(busy_port))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert f"port {busy_port} is in use: run `opmodel serve --port " in lines[0]
    suggested = int(lines[0].rsplit("--port ", 1)[1].rstrip("`"))
    assert suggested != busy_port and not port_in_use("127.0.0.1", suggested)
    assert "http://" not in result.output


def test_serve_hides_the_server_name_and_strips_the_token(cli: Any, fake_uvicorn: dict[str, Any],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from opmodel.cli.serve import free_port

    monkeypatch.setenv("OPMODEL_API_TOKEN", "secret-token\n")
    with pytest.raises(_Exited):
        cli("serve", "--port", str(free_port("127.0.0.1", 18000)))
    assert fake_uvicorn["server_header"] is False
    assert fake_uvicorn["app"].state.settings.token == "secret-token"
    assert fake_uvicorn["exit"] == 0
    assert not fake_uvicorn["app"].state.hub.is_open  # nothing left open at exit


def test_a_token_with_a_space_inside_is_refused_in_one_line(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from opmodel.cli.serve import free_port

    monkeypatch.setenv("OPMODEL_API_TOKEN", "two words")
    result = cli("serve", "--port", str(free_port("127.0.0.1", 18100)))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "one word" in result.output
