"""Issue 16 items 12 and 13: `python3 quickstart.py run` shows each step, picks a free port when
8000 is taken, and stops without a traceback."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def quickstart() -> ModuleType:
    spec = importlib.util.spec_from_file_location("quickstart_under_test", ROOT / "quickstart.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def _fake_setup(quickstart: ModuleType, monkeypatch: pytest.MonkeyPatch, port: int) -> dict[str, Any]:
    calls: dict[str, Any] = {"sh": []}
    monkeypatch.setattr(quickstart, "pip_install", lambda *a: calls.setdefault("pip", []).append(a))
    monkeypatch.setattr(quickstart, "sh", lambda *cmd, **kw: calls["sh"].append([str(c) for c in cmd]))
    monkeypatch.setattr(quickstart, "serve_until_stopped", lambda cmd: calls.__setitem__("serve", cmd))
    monkeypatch.setattr(quickstart, "PORT", port)
    return calls


def test_run_shows_each_step_then_the_url_on_a_free_port(quickstart: ModuleType, busy_port: int,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    calls = _fake_setup(quickstart, monkeypatch, busy_port)
    quickstart.run()
    out = capsys.readouterr().out
    steps = [out.index(f"[{n}/4]") for n in range(1, 5)]
    assert steps == sorted(steps)
    assert "Installing opmodel" in out and "Loading the shipped data" in out
    assert f"port {busy_port} is in use; using port" in out
    chosen = calls["serve"][calls["serve"].index("--port") + 1]
    assert int(chosen) != busy_port
    assert f"http://127.0.0.1:{chosen}/" in out
    assert out.index("[3/4]") < out.index("http://")
    assert calls["sh"][0][-1] == "overview"


def test_pip_output_becomes_one_line_per_package(quickstart: ModuleType,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["Obtaining file:///x\n", "Collecting fastapi>=0.110 (from opmodel==0.1)\n", "  Downloading x.whl\n",
             "Collecting duckdb>=1.0\n", "Installing collected packages: duckdb, fastapi, opmodel\n",
             "Successfully installed duckdb-1.0 fastapi-0.110 opmodel-0.1\n"]
    assert quickstart.pip_progress(iter(lines)) == lines
    out = capsys.readouterr().out.splitlines()
    assert out == ["    1. fastapi>=0.110", "    2. duckdb>=1.0", "  installing 3 package(s) into .venv ...",
                   "  installed 3 package(s)"]


def test_stopping_the_dashboard_prints_no_traceback(quickstart: ModuleType,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C reaches both processes: we wait for the server to shut down cleanly, never kill it
    first, and no KeyboardInterrupt escapes."""
    waits: list[float | None] = []

    class Server:
        def __init__(self, cmd: list[str], cwd: Path) -> None:
            self.killed = False

        def wait(self, timeout: float | None = None) -> int:
            waits.append(timeout)
            if len(waits) == 1:
                raise KeyboardInterrupt
            return 0

        def kill(self) -> None:
            raise AssertionError("the server shuts itself down on Ctrl+C; killing it loses that")

    monkeypatch.setattr(quickstart.subprocess, "Popen", Server)
    quickstart.serve_until_stopped(["opmodel", "serve"])
    assert len(waits) == 2 and waits[1] is not None


def test_a_failing_server_is_one_line_not_a_traceback(quickstart: ModuleType) -> None:
    with pytest.raises(SystemExit) as caught:
        quickstart.serve_until_stopped([sys.executable, "-c", "raise SystemExit(3)"])
    assert "exit 3" in str(caught.value.code)


def test_long_steps_are_never_silent(quickstart: ModuleType, capfd: pytest.CaptureFixture[str]) -> None:
    """Issue 25: mypy and pytest run through a heartbeat that speaks when the tool has been quiet."""
    code = quickstart.run_with_heartbeat([sys.executable, "-c", "import time; print('begun', flush=True); "
                                          "time.sleep(1.5); print('ended')"], "a slow step", every=0.4)
    out = capfd.readouterr().out
    assert code == 0
    assert out.index("begun") < out.index("a slow step still running") < out.index("ended")


def test_the_suite_runs_in_parallel_unless_narrowed(quickstart: ModuleType, tmp_path: Path) -> None:
    whole = quickstart.pytest_command(tmp_path / "r.xml", [])
    # One worker more than the cores: workers often wait on a browser, a JVM or a server (issue 25).
    assert whole[whole.index("-n") + 1] == str((os.cpu_count() or 1) + 1)
    assert "-n" not in quickstart.pytest_command(tmp_path / "r.xml", ["tests/structure", "-x"])
    chosen = quickstart.pytest_command(tmp_path / "r.xml", ["-n", "3"])
    assert chosen.count("-n") == 1 and chosen[-1] == "3"


def test_the_suite_keeps_compiled_modules_and_finds_its_store(quickstart: ModuleType,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 25: the workers read the modules and the store ``prepare_tests`` made beside mypy."""
    from tests import template

    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = quickstart.pytest_env()
    assert "PYTHONDONTWRITEBYTECODE" not in env and env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"
    assert quickstart.TEMPLATE_ENV == template.ENV_VAR


def test_a_store_that_could_not_be_built_says_why(tmp_path: Path) -> None:
    """A failed build leaves its reason, and every test waiting for the store reports it, not a timeout."""
    from tests import template

    (tmp_path / "seeded.duckdb.partial").mkdir()  # where the store is written: a folder, so it cannot be
    assert template.main([str(tmp_path)]) == 1
    with pytest.raises(RuntimeError, match=r"(?s)building the test store failed.*IsADirectoryError"):
        template.wait_for(tmp_path, timeout=5)
    with pytest.raises(RuntimeError, match="was not built"):
        template.wait_for(tmp_path / "no-builder", timeout=0.2)
