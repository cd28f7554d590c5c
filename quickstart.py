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
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def sh(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True, env=env)


def ensure_venv(extras: str) -> None:
    """Create .venv and install the package with ``extras``, skipping when nothing changed."""
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    stamp = VENV / f".installed-{extras.replace(',', '-')}"
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == key:
        return
    sh(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    sh(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
    stamp.write_text(key)


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
    ensure_venv("web")
    sh(BIN / "opmodel", "overview")
    print("\nDashboard: http://127.0.0.1:8000/  (API: http://127.0.0.1:8000/api/docs; Ctrl+C stops it)", flush=True)
    try:
        sh(BIN / "opmodel", "serve")
    except KeyboardInterrupt:
        print("stopped")


def test() -> None:
    system_packages()
    ensure_venv("web,dev,spark")
    lint = [p for p in ("src", "tests", "scripts", "benchmarks", "quickstart.py") if (ROOT / p).exists()]
    sh(BIN / "ruff", "check", *lint)
    sh(BIN / "mypy")
    report = VENV / "pytest-report.xml"
    code = subprocess.run([str(BIN / "python"), "-m", "pytest", f"--junitxml={report}", *sys.argv[2:]],
                          cwd=ROOT).returncode
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
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
