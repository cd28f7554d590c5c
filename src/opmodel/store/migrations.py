"""Schema migrations, versioned per area.

Each area owns its tables. Its DDL lives in ``migrations/<area>_<NNN>.sql``; the
store records the highest version applied per area in ``schema_version`` so new
releases migrate old stores automatically, in one transaction per step.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import duckdb

__all__ = ["SCHEMA_AREAS", "applied_versions", "migrate", "pending"]

# Order matters: later areas may reference earlier ones' tables.
SCHEMA_AREAS = ("core", "structure", "accountability", "metrics", "oversight", "variation", "records",
                "population")

_NAME = re.compile(r"^(?P<area>[a-z]+)_(?P<version>\d{3})_[a-z0-9_]+\.sql$")


@functools.cache
def _steps() -> dict[str, list[tuple[int, str]]]:
    """Each area's migration steps as (version, file name), read from the package once per process."""
    found: dict[str, list[tuple[int, str]]] = {a: [] for a in SCHEMA_AREAS}
    for entry in (resources.files("opmodel.store") / "migrations").iterdir():
        m = _NAME.match(entry.name)
        if m and m["area"] in found:
            found[m["area"]].append((int(m["version"]), entry.name))
    for steps in found.values():
        steps.sort()
    return found


def _sql(name: str) -> str:
    return (resources.files("opmodel.store") / "migrations" / name).read_text(encoding="utf-8")


def applied_versions(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The schema version applied for each area (0 when none)."""
    try:
        got = dict(con.execute("SELECT area, version FROM schema_version").fetchall())
    except duckdb.CatalogException:  # a new store: nothing applied yet
        return {a: 0 for a in SCHEMA_AREAS}
    return {a: int(got.get(a, 0)) for a in SCHEMA_AREAS}


def pending(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, str]]:
    """The steps not applied yet, in order, with their SQL (read only for those)."""
    done = applied_versions(con)
    todo = [(area, v, name) for area, steps in _steps().items() for v, name in steps if v > done[area]]
    order = {a: i for i, a in enumerate(SCHEMA_AREAS)}
    todo.sort(key=lambda t: (order[t[0]], t[1]))
    return [(area, v, _sql(name)) for area, v, name in todo]


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every pending migration, each atomically with its version record."""
    for area, version, sql in pending(con):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_version(area, version) VALUES (?, ?) "
                "ON CONFLICT (area) DO UPDATE SET version = excluded.version",
                [area, version],
            )
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
