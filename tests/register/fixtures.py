"""Register fixtures for both backends: a throwaway PostgreSQL 15 cluster per session, a fresh database per test.

The cluster runs on 127.0.0.1 on a free port with its data in a temporary folder.
initdb refuses to run as root, so as root (CI) the server runs as the ``postgres``
OS user through ``runuser``. Under CI (``CI=true``) a server that cannot start
fails the run; elsewhere the PostgreSQL half of the tests is skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from opmodel.register import Register, open_register
from opmodel.store import Store, open_store

BACKENDS = ["sqlite", "postgresql"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
                           "(apt-get install postgresql)")
    return Path(found[-1]).parent


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PgCluster:
    """A PostgreSQL server started for the test session and stopped (and deleted) at its end."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="opmodel-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                   "--no-sync"])
        opts = f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=off -c max_connections=200"
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"),
                   "-w", "-t", "60", "start"])
        self.base = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def _run(self, cmd: list[str]) -> None:
        p = subprocess.run(_as_postgres(cmd), capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:2])} failed ({p.returncode}): {p.stderr.strip()[-500:]}")

    def new_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return f"{self.base}/{name}"

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                                     "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    try:
        cluster = PgCluster()
    except Exception as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL could not be started under CI: {exc}")
        pytest.skip(f"PostgreSQL could not be started: {exc}")
    yield cluster
    cluster.stop()


def register_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "postgresql":
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        return cluster.new_database()
    return f"sqlite:///{tmp_path / 'register.sqlite'}"


@pytest.fixture(params=BACKENDS)
def register_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Register]:
    """A fresh, migrated register on SQLite and on PostgreSQL."""
    reg = open_register(url=register_url(request.param, request, tmp_path))
    yield reg
    reg.close()


@pytest.fixture(scope="session")
def reg_store(seeded_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store for the session's access decisions (read only by these tests)."""
    target = tmp_path_factory.mktemp("register") / "store.duckdb"
    shutil.copy(seeded_store_file, target)
    s = open_store(target)
    yield s
    s.close()
