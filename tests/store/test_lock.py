"""Issue 16 item 11: the store lock. A running server lets go of the store when idle; a command
that meets a held store waits with one line and gives up with one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from opmodel.store import StoreBusyError, open_store


@contextmanager
def held(path: Path, seconds: float = 60.0, sql: str = "") -> Iterator[subprocess.Popen[str]]:
    """Another process holding the store file (as `opmodel serve` or a load would) for ``seconds``."""
    code = ("import duckdb, sys, time\n"
            f"c = duckdb.connect({str(path)!r})\n"
            f"{'c.execute(' + repr(sql) + ')' if sql else ''}\n"
            "print('ready', flush=True)\n"
            f"time.sleep({seconds})\n"
            "c.close()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _other_process_can_open(path: Path) -> bool:
    code = f"import duckdb; duckdb.connect({str(path)!r}).close()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_open_store_waits_for_a_held_store_and_says_so_once(store_path: Path) -> None:
    told: list[str] = []
    with held(store_path, seconds=1.5):
        started = time.monotonic()
        store = open_store(store_path, wait=30, on_wait=told.append)
    store.close()
    assert time.monotonic() - started > 0.5
    assert len(told) == 1
    assert "in use by another process (PID" in told[0] and "waiting up to 30 s" in told[0]


def test_open_store_gives_up_after_the_timeout_with_one_clear_line(store_path: Path) -> None:
    with held(store_path) as proc, pytest.raises(StoreBusyError) as caught:
        open_store(store_path, wait=0.3)
    message = str(caught.value)
    assert f"PID {proc.pid}" in message and "still busy after 0.3 s" in message
    assert "\n" not in message


def test_a_command_beside_a_held_store_prints_lines_not_a_traceback(cli: Any, store_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPMODEL_STORE_WAIT", "0.3")
    with held(store_path):
        result = cli("org", "show", "RJ1")
    assert result.exit_code == 1
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text
    assert "is in use by another process" in text and "still busy after 0.3 s" in text
    assert len([line for line in text.splitlines() if line.strip()]) <= 4


def test_an_idle_server_holds_no_lock(store_path: Path) -> None:
    from opmodel.web.hub import StoreHub

    hub = StoreHub(store_path, idle_seconds=0.1)
    try:
        with hub.reader() as store:
            assert store.scalar("SELECT count(*) FROM organisations") > 0
            assert not _other_process_can_open(store_path)  # busy while answering
        time.sleep(0.5)
        assert not hub.is_open
        assert _other_process_can_open(store_path)
        with hub.reader() as store:  # and it opens again on the next request
            assert store.scalar("SELECT count(*) FROM organisations") > 0
    finally:
        hub.close()


def test_the_server_sees_a_load_made_by_another_command(store_path: Path) -> None:
    from fastapi.testclient import TestClient

    from opmodel.web import WebSettings, create_app

    app = create_app(WebSettings(store_path=store_path))
    app.state.hub.idle_seconds = 0.05
    with TestClient(app) as client:
        assert client.get("/api/v1/organisations/RJ1").json()["name"] != "RENAMED BY A COMMAND"
        time.sleep(0.3)
        with held(store_path, seconds=0, sql="UPDATE organisations SET name = 'RENAMED BY A COMMAND' "
                                             "WHERE code = 'RJ1'") as proc:
            proc.wait()
        assert client.get("/api/v1/organisations/RJ1").json()["name"] == "RENAMED BY A COMMAND"


def test_a_request_waits_for_a_command_then_answers_503_not_500(store_path: Path) -> None:
    from fastapi.testclient import TestClient

    from opmodel.web import WebSettings, create_app

    app = create_app(WebSettings(store_path=store_path))
    hub = app.state.hub
    hub.idle_seconds, hub.wait_seconds = 0.05, 0.3
    with TestClient(app) as client:
        assert client.get("/api/v1/organisations/RJ1").status_code == 200
        time.sleep(0.3)
        with held(store_path):
            r = client.get("/api/v1/organisations/RJ2")
        assert r.status_code == 503
        assert r.headers["retry-after"]
        assert "in use by another process" in r.json()["detail"]
        hub.wait_seconds = 10
        with held(store_path, seconds=1):
            assert client.get("/api/v1/organisations/RJ2").status_code == 200
