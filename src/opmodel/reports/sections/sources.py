"""Data sources behind the pack: each publication, its files, the periods used and the licence.

Read from the store's ``metric_sources`` provenance (metrics area), restricted to the metrics the
pack shows, so a reader can trace every figure to the file it came from.
"""

from __future__ import annotations

import datetime as dt

from opmodel.reports.model import DataSource
from opmodel.store import Store

__all__ = ["OGL", "data_sources"]

OGL = "Open Government Licence v3.0"
_THIRD_PARTY = "third-party extract of figures published under the " + OGL + " (secondary evidence)"


def data_sources(store: Store, metrics: list[str], end: dt.date) -> list[DataSource]:
    """One entry per publication feeding ``metrics`` up to ``end``."""
    if not metrics:
        return []
    marks = ",".join("?" for _ in metrics)
    rows = store.rows(
        f"""SELECT s.publication, list(DISTINCT s.file_name ORDER BY s.file_name) AS files,
                   list(DISTINCT v.metric ORDER BY v.metric) AS metrics, min(v.period_start) AS first,
                   max(v.period_start) AS last, max(s.loaded_at) AS loaded
            FROM metric_values v JOIN metric_sources s USING (source_id)
            WHERE v.metric IN ({marks}) AND v.period_start <= ?
            GROUP BY s.publication ORDER BY s.publication""", [*metrics, end])
    out = []
    for r in rows:
        files = [str(f) for f in r["files"]]
        third = any("thirdparty" in f.lower() or "third-party" in f.lower() for f in files)
        out.append(DataSource(publication=str(r["publication"]), files=files[:6],
                              metrics=[str(m) for m in r["metrics"]],
                              first_period=r["first"], last_period=r["last"],
                              loaded_at=None if r["loaded"] is None else str(r["loaded"])[:10],
                              licence=_THIRD_PARTY if third else OGL))
    return out
