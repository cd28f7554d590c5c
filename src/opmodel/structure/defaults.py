"""The default registry shipped in the package: 2025 structure (42 ICBs) and June 2026 (36 ICBs).

Built by ``scripts/build_structure_data.py`` from ODS and ONS files published under
the Open Government Licence v3.0. Applying it goes through the same loaders a user's
files go through.
"""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources
from pathlib import Path

from opmodel.store import Store
from opmodel.structure.loader import load_ods, load_reference

__all__ = ["DATA_DIR", "apply_subtypes", "seed_structure"]

DATA_DIR = Path(str(resources.files("opmodel.structure") / "data"))


def apply_subtypes(store: Store, path: Path) -> int:
    """Set trust subtypes (peer group labels) from a ``code,subtype`` CSV; returns rows applied."""
    with path.open(encoding="utf-8") as f:
        rows = [(r["subtype"], r["code"]) for r in csv.DictReader(f)]
    store.con.executemany("UPDATE organisations SET subtype = ? WHERE code = ? AND kind = 'trust'", rows)
    return len(rows)


def seed_structure(store: Store) -> None:
    """Load the shipped regions, ICBs and ODS snapshots in order, then trust subtypes."""
    with (DATA_DIR / "snapshots.csv").open(encoding="utf-8") as f:
        plan = list(csv.DictReader(f))
    with store.transaction():
        for step in plan:
            path = DATA_DIR / step["file"]
            if step["as_of"]:
                load_ods(store, path, dt.date.fromisoformat(step["as_of"]))
            else:
                load_reference(store, path)
        apply_subtypes(store, DATA_DIR / "trust_subtypes.csv")
