"""The quality and safety values shipped in the package, seeded into every new store.

``scripts/build_quality_data.py`` loads the third-party CQC, SHMI and FFT files of
``../shared/data/cqc-ratings-and-shmi-2026-thirdparty`` through the metrics loader and writes them in
the layout of ``metrics/data``; seeding reuses :func:`opmodel.metrics.defaults.seed_metrics`, so the
values sit in the one metric store with their sources, and loading the same files later finds them
already loaded (same sha256).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from opmodel.metrics.defaults import seed_metrics
from opmodel.store import Store

__all__ = ["DATA_DIR", "FOLDER", "seed_quality"]

DATA_DIR = Path(str(resources.files("opmodel.quality") / "data"))
#: The folder of ../shared/data the shipped values are built from.
FOLDER = "cqc-ratings-and-shmi-2026-thirdparty"


def seed_quality(store: Store, data_dir: Path | None = None) -> None:
    """Copy the shipped quality values into a store (values already there are kept)."""
    seed_metrics(store, DATA_DIR if data_dir is None else data_dir)
