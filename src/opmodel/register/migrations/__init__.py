"""Alembic migrations for the register, shipped in the package and applied on open."""
