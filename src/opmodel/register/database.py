"""Where the register lives and how it is opened: one engine, migrated on open, a transaction per change.

``OPMODEL_DATABASE_URL`` chooses the database (``postgresql+psycopg://...`` for a
shared server); without it the register is a SQLite file beside the DuckDB
store, so a fresh machine needs nothing running. The analytics store stays
DuckDB: it has one writer per file, while the register has many (decisions.md,
"Register"). SQLite writes take the lock at ``BEGIN IMMEDIATE`` so two writers
queue instead of deadlocking on a lock upgrade; WAL keeps readers going meanwhile.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from opmodel.errors import OpmodelError
from opmodel.store import default_store_path

__all__ = ["DATABASE_URL_ENV", "HEAD_REVISION", "Register", "database_url", "open_register"]

#: The environment variable that names the register database.
DATABASE_URL_ENV = "OPMODEL_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest shipped migration (a test checks it against the folder). A register already there opens
#: without importing Alembic, which keeps `opmodel cases list` quick.
HEAD_REVISION = "r0002"
_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def database_url(store_path: Path | str | None = None) -> str:
    """The register URL: ``OPMODEL_DATABASE_URL``, else ``register.sqlite`` beside the DuckDB store."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    store = Path(store_path) if store_path is not None else default_store_path()
    return f"sqlite:///{store.with_name(store.stem + '.register.sqlite')}"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_con: Any, _record: Any) -> None:
        dbapi_con.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(con: Connection) -> None:
        con.exec_driver_sql("BEGIN IMMEDIATE" if con.info.get("write") else "BEGIN")


class Register:
    """An open register database: read and write transactions over one engine."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # A pool keeps connections open: closing the last one checkpoints the WAL (milliseconds per change).
            self.engine = create_engine(url, pool_size=8, max_overflow=92, pool_timeout=60,
                                        connect_args={"timeout": 60, "check_same_thread": False})
            _sqlite_setup(self.engine)
        elif self.dialect == "postgresql":
            self.engine = create_engine(url, pool_size=10, max_overflow=60, pool_pre_ping=True)
        else:
            raise OpmodelError(f"{DATABASE_URL_ENV}: unsupported database '{self.dialect}'; "
                               "use sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB.")
        self.migrate()

    def _at_head(self) -> bool:
        try:
            with self.engine.connect() as con:
                version = con.execute(text("SELECT version_num FROM register_alembic_version")).scalar()
        except Exception:  # a new database: no version table yet
            return False
        return version == HEAD_REVISION

    def migrate(self) -> None:
        """Apply the shipped Alembic migrations (once per URL per process; nothing to do at the head)."""
        with _migrate_lock:
            if self.url in _migrated:
                return
            if self._at_head():
                _migrated.add(self.url)
                return
            from alembic import command
            from alembic.config import Config

            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            try:
                with self.engine.connect() as con:
                    con.info["write"] = True
                    cfg.attributes["connection"] = con
                    command.upgrade(cfg, "head")
                    con.commit()
            except Exception as exc:
                raise OpmodelError(f"Could not open the register at {make_url(self.url).render_as_string()}: "
                                   f"{exc}") from exc
            _migrated.add(self.url)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back (nothing half-written) on error."""
        with self.engine.connect() as con:
            con.info["write"] = True
            try:
                with con.begin():
                    yield con
            finally:
                con.info.pop("write", None)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read transaction (a consistent snapshot on PostgreSQL and in WAL mode)."""
        with self.engine.connect() as con, con.begin():
            yield con

    def close(self) -> None:
        self.engine.dispose()


def open_register(store_path: Path | str | None = None, url: str | None = None) -> Register:
    """Open (creating and migrating if needed) the register named by ``url`` or :func:`database_url`."""
    return Register(url or database_url(store_path))
