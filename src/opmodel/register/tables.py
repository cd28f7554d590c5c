"""The register's tables (SQLAlchemy Core): one schema for SQLite and PostgreSQL.

A case's children (findings, actions, offers, enforcement steps, exit criteria,
reviews) share one ``case_items`` table with a validated JSON body, so adding a
kind needs no migration; ``history`` is append-only and numbered per case, so
two writers can never both record "change 7" (the unique key refuses one), and
records the date and operating model each change was authorised under. Users'
tokens expire and can be revoked; a browser signs in to a server-side session
(``register_sessions``) whose cookie is not the bearer token (issue 23).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = ["case_items", "cases", "history", "metadata", "sessions", "users"]

metadata = MetaData()

users = Table(
    "register_users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("org_code", String(16), nullable=False),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

sessions = Table(
    "register_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("register_users.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

cases = Table(
    "support_cases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_code", String(16), nullable=False, index=True),
    Column("programme", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("closed_on", Date),
    Column("lead_org", String(16), nullable=False),
    Column("lead_name", String(120)),
    Column("trigger_segment", Integer),
    Column("trigger_period", String(16)),
    Column("trigger_run", String(64)),
    Column("summary", Text),
    Column("next_review_on", Date),
    Column("exit_evidence", Text),
    Column("version", Integer, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

case_items = Table(
    "support_case_items", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("support_cases.id"), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

history = Table(
    "support_case_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("support_cases.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("actor_org", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(32), nullable=False),
    Column("item_id", Integer),
    Column("change", JSON, nullable=False),
    Column("decided_on", Date),
    Column("model", String(64)),
    UniqueConstraint("case_id", "seq", name="uq_history_case_seq"),
)
