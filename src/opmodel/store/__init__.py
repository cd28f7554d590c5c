"""The embedded DuckDB store: one file, schema migrated per area, atomic loads, kept results."""

from opmodel.store.connection import Store, default_store_path, open_store
from opmodel.store.locking import StoreBusyError
from opmodel.store.migrations import SCHEMA_AREAS, applied_versions
from opmodel.store.results import cached, clear_results, result_names
from opmodel.store.versions import code_fingerprint, data_version, mark_changed

__all__ = ["SCHEMA_AREAS", "Store", "StoreBusyError", "applied_versions", "cached", "clear_results",
           "code_fingerprint", "data_version", "default_store_path", "mark_changed", "open_store",
           "result_names"]
