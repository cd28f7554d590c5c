"""Alembic environment: always run with the connection the register hands over (never from a URL)."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, version_table="register_alembic_version")
with context.begin_transaction():
    context.run_migrations()
