#!/usr/bin/env python3
"""The two quickstart commands, needing nothing but python3.

    python3 quickstart.py run    # set up .venv, load the shipped data, show the operating model
    python3 quickstart.py test   # set up .venv with test tools, run lint, types and the whole test suite

Each command creates (or reuses) the project's virtual environment in .venv and
installs what it needs into it, so a fresh clone works on a machine with only python3.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import venv
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
HOST = "127.0.0.1"
PORT = 8000


def sh(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True, env=env)


def run_with_heartbeat(cmd: list[str], label: str, every: float = 15.0, env: dict[str, str] | None = None) -> int:
    """Run ``cmd`` passing its output through; after ``every`` seconds without output, say it is still
    running, so a long step (mypy on a cold cache, a slow test) is never silent for long (issue 25)."""
    import threading

    started = last = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert proc.stdout is not None
    out = proc.stdout

    def forward() -> None:
        nonlocal last
        while chunk := os.read(out.fileno(), 65536):
            sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            last = time.monotonic()

    reader = threading.Thread(target=forward, daemon=True)
    reader.start()
    while proc.poll() is None:
        time.sleep(0.5)
        if time.monotonic() - last >= every:
            print(f"\n  ... {label} still running ({time.monotonic() - started:.0f} s)", flush=True)
            last = time.monotonic()
    reader.join(10)
    return proc.returncode


def step(number: int, total: int, text: str) -> None:
    """One line per step, so a first run never sits silent (issue 16 item 12)."""
    print(f"\n[{number}/{total}] {text}", flush=True)


def pip_progress(lines: Iterable[str]) -> list[str]:
    """Show what pip is doing in a few words per package, printing as it goes; return its output."""
    seen: list[str] = []
    count = 0
    for raw in lines:
        seen.append(raw)
        line = raw.strip()
        if line.startswith("Collecting "):
            count += 1
            name = line.removeprefix("Collecting ").split()[0]
            print(f"  {count:>3}. {name}", flush=True)
        elif line.startswith("Installing collected packages:"):
            names = line.split(":", 1)[1].split(",")
            print(f"  installing {len(names)} package(s) into .venv ...", flush=True)
        elif line.startswith("Successfully installed"):
            print(f"  installed {len(line.split()) - 2} package(s)", flush=True)
    return seen


def pip_install(*args: str) -> None:
    """``pip install`` with a line per package instead of minutes of silence; its log on failure."""
    cmd = [str(BIN / "python"), "-m", "pip", "install", "--progress-bar", "off", "--disable-pip-version-check",
           *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    output = pip_progress(proc.stdout)
    if proc.wait() != 0:
        sys.stdout.write("".join(output[-40:]))
        sys.exit(f"pip install failed (exit {proc.returncode}); its last lines are above.")


def ensure_venv(extras: str, first_step: int = 1, total: int = 2) -> None:
    """Create .venv and install the package with ``extras``, skipping when nothing changed."""
    step(first_step, total, f"Python environment in {VENV.relative_to(ROOT)}")
    if not (BIN / "python").exists():
        print("  creating it (python3 -m venv) ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    else:
        print("  reusing it", flush=True)
    stamp = VENV / f".installed-{extras.replace(',', '-')}"
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    step(first_step + 1, total, f"Installing opmodel and its dependencies ({extras})")
    if stamp.exists() and stamp.read_text() == key:
        print("  already installed and up to date", flush=True)
        return
    print("  the first time this downloads and installs about 100 packages: a few minutes", flush=True)
    started = time.monotonic()
    pip_install("--upgrade", "pip")
    pip_install("-e", f".[{extras}]")
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    stamp.write_text(key)


def port_in_use(host: str, port: int) -> bool:
    """Whether binding ``host:port`` would fail (the check ``opmodel serve`` makes too)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def choose_port(host: str, wanted: int) -> int:
    """``wanted`` when free, else the next free port (saying so), so a busy 8000 is not an error."""
    if not port_in_use(host, wanted):
        return wanted
    port = next((p for p in range(wanted + 1, wanted + 100) if not port_in_use(host, p)), 0)
    if not port:
        sys.exit(f"port {wanted} and the next 99 are in use: run `.venv/bin/opmodel serve --port N` with a free N.")
    print(f"  port {wanted} is in use; using port {port} instead", flush=True)
    return port


def system_packages() -> None:
    """Debian packages the test suite needs, installed only when missing.

    chromium (browser journeys), Java 17 (Spark), PostgreSQL (the register's multi-user tests),
    poppler-utils (pdftotext/pdftoppm checks of the board pack) and Pango (WeasyPrint's layout).
    """
    wanted = {
        "chromium": shutil.which("chromium") is not None,
        "openjdk-17-jre-headless": shutil.which("java") is not None,
        "postgresql": any(Path("/usr/lib/postgresql").glob("*/bin/postgres")),
        "poppler-utils": shutil.which("pdftotext") is not None,
        "libpango-1.0-0": _has_library("libpango-1.0.so.0"),
        "libpangoft2-1.0-0": _has_library("libpangoft2-1.0.so.0"),
        "fonts-dejavu-core": Path("/usr/share/fonts/truetype/dejavu").exists(),
    }
    missing = [pkg for pkg, present in wanted.items() if not present]
    if not missing or shutil.which("apt-get") is None:
        return
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    print(f"Installing system packages: {', '.join(missing)}", flush=True)
    sh(*prefix, "apt-get", "update", "-qq")
    sh(*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing)


def _has_library(name: str) -> bool:
    import ctypes.util

    return ctypes.util.find_library(name.split(".so")[0].removeprefix("lib")) is not None


def run() -> None:
    ensure_venv("web", 1, 4)
    step(3, 4, "Loading the shipped data into the store (the first time takes about a minute)")
    started = time.monotonic()
    try:
        sh(BIN / "opmodel", "overview")
    except subprocess.CalledProcessError as exc:
        sys.exit(f"Loading the data failed (exit {exc.returncode}); the message above says why.")
    print(f"  loaded in {time.monotonic() - started:.0f} s", flush=True)
    step(4, 4, "Starting the dashboard")
    port = choose_port(HOST, PORT)
    print(f"\nDashboard: http://{HOST}:{port}/  (API: http://{HOST}:{port}/api/docs; Ctrl+C stops it)", flush=True)
    serve_until_stopped([str(BIN / "opmodel"), "serve", "--host", HOST, "--port", str(port)])


def serve_until_stopped(cmd: list[str]) -> None:
    """Run the server until it exits or Ctrl+C; the server gets the interrupt too and shuts down
    cleanly (closing the store), so we wait for it rather than kill it, and print no traceback."""
    proc = subprocess.Popen(cmd, cwd=ROOT)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        try:
            proc.wait(timeout=10)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            proc.kill()
            proc.wait()
        return
    if code != 0:
        sys.exit(f"The dashboard stopped with an error (exit {code}); the message above says why.")


#: The pytest plugins the suite uses, loaded by their entry-point names with autoloading off (``pytest_env``).
#: Autoloaded, every installed plugin's package (schemathesis, hypothesis, anyio, typeguard) had its modules'
#: asserts rewritten in every worker: 272 of the 436 modules rewritten at collection, about a third of it.
PYTEST_PLUGINS = ("xdist", "hypothesispytest")


#: Where the suite's seeded store is built before pytest starts (tests/template.py's ``ENV_VAR``).
TEMPLATE_ENV = "OPMODEL_TEST_TEMPLATE_DIR"


def plugin_args() -> list[str]:
    """``-p NAME`` for each of :data:`PYTEST_PLUGINS`."""
    return [arg for name in PYTEST_PLUGINS for arg in ("-p", name)]


def narrowed(extra: list[str]) -> bool:
    """Whether the caller named tests (a path, or ``-k``'s expression) rather than the whole suite."""
    return any(not a.startswith("-") for a in extra)


def pytest_env() -> dict[str, str]:
    """The environment the suite runs in: pytest loads only :data:`PYTEST_PLUGINS`, and Python keeps the
    compiled modules and pytest its rewritten test modules (a machine may say not to with
    ``PYTHONDONTWRITEBYTECODE``), so the workers read what :func:`prepare_tests` compiled (issue 25)."""
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def prepare_tests(template: Path, collect: bool = True) -> None:
    """What every pytest worker would otherwise do for itself, done once while mypy uses one core: compile
    and rewrite the test modules (a collection: 11 s a worker cold, 7 s from what it keeps) and build the
    seeded test store (``python -m tests.template``; its error, if any, is reported by the tests)."""
    quiet = {"cwd": ROOT, "env": pytest_env(), "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if collect:  # not for a run narrowed to a few tests: it would collect them all
        subprocess.run([str(BIN / "python"), "-m", "pytest", *plugin_args(), "--collect-only", "-q"], **quiet)
    subprocess.run([str(BIN / "python"), "-m", "tests.template", str(template)], **quiet)


def pytest_command(report: Path, extra: list[str]) -> list[str]:
    """The whole suite in parallel (pytest-xdist), one test file per worker at a time, unless the
    caller chose the workers (``-n``) or named tests with ``-k``/a path (then one process is quicker).

    One worker more than the cores: a third of the suite's time is spent waiting on a browser, a Java
    virtual machine, a server starting or a timed wait, when a worker uses no core. On 2 cores, 3
    workers took the suite from 531-616 s to 475 s (issue 25)."""
    cmd = [str(BIN / "python"), "-m", "pytest", f"--junitxml={report}"]
    cmd += plugin_args()
    chose = any(a == "-n" or a.startswith(("-n", "--numprocesses", "-p")) for a in extra)
    if not chose and not narrowed(extra):
        cmd += ["-n", str((os.cpu_count() or 1) + 1), "--dist", "loadfile"]
    return [*cmd, *extra]


def test() -> None:
    system_packages()
    ensure_venv("web,dev,spark", 1, 5)
    lint = [p for p in ("src", "tests", "scripts", "benchmarks", "quickstart.py") if (ROOT / p).exists()]
    step(3, 5, "Lint (ruff)")
    checks_started = time.monotonic()
    sh(BIN / "ruff", "check", *lint)
    step(4, 5, "Types (mypy --strict; its cache in .mypy_cache makes later runs quick), the test store beside it")
    import tempfile
    import threading

    template = Path(tempfile.mkdtemp(prefix="opmodel-template-"))
    try:
        started = time.monotonic()
        ahead = threading.Thread(target=prepare_tests, args=(template, not narrowed(sys.argv[2:])), daemon=True)
        ahead.start()
        if run_with_heartbeat([str(BIN / "mypy")], "mypy") != 0:
            sys.exit("mypy found problems (above).")
        print(f"  mypy done in {time.monotonic() - started:.0f} s", flush=True)
        waited = time.monotonic()
        while ahead.is_alive():  # never silent for long, as mypy and pytest
            print(f"  compiling the tests and building their store ({time.monotonic() - waited:.0f} s) ...",
                  flush=True)
            ahead.join(15)
        step(5, 5, "Tests (pytest, in parallel on every core)")
        report = VENV / "pytest-report.xml"
        started = time.monotonic()
        code = run_with_heartbeat(pytest_command(report, sys.argv[2:]), "pytest",
                                  env={**pytest_env(), TEMPLATE_ENV: str(template)})
        print(f"  tests took {time.monotonic() - started:.0f} s; lint, types and tests "
              f"{time.monotonic() - checks_started:.0f} s", flush=True)
    finally:
        shutil.rmtree(template, ignore_errors=True)
    # DuckDB's bindings print reference-leak notes at interpreter exit, after pytest's own summary;
    # end with a plain summary line so the result is the last thing a reader (or CI) sees.
    sys.stderr.flush()
    print("\n" + _summary(report), flush=True)
    sys.exit(code)


def _summary(report: Path) -> str:
    import xml.etree.ElementTree as ET

    if not report.exists():
        return "tests: 0 passed, 0 failed"
    suites = ET.parse(report).getroot()
    suite = suites if suites.tag == "testsuite" else suites.find("testsuite")
    assert suite is not None
    total, failures, errors, skipped = (int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped"))
    passed = total - failures - errors - skipped
    return f"tests: {passed} passed, {failures + errors} failed, {skipped} skipped"


def main() -> None:
    commands = {"run": run, "test": test, "system-packages": system_packages}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python3 quickstart.py {{{'|'.join(commands)}}}")
    try:
        commands[sys.argv[1]]()
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
