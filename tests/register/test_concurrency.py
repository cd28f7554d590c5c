"""Concurrent editors and a killed server, on both backends (issue 15, requirement 6; seconds-long version).

The 30-second run is ``benchmarks/bench_register.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.register.fixtures import register_url
from tests.register.load import Server, lost_evidence, lost_updates, prepare, run_load


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, seeded_store_file: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    store = tmp_path / "store.duckdb"
    shutil.copy(seeded_store_file, store)
    url = register_url(request.param, request, tmp_path)
    setup = prepare(store, url, n_cases=50)
    server = Server(store, url)
    yield url, setup, server
    server.stop()


def test_concurrent_editors_then_kill_9(served) -> None:  # type: ignore[no-untyped-def]
    """No lost update and no 5xx with 50 + 10 editors and 10 evidence writers on one action; then SIGKILL
    mid-writes loses no acknowledged change."""
    url, setup, server = served
    result = run_load(server.base, setup, seconds=3.0, same=10, evidence=10)
    assert not [s for s in result.statuses if s >= 500], result.statuses
    assert set(result.statuses) <= {200, 201, 409}, result.statuses
    assert result.errors == 0
    assert result.statuses[201] >= 50 and result.statuses[200] >= 1, result.statuses
    assert lost_updates(url, result) == []
    assert len(result.evidence) >= 10 and lost_evidence(url, result) == []  # issue 23: every post kept
    shared = sorted(v for c, v, _ in result.accepted if c == setup.shared)
    assert shared == list(range(2, len(shared) + 2))  # every accepted same-case update is its own version
    assert result.dashboard[200] > 0 and set(result.dashboard) == {200}

    killed = run_load(server.base, setup, seconds=0, same=10, kill=server, kill_after=30)
    assert len(killed.accepted) >= 30 and killed.errors > 0  # writes were in flight when it died
    assert lost_updates(url, killed) == []
