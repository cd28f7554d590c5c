"""Issue 25 item 3: what pages share is kept per data version, in the process and in the store."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from opmodel.store import open_store, result_names
from opmodel.web.hub import StoreHub


def _counting() -> tuple[list[int], Callable[[], dict[str, int]]]:
    calls: list[int] = []

    def compute() -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    return calls, compute


def test_a_restarted_server_reads_back_what_the_last_one_computed(cold_store_path: Path) -> None:
    calls, compute = _counting()
    first = StoreHub(cold_store_path)
    assert first.memo(("chart-svg", "abc"), compute) == {"n": 1}
    assert first.memo(("chart-svg", "abc"), compute) == {"n": 1}
    assert 0 < first.quiet_for() < 60  # what the warm-up waits on before starting the chart renderer
    first.close()
    again = StoreHub(cold_store_path)
    assert again.memo(("chart-svg", "abc"), compute) == {"n": 1}
    assert len(calls) == 1
    again.close()
    with open_store(cold_store_path) as store:
        assert result_names(store) == {"web": 1}


def test_keeping_results_and_checkpoints_do_not_clear_the_caches(cold_store_path: Path) -> None:
    hub = StoreHub(cold_store_path)
    before = hub.version
    for i in range(3):
        hub.memo(("thing", i), lambda i=i: "x" * (10_000 + i))
    hub.close()  # let go: DuckDB checkpoints, the file changes
    assert hub.version == before
    hub.close()


def test_another_process_changing_the_data_clears_them(cold_store_path: Path) -> None:
    _calls, compute = _counting()
    hub = StoreHub(cold_store_path, idle_seconds=0.1)
    hub.memo(("org", "RJ1"), compute)
    before = hub.version
    deadline = time.monotonic() + 10
    while hub.is_open and time.monotonic() < deadline:  # the idle watcher lets the file go
        time.sleep(0.05)
    assert not hub.is_open
    with open_store(cold_store_path) as other:  # a command run beside the server
        other.execute("UPDATE organisations SET name = 'RENAMED' WHERE code = 'RJ1'")
    assert hub.version == before + 1
    assert hub.memo(("org", "RJ1"), compute) == {"n": 2}
    hub.close()


def test_a_key_that_cannot_be_kept_is_memoised_in_the_process_only(cold_store_path: Path) -> None:
    hub = StoreHub(cold_store_path)
    calls, compute = _counting()
    key = ("view", object())
    hub.memo(key, compute)
    hub.memo(key, compute)
    assert len(calls) == 1
    with hub.reader() as store:
        assert result_names(store) == {}
    hub.close()


def test_a_request_served_from_what_is_kept_makes_no_cursor(cold_store_path: Path) -> None:
    hub = StoreHub(cold_store_path)
    hub.memo(("page", 1), lambda: "kept")
    with hub.reader() as store:
        assert hub.memo(("page", 1), lambda: "again") == "kept"
        assert store._cursor is None  # type: ignore[attr-defined]
        assert store.scalar("SELECT 1") == 1
        assert store._cursor is not None  # type: ignore[attr-defined]
    hub.close()


def test_quiet_for_is_zero_while_the_store_is_held(cold_store_path: Path) -> None:
    hub = StoreHub(cold_store_path)
    with hub.reader():
        assert hub.quiet_for() == 0.0
    time.sleep(0.05)
    assert hub.quiet_for() >= 0.05
    hub.close()
