"""The register opens, migrates and round-trips on both backends; the default is a SQLite file by the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from opmodel.register import DATABASE_URL_ENV, Register, database_url, open_register


def test_migrations_create_every_table_and_record_the_revision(register_db: Register) -> None:
    names = set(inspect(register_db.engine).get_table_names())
    assert {"register_users", "support_cases", "support_case_items", "support_case_history", "register_sessions",
            "register_alembic_version"} <= names
    with register_db.read() as con:
        assert con.execute(text("SELECT version_num FROM register_alembic_version")).scalar() == "r0002"


def test_reopening_a_migrated_register_changes_nothing(register_db: Register) -> None:
    again = Register(register_db.url)
    again.migrate()
    with again.read() as con:
        assert con.execute(text("SELECT count(*) FROM register_alembic_version")).scalar() == 1
    again.close()


def test_default_is_a_sqlite_file_beside_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    url = database_url(tmp_path / "a" / "opmodel.duckdb")
    assert url == f"sqlite:///{tmp_path / 'a' / 'opmodel.register.sqlite'}"
    reg = open_register(tmp_path / "a" / "opmodel.duckdb")
    assert (tmp_path / "a" / "opmodel.register.sqlite").exists()
    reg.close()


def test_env_variable_chooses_the_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'elsewhere.sqlite'}")
    assert database_url(tmp_path / "x.duckdb").endswith("elsewhere.sqlite")


def test_unsupported_database_is_a_clear_error() -> None:
    from opmodel.errors import OpmodelError

    with pytest.raises(OpmodelError, match="unsupported database 'mysql'"):
        Register("mysql://u@h/db")


def test_head_revision_is_the_newest_shipped_migration(register_db: Register) -> None:
    """A register at ``HEAD_REVISION`` opens without running Alembic, so the constant must be the real head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from opmodel.register.database import HEAD_REVISION, MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION
    with register_db.read() as con:
        assert con.execute(text("SELECT version_num FROM register_alembic_version")).scalar() == HEAD_REVISION
