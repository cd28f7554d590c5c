"""Data sources behind the pack: each publication, its files, the periods used, when published, the licence.

Read from the store's ``metric_sources`` provenance (metrics area), restricted to the metrics the
pack shows, so a reader can trace every figure to the file it came from. Each publication carries
the release-calendar date of the latest period used and, when newer figures were due before the
pack was produced, says so (issue 21); third-party publications are labelled and licensed as such.
"""

from __future__ import annotations

import datetime as dt

from opmodel.metrics import as_of_summary, get_publication, last_loaded, metric_freshness
from opmodel.metrics.publishing import period_label
from opmodel.reports.model import DataSource
from opmodel.store import Store

__all__ = ["OGL", "data_as_of", "data_sources"]

OGL = "Open Government Licence v3.0"
_THIRD_PARTY = "third-party extract of figures published under the " + OGL + " (secondary evidence)"


def data_sources(store: Store, metrics: list[str], end: dt.date, today: dt.date | None = None,
                 org: str | None = None) -> list[DataSource]:
    """One entry per publication feeding ``metrics`` up to ``end`` (files and periods of ``org``'s own
    values when given, e.g. a trust). A publication is overdue when even the newest period the store
    holds from it (after ``end`` too) is older than its publication cycle."""
    if not metrics:
        return []
    today = today or dt.date.today()
    marks = ",".join("?" for _ in metrics)
    rows = store.rows(
        f"""SELECT s.publication, list(DISTINCT s.file_name ORDER BY s.file_name) AS files,
                   list(DISTINCT v.metric ORDER BY v.metric) AS metrics, min(v.period_start) AS first,
                   max(v.period_start) AS last, arg_max(v.period_end, v.period_start) AS last_end,
                   max(s.loaded_at) AS loaded, bool_or(contains(lower(s.file), 'thirdparty')) AS third_path
            FROM metric_values v JOIN metric_sources s USING (source_id)
            WHERE v.metric IN ({marks}) AND v.period_start <= ? AND (CAST(? AS VARCHAR) IS NULL OR v.org_code = ?)
            GROUP BY s.publication ORDER BY s.publication""", [*metrics, end, org, org])
    newest = dict(store.execute(
        f"""SELECT s.publication, max(v.period_end) FROM metric_values v JOIN metric_sources s USING (source_id)
            WHERE v.metric IN ({marks}) GROUP BY 1""", metrics).fetchall())
    out = []
    for r in rows:
        files = [str(f) for f in r["files"]]
        pub = get_publication(str(r["publication"]))
        third = bool(pub.third_party) if pub is not None else bool(r["third_path"])
        published = overdue = None
        if pub is not None and r["last_end"] is not None:
            published = pub.release_date(r["last_end"])
            following = pub.next_period_end(max(r["last_end"], newest.get(r["publication"]) or r["last_end"]))
            due = pub.release_date(following)
            if due < today:
                months = {"monthly": 1, "quarterly": 3, "annual": 12}.get(pub.frequency, 1)
                first = following.year * 12 + following.month - months
                label = period_label(dt.date(first // 12, first % 12 + 1, 1), following, pub.year)
                overdue = f"{label} figures were due {due.day} {due:%B %Y}"
        more = f" and {len(files) - 6} more" if len(files) > 6 else ""
        out.append(DataSource(publication=str(r["publication"]), title=pub.title if pub else None,
                              files=files[:6] + ([more.strip()] if more else []),
                              metrics=[str(m) for m in r["metrics"]],
                              first_period=r["first"], last_period=r["last"],
                              loaded_at=None if r["loaded"] is None else str(r["loaded"])[:10],
                              licence=_THIRD_PARTY if third else OGL, published=published, overdue=overdue,
                              third_party=third))
    return out


def data_as_of(store: Store, org: str, metrics: list[str], end: dt.date,
               today: dt.date | None = None) -> tuple[str, dt.date | None]:
    """("data to December 2025; beds to June 2025", the store's load date) for the pack's measures."""
    items = metric_freshness(store, org, metrics=metrics, until=end, today=today)
    return as_of_summary(items), last_loaded(store)
