"""The embedded DuckDB store: one file, schema migrated per area, atomic loads."""

from opmodel.store.connection import Store, default_store_path, open_store
from opmodel.store.locking import StoreBusyError
from opmodel.store.migrations import SCHEMA_AREAS, applied_versions

__all__ = ["SCHEMA_AREAS", "Store", "StoreBusyError", "applied_versions", "default_store_path", "open_store"]
