"""Landing derived metric values in the store, through the metrics area's one write path.

Derived values are written exactly like published ones, by
:func:`opmodel.metrics.write_values`: one source per derivation naming the records folder,
a SHA-256 over its files and the publication ``records_<engine>``, then one value row per
metric, organisation and month, checked, merged with revisions and catalogued
(``metrics/catalogue/records.yaml``). Deriving the same files again is idempotent: the
source is found by its digest and nothing is written twice (issue 16, item 10).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from opmodel.metrics import Source, write_values
from opmodel.metrics.models import MetricRow
from opmodel.store import Store

__all__ = ["files_sha256", "known_provider_codes", "write_metric_rows"]


def files_sha256(files: Iterable[Path], root: Path) -> str:
    """One digest over the files' relative paths and bytes: what exactly was derived from."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode())
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def known_provider_codes(store: Store) -> set[str]:
    """Every organisation code in the registry: the default reference for the unknown-provider rule."""
    return {str(r[0]) for r in store.execute("SELECT code FROM organisations").fetchall()}


def write_metric_rows(store: Store, rows: Sequence[MetricRow], *, file: Path, publication: str,
                      sha256: str) -> int:
    """Record one source and its metric values in a single transaction; return the source id.

    The id of the earlier source if the same files were already derived with this publication.
    """
    return write_values(store, rows, Source(Path(file), publication, sha256)).source_id
