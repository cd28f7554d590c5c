"""How current the store is: each metric's latest period held, when it was published, what is due next.

For every metric held (overall, or for one organisation: a provider's own values, or what an ICB
or region's values are aggregated from on each period's date), :func:`metric_freshness` gives the
latest period, its publication date and the next one due, from the publication's release rule
(:mod:`opmodel.metrics.publishing`). A measure is *overdue* when the next period's figures were due
before today: the store is older than the publication cycle. :func:`as_of_summary` says it in one
line, the way a board paper does: "data to March 2026; RTT to April 2026" (issue 21, item 2).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from opmodel.metrics.catalogue import catalogue
from opmodel.metrics.publishing import SNAPSHOTS, get_publication, period_label, third_party_publications
from opmodel.metrics.query import DATED_ANCESTORS_SQL
from opmodel.store import Store

__all__ = ["Freshness", "as_of_summary", "last_loaded", "metric_freshness", "overdue"]


@dataclass(frozen=True)
class Freshness:
    """What the store holds of one metric, and how current that is."""

    metric: str
    name: str
    #: The publication the metric comes from (catalogue ``source``) and its short name ("RTT").
    publication: str
    short: str
    frequency: str
    latest_start: dt.date
    latest_end: dt.date
    #: "March 2026", "the quarter to June 2025", "2024/25".
    latest_label: str
    #: The release calendar's date for the latest period (None for derived sources such as records).
    published: dt.date | None
    #: The period after the latest, and the date its figures were (or are) due.
    next_period_end: dt.date | None
    next_due: dt.date | None
    #: The next release on or after today (None without a release rule).
    next_expected: dt.date | None
    #: True if the next period's figures were due before today: older than the publication cycle.
    overdue: bool
    #: True if some of the latest period's values come from a third-party source.
    third_party: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))

    @property
    def due_note(self) -> str | None:
        """'April 2026 figures were due 14 May 2026', for an overdue measure."""
        if not self.overdue or self.next_period_end is None or self.next_due is None:
            return None
        pub = get_publication(self.publication)
        label = period_label(_start_of(self.next_period_end, self.frequency), self.next_period_end,
                             pub.year if pub else "financial")
        return f"{label} figures were due {self.next_due.day} {self.next_due:%B %Y}"


def _start_of(end: dt.date, frequency: str) -> dt.date:
    months = {"monthly": 1, "quarterly": 3, "annual": 12}.get(frequency, 1)
    first = end.year * 12 + end.month - 1 - (months - 1)
    return dt.date(first // 12, first % 12 + 1, 1)


#: Latest period per metric over ``scoped`` (metric, org_code, period_start, period_end, publication).
_LATEST_TAIL = """
latest AS (SELECT metric, max(period_start) AS latest_start FROM scoped GROUP BY metric)
SELECT l.metric, l.latest_start, max(v.period_end) AS latest_end,
       bool_or(list_contains($third, v.publication)) AS third_party, bool_or(v.org_code = $org) AS published_here
FROM latest l JOIN scoped v ON v.metric = l.metric AND v.period_start = l.latest_start
GROUP BY l.metric, l.latest_start"""

_ALL_SQL = """
WITH scoped AS (SELECT v.metric, v.org_code, v.period_start, v.period_end, s.publication
                FROM metric_values v JOIN metric_sources s USING (source_id)
                WHERE ($org IS NULL OR v.org_code = $org) AND v.period_start <= $until),""" + _LATEST_TAIL

_UNDER_SQL = f"""
WITH RECURSIVE under(code) AS (
    SELECT child FROM relationships WHERE parent = $org
    UNION SELECT r.child FROM relationships r JOIN under u ON r.parent = u.code
),
days AS (SELECT DISTINCT org_code AS code, period_start AS day FROM metric_values
         WHERE org_code IN (SELECT code FROM under)),
{DATED_ANCESTORS_SQL},
scoped AS (
    SELECT v.metric, v.org_code, v.period_start, v.period_end, s.publication
    FROM metric_values v JOIN metric_sources s USING (source_id)
    WHERE (v.org_code = $org
           OR EXISTS (SELECT 1 FROM anc a WHERE a.code = v.org_code AND a.day = v.period_start AND a.ancestor = $org))
      AND v.period_start <= $until
),""" + _LATEST_TAIL


def _held(store: Store, org: str | None, kind: str | None, until: dt.date) -> list[dict[str, Any]]:
    third = list(third_party_publications())
    if org is None or kind == "national":
        return store.rows(_ALL_SQL, {"org": None, "third": third, "until": until})
    if kind in ("icb", "region"):
        cat = catalogue()
        rows = store.rows(_UNDER_SQL, {"org": org, "third": third, "until": until})
        # only what the area's pages can show: aggregated metrics, or values published for the area itself
        return [r for r in rows if r["published_here"] or (
            (d := cat.get(r["metric"])) is not None and d.aggregate != "none" and (kind != "icb" or d.icb_aggregate))]
    return store.rows(_ALL_SQL, {"org": org, "third": third, "until": until})


def metric_freshness(store: Store, org: str | None = None, *, today: dt.date | None = None,
                     metrics: Iterable[str] | None = None, until: dt.date | None = None) -> list[Freshness]:
    """Each metric held (for ``org``, or overall) with its latest period, publication date and next due.

    ``org`` may be a provider (its own values), an ICB or region (the providers under it on each
    period's date, and values published for it), or the national body (everything). ``metrics``
    limits the answer; ``until`` ignores periods starting after it (a board pack for a past quarter).
    ``today`` defaults to the current date.
    """
    today = today or dt.date.today()
    kind = None
    if org is not None:
        org = org.strip().upper()
        kind = store.scalar("SELECT kind FROM organisations WHERE code = ?", [org])
    wanted = None if metrics is None else set(metrics)
    cat = catalogue()
    out: list[Freshness] = []
    for r in sorted(_held(store, org, kind, until or dt.date.max), key=lambda r: str(r["metric"])):
        if wanted is not None and r["metric"] not in wanted:
            continue
        defn = cat.get(r["metric"])
        source = defn.source if defn is not None else "uncatalogued"
        pub = get_publication(source)
        frequency = defn.frequency if defn is not None else (pub.frequency if pub else "monthly")
        start, end = r["latest_start"], r["latest_end"]
        published = next_end = next_due = expected = None
        if pub is not None:
            published = pub.release_date(end)
            next_end = pub.next_period_end(end)
            next_due = pub.release_date(next_end)
            expected = pub.next_release(end, today)[1]
        out.append(Freshness(
            metric=r["metric"], name=defn.name if defn is not None else r["metric"], publication=source,
            short=pub.short if pub is not None else SNAPSHOTS.get(source, source), frequency=frequency,
            latest_start=start, latest_end=end, latest_label=period_label(start, end, pub.year if pub else "financial"),
            published=published, next_period_end=next_end, next_due=next_due, next_expected=expected,
            overdue=next_due is not None and next_due < today, third_party=bool(r["third_party"])))
    return out


def overdue(items: Sequence[Freshness]) -> list[Freshness]:
    """The measures older than their publication cycle."""
    return [f for f in items if f.overdue]


def _family_label(f: Freshness) -> str:
    if f.frequency == "annual":
        return f.latest_label
    return f"{f.latest_end:%B %Y}"


def as_of_summary(items: Sequence[Freshness]) -> str:
    """One line: "data to March 2026; RTT to April 2026; beds to June 2025; staff survey 2024".

    Measures are grouped by publication (the latest period of any of its metrics); the period most
    publications share is "data to ..."; the others are named. Empty when nothing is held.
    """
    families: dict[str, Freshness] = {}
    for f in items:
        if f.short not in families or f.latest_end > families[f.short].latest_end:
            families[f.short] = f
    if not families:
        return ""
    dated = [f for f in families.values() if f.frequency != "annual"]
    counts = Counter(_family_label(f) for f in dated)
    main = max(counts, key=lambda label: (counts[label], max(f.latest_end for f in dated
                                                             if _family_label(f) == label))) if counts else None
    parts = [f"data to {main}"] if main else []
    others = sorted((f for f in families.values() if f.frequency == "annual" or _family_label(f) != main),
                    key=lambda f: (-f.latest_end.toordinal(), f.short))
    for f in others:
        parts.append(f"{f.short} {_family_label(f)}" if f.frequency == "annual" else f"{f.short} to {_family_label(f)}")
    return "; ".join(parts)


def last_loaded(store: Store) -> dt.date | None:
    """The day the newest figures entered this store (seeding stamps the seeding time)."""
    loaded = store.scalar("SELECT max(loaded_at) FROM metric_sources")
    return loaded.date() if loaded is not None else None
