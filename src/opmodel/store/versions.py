"""The store's data version: a value that changes whenever an area's data is written (issue 25).

Results computed from the store (a quarter's segmentation, its likely ranges, a chart) stay valid
until the data they were computed from changes. The version of an area is a checksum of its
tables' rows (``sum(hash(row))`` and the row count, computed by DuckDB in a few milliseconds for
the 43,000 metric values of a full load), so *any* write changes it: publication loads, uploads,
``write_values`` from record derivations, structure and population loads, and a direct SQL update
alike, with no writer having to announce it. A load changes the version of its own area only (a
population load leaves the oversight results valid).

:func:`mark_changed` bumps an area's counter by hand (seeding calls it), for a change that no
table of the area shows. The code that computes a result is part of its version too
(:func:`code_fingerprint`): a result computed by an older opmodel, or before a policy file was
edited, is not served. Another area's tables join with :func:`register_area`.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opmodel.store.connection import Store

__all__ = ["AREAS", "check_areas", "code_fingerprint", "data_version", "mark_changed", "register_area"]

#: Per area, the tables whose rows make its data (a metrics write may add organisations, so
#: results that depend on the registry name both areas).
_TABLES: dict[str, tuple[str, ...]] = {
    "structure": ("organisations", "relationships", "loads"),
    "metrics": ("metric_values", "metric_sources"),
    "population": ("population_values", "population_indicators", "population_sources"),
}
#: The areas shipped with a data version; results name the ones they depend on.
AREAS: tuple[str, ...] = tuple(_TABLES)
_META = "data_version:"
_CODE_SUFFIXES = (".py", ".yaml", ".yml", ".json", ".csv", ".parquet", ".sql")


def register_area(area: str, tables: tuple[str, ...]) -> None:
    """Give ``area`` a data version made of ``tables`` (a new area's tables, or more for an existing one)."""
    _TABLES[area] = tuple(dict.fromkeys((*_TABLES.get(area, ()), *tables)))


def check_areas(areas: Iterable[str] | None) -> list[str]:
    """``areas`` sorted (every area when None); ValueError naming any unknown one."""
    wanted = sorted(_TABLES if areas is None else set(areas))
    unknown = [a for a in wanted if a not in _TABLES]
    if unknown:
        raise ValueError(f"unknown data area(s) {unknown}; expected some of {', '.join(_TABLES)}")
    return wanted


def mark_changed(store: Store, *areas: str) -> None:
    """Record a write to ``areas`` (all of them when none is named) that no table of the area shows."""
    for area in check_areas(areas or None):
        store.execute(
            "INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE "
            "SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS VARCHAR)", [_META + area])


def data_version(store: Store, areas: Iterable[str] | None = None) -> str:
    """The version of ``areas``' data (every area's when None), e.g. ``"metrics=43481/4023...:29/...:0"``:
    equal strings mean the areas' tables hold the same rows. One query (a few milliseconds)."""
    parts = []
    for a in check_areas(areas):  # a query per area: DuckDB runs one over many tables slower than several
        sums = " || ':' || ".join(f"(SELECT count(*) || '/' || coalesce(sum(hash(t)), 0) FROM {table} t)"
                                  for table in _TABLES[a])
        row = store.execute(f"SELECT {sums} || ':' || (SELECT coalesce(max(value), '0') FROM meta "
                            f"WHERE key = '{_META}{a}')").fetchone()
        assert row is not None
        parts.append(f"{a}={row[0]}")
    return ";".join(parts)


@functools.cache
def code_fingerprint() -> str:
    """A hash of the installed opmodel's code and shipped data files (their names, sizes and times).

    Computed once per process (about a millisecond): results computed by other code are not reused.
    """
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "static"))
        for name in sorted(files):
            if name.endswith(_CODE_SUFFIXES):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{os.path.relpath(os.path.join(folder, name), root)}|{st.st_size}|{st.st_mtime_ns}\n"
                         .encode())
    return h.hexdigest()[:16]
