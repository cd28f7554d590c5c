"""Web fixtures: one app and TestClient per session over a private copy of the seeded store,
a fresh app per test for anything that writes, and a live uvicorn server for the browser tests."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from opmodel.web import WebSettings, create_app

TOKEN = "test-token-1234"
#: Pages the browser journeys open whose first rendering is slow (charts, population sections).
WARM_PAGES = ("/organisations/RJ1", "/organisations/RV9", "/icbs/QKK", "/regions/Y56", "/icbs/QYG?on=2025-06-01",
              "/icbs/S1Y5D?on=2026-06-01")


@pytest.fixture(scope="session")
def web_store_file(seeded_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seeded store (its shipped metrics include NHS England's NOF 2025/26 Q1–Q3
    mental health and community file, so oversight has real results) that the session app owns."""
    target = tmp_path_factory.mktemp("web") / "web.duckdb"
    shutil.copy(seeded_store_file, target)
    return target


@pytest.fixture(scope="session")
def app(web_store_file: Path) -> FastAPI:
    return create_app(WebSettings(store_path=web_store_file, token=TOKEN))


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def private_client(store_path: Path) -> Iterator[TestClient]:
    """An app over this test's own store copy, for tests that upload (small limit to test rejection)."""
    app = create_app(WebSettings(store_path=store_path, token=TOKEN, max_upload_bytes=2 * 1024 * 1024))
    with TestClient(app) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free loopback port in a thread; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def live_server(seeded_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server (uvicorn) on a free loopback port, in a thread, for Playwright."""
    store = tmp_path_factory.mktemp("live") / "live.duckdb"
    shutil.copy(seeded_store_file, store)
    with serve_in_thread(create_app(WebSettings(store_path=store, token=TOKEN))) as url:
        # Render the heaviest pages once (a profile's SPC charts take seconds on a busy machine, once per data
        # version) so the journeys' 15-second steps time what the browser does, not a first rendering on a
        # machine shared by parallel workers (issue 25).
        for page in WARM_PAGES:
            urllib.request.urlopen(url + page, timeout=600).read()
        yield url
