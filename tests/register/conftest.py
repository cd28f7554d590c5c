"""Register fixtures (see :mod:`tests.register.fixtures`)."""

from tests.register.fixtures import pg_cluster, reg_store, register_db

__all__ = ["pg_cluster", "reg_store", "register_db"]
