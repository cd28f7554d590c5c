"""Landing derived metric values in the store, with provenance, atomically.

Derived values go into the metrics area's tables (``metric_sources``, ``metric_values``; see
``store/migrations/metrics_001_values.sql``) exactly like published ones: one source row per
derivation naming the records folder, a SHA-256 over its files and the publication
``records_<engine>``, then one value row per metric, organisation and month. Re-deriving
replaces the earlier values of the same keys. Everything happens in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

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
    """Record one source and its metric values in a single transaction; return the source id."""
    values = [(r.metric, r.org_code, r.period_start, r.period_end, r.numerator, r.denominator, r.value,
               r.provisional, r.source_row, json.dumps(r.extra, sort_keys=True)) for r in rows]
    with store.transaction() as con:
        source_id = int(store.scalar("SELECT nextval('metric_source_seq')"))
        con.execute(
            "INSERT INTO metric_sources(source_id, file, file_name, sha256, publication, row_count) "
            "VALUES (?, ?, ?, ?, ?, ?)", [source_id, str(file), file.name, sha256, publication, len(rows)])
        con.executemany(
            "INSERT INTO metric_values(metric, org_code, period_start, period_end, numerator, denominator, "
            "value, provisional, source_row, extra, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (metric, org_code, period_start, period_end) DO UPDATE SET "
            "numerator = excluded.numerator, denominator = excluded.denominator, value = excluded.value, "
            "provisional = excluded.provisional, source_id = excluded.source_id, "
            "source_row = excluded.source_row, extra = excluded.extra",
            [(*v, source_id) for v in values])
    return source_id
