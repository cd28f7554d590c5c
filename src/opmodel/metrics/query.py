"""Reading metric values back, at provider level or aggregated up the structure.

ICB, region and England values are built from numerators and denominators (never by
averaging rates), each period through the organisation structure in force on its first
day: the provider → ICB → region → national line of oversight-methodology §6.4, taken from
the dated ODS snapshots as §6.3 prescribes (42 ICBs until March 2026, 36 after). The
aggregation is one relational query over DuckDB so that the same plan can later run on a
distributed engine over patient-level volumes.

England is the sum over *every* provider row, including independent-sector providers that
sit in no ICB, to match the national totals NHS England publishes; ICB and region values
cover the NHS trusts that belong to them on the date.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, Literal

from opmodel.errors import NotFoundError, OpmodelError, UnknownCodeError
from opmodel.metrics.catalogue import MetricDefinition, catalogue
from opmodel.metrics.publishing import third_party_publications
from opmodel.store import Store
from opmodel.structure import NATIONAL_CODE, suggest_codes

__all__ = ["DATED_ANCESTORS_SQL", "LEVELS", "Level", "NotAggregatedError", "contiguous_run", "list_metrics",
           "metric_values", "trust_values_at"]

Level = Literal["trust", "icb", "region", "england"]
LEVELS: tuple[str, ...] = ("trust", "icb", "region", "england")
_LEVEL_KIND = {"icb": "icb", "region": "region", "england": "national"}
_PROVIDER_KINDS = "('trust', 'other_provider')"

#: Ancestors of every (organisation, day) pair in ``days(code, day)`` on that day: the dated
#: form of ``opmodel.structure.ANCESTORS_SQL`` for many periods in one query.
DATED_ANCESTORS_SQL = """
anc(code, day, ancestor, depth) AS (
    SELECT d.code, d.day, r.parent, 1
    FROM days d JOIN relationships r
      ON r.child = d.code AND r.valid_from <= d.day AND (r.valid_to IS NULL OR r.valid_to >= d.day)
    UNION ALL
    SELECT a.code, a.day, r.parent, a.depth + 1
    FROM anc a JOIN relationships r
      ON r.child = a.ancestor AND r.valid_from <= a.day AND (r.valid_to IS NULL OR r.valid_to >= a.day)
    WHERE a.depth < 8
)"""

_BASE = f"""
base AS (
    SELECT v.metric, v.org_code, v.period_start, v.period_end, v.numerator, v.denominator, v.value,
           v.provisional, s.file_name, s.publication, coalesce(o.kind, 'other_provider') AS kind,
           list_contains($third, s.publication) AS third_party
    FROM metric_values v
    JOIN metric_sources s ON s.source_id = v.source_id
    LEFT JOIN organisations o ON o.code = v.org_code
    WHERE v.metric = $metric
      AND ($start IS NULL OR v.period_start >= CAST($start AS DATE))
      AND ($end IS NULL OR v.period_start <= CAST($end AS DATE))
),
providers AS (SELECT * FROM base WHERE kind IN {_PROVIDER_KINDS}),
days AS (SELECT DISTINCT org_code AS code, period_start AS day FROM base),
{DATED_ANCESTORS_SQL}"""

_COLUMNS = """metric, org_code, org_name, level, period_start, period_end, numerator, denominator, value,
              provisional, n_orgs, source, publication, third_party"""

_TRUST_SQL = f"""
WITH RECURSIVE {_BASE}
SELECT p.metric, p.org_code, o.name AS org_name, 'trust' AS level, p.period_start, p.period_end, p.numerator,
       p.denominator, p.value, p.provisional, 1 AS n_orgs, p.file_name AS source, p.publication, p.third_party
FROM providers p LEFT JOIN organisations o ON o.code = p.org_code
WHERE $org IS NULL OR p.org_code = $org
   OR EXISTS (SELECT 1 FROM anc a WHERE a.code = p.org_code AND a.day = p.period_start AND a.ancestor = $org)
ORDER BY p.period_start, p.org_code, p.period_end
"""

_AGGREGATE_SQL = f"""
WITH RECURSIVE {_BASE},
targets AS (
    SELECT a.code, a.day, a.ancestor AS target, a.depth
    FROM anc a JOIN organisations t ON t.code = a.ancestor
    WHERE $kind <> 'national' AND t.kind = $kind
    UNION ALL
    SELECT DISTINCT org_code, period_start, $national, 99 FROM providers WHERE $kind = 'national'
),
aggregated AS (
    SELECT p.metric, t.target AS org_code, p.period_start, p.period_end,
           sum(p.numerator) AS numerator, sum(p.denominator) AS denominator,
           CASE WHEN $agg = 'ratio' THEN $scale * sum(p.numerator) / nullif(sum(p.denominator), 0)
                ELSE sum(p.value) END AS value,
           bool_or(p.provisional) AS provisional, count(*) AS n_orgs,
           'aggregated from ' || string_agg(DISTINCT p.file_name, '; ' ORDER BY p.file_name) AS source,
           any_value(p.publication) AS publication, bool_or(p.third_party) AS third_party
    FROM providers p JOIN targets t ON t.code = p.org_code AND t.day = p.period_start
    WHERE $agg IN ('ratio', 'sum')
      AND ($org IS NULL OR t.target = $org
           OR EXISTS (SELECT 1 FROM anc a WHERE a.code = p.org_code AND a.day = p.period_start
                                            AND a.ancestor = $org AND a.depth > t.depth))
    GROUP BY ALL
),
published AS (
    SELECT b.metric, b.org_code, b.period_start, b.period_end, b.numerator, b.denominator, b.value,
           b.provisional, 1 AS n_orgs, b.file_name AS source, b.publication, b.third_party
    FROM base b
    WHERE b.kind = $kind
      AND ($org IS NULL OR b.org_code = $org
           OR EXISTS (SELECT 1 FROM anc a WHERE a.code = b.org_code AND a.day = b.period_start
                                            AND a.ancestor = $org))
),
combined AS (
    SELECT * FROM published
    UNION ALL
    SELECT * FROM aggregated g WHERE NOT EXISTS (
        SELECT 1 FROM published q WHERE q.org_code = g.org_code AND q.period_start = g.period_start
                                    AND q.period_end = g.period_end)
)
SELECT c.metric, c.org_code, o.name AS org_name, $level AS level, c.period_start, c.period_end, c.numerator,
       c.denominator, c.value, c.provisional, c.n_orgs, c.source, c.publication, c.third_party
FROM combined c LEFT JOIN organisations o ON o.code = c.org_code
ORDER BY c.period_start, c.org_code, c.period_end
"""


def _definition(store: Store, metric: str) -> MetricDefinition | None:
    cat = catalogue()
    if metric in cat:
        return cat[metric]
    if store.scalar("SELECT count(*) FROM metric_values WHERE metric = ?", [metric]):
        return None  # loaded but not catalogued: shown as published, never aggregated
    from rapidfuzz import process

    known = sorted(set(cat) | {r[0] for r in store.execute("SELECT DISTINCT metric FROM metric_values").fetchall()})
    raise UnknownCodeError("metric", metric, [str(m[0]) for m in process.extract(metric, known, limit=3)])


class NotAggregatedError(NotFoundError):
    """A metric that has no meaningful value at the level asked (e.g. ambulance figures for an ICB)."""


def metric_values(store: Store, metric: str, *, org: str | None = None, level: str = "trust",
                  start: dt.date | None = None, end: dt.date | None = None) -> list[dict[str, Any]]:
    """Values of ``metric`` at ``level`` (trust | icb | region | england), oldest period first.

    ``org`` selects one organisation at that level, or everything under an organisation
    higher up (e.g. the trusts of ICB QKK on each period's date). ``start``/``end`` select
    periods *starting* within the range (inclusive). Each dict has metric, org_code,
    org_name, level, period_start, period_end, numerator, denominator, value, provisional,
    n_orgs (providers aggregated), source, publication and third_party (the value, or some value it is
    aggregated from, is third-party processed: label it so).
    """
    if level not in LEVELS:
        raise OpmodelError(f"Unknown level '{level}'; expected one of: {', '.join(LEVELS)}.")
    defn = _definition(store, metric)
    if org is not None:
        org = org.strip().upper()
        if level == "england" and org == NATIONAL_CODE:
            org = None
        elif not store.scalar("SELECT count(*) FROM organisations WHERE code = ?", [org]):
            raise UnknownCodeError("organisation", org, suggest_codes(store, org))
    if level == "icb" and defn is not None and not defn.icb_aggregate:
        raise NotAggregatedError(
            f"{defn.name} ({metric}) is not shown for ICBs: each ambulance trust serves many ICBs, so adding it "
            "to the ICB where it is based would misattribute its figures; see the ambulance trust or the region")
    params: dict[str, Any] = {"metric": metric, "org": org, "start": start, "end": end,
                              "third": list(third_party_publications())}
    if level == "trust":
        return store.rows(_TRUST_SQL, params)
    params.update(level=level, kind=_LEVEL_KIND[level], national=NATIONAL_CODE,
                  agg=defn.aggregate if defn is not None else "none",
                  scale=defn.scale if defn is not None and defn.scale is not None else 1.0)
    return store.rows(_AGGREGATE_SQL, params)


_TRUST_AT_SQL = f"""
WITH wanted AS (SELECT unnest($metrics) AS metric, unnest($days) AS day)
SELECT v.metric, v.org_code, o.name AS org_name, 'trust' AS level, v.period_start, v.period_end, v.numerator,
       v.denominator, v.value, v.provisional, 1 AS n_orgs, s.file_name AS source, s.publication,
       list_contains($third, s.publication) AS third_party
FROM metric_values v
JOIN wanted w ON w.metric = v.metric AND w.day = v.period_start
JOIN metric_sources s ON s.source_id = v.source_id
LEFT JOIN organisations o ON o.code = v.org_code
WHERE coalesce(o.kind, 'other_provider') IN {_PROVIDER_KINDS}
ORDER BY v.metric, v.period_start, v.org_code, v.period_end
"""


def trust_values_at(store: Store, periods: dict[str, dt.date]) -> dict[str, list[dict[str, Any]]]:
    """Every provider's values of each metric for the period starting on the day given, in one query.

    The same rows as :func:`metric_values` at trust level with ``start`` and ``end`` that day, for many
    metrics at once: a profile compares an organisation with its peers on every metric it holds, and one
    query per metric cost most of an uncached profile (issue 25)."""
    out: dict[str, list[dict[str, Any]]] = {m: [] for m in periods}
    if not periods:
        return out
    metrics = sorted(periods)
    rows = store.rows(_TRUST_AT_SQL, {"metrics": metrics, "days": [periods[m] for m in metrics],
                                      "third": list(third_party_publications())})
    for r in rows:
        out[r["metric"]].append(r)
    return out


def list_metrics(store: Store, *, org: str | None = None) -> list[dict[str, Any]]:
    """Every catalogued or loaded metric with its definition and what the store holds for it.

    With ``org``, only the metrics the store holds values for that organisation (as published).
    """
    where = "" if org is None else "WHERE org_code = ?"
    held = {r["metric"]: r for r in store.rows(f"""
        SELECT metric, count(*) AS values_held, count(DISTINCT org_code) AS organisations,
               min(period_start) AS first_period, max(period_start) AS last_period
        FROM metric_values {where} GROUP BY metric""", None if org is None else [org.upper()])}
    out: list[dict[str, Any]] = []
    cat = catalogue()
    for mid in sorted(set(held) if org is not None else set(cat) | set(held)):
        d = cat.get(mid)
        h = held.get(mid, {})
        out.append({"metric": mid, "name": d.name if d else None, "unit": d.unit if d else None,
                    "direction": d.direction if d else None, "source": d.source if d else None,
                    "frequency": d.frequency if d else None, "nof_id": d.nof_id if d else None,
                    "values_held": h.get("values_held", 0), "organisations": h.get("organisations", 0),
                    "first_period": h.get("first_period"), "last_period": h.get("last_period")})
    return out


def contiguous_run(rows: list[dict[str, Any]], min_points: int = 12) -> tuple[list[dict[str, Any]], str | None]:
    """The rows of the latest unbroken run of periods with at least ``min_points`` (else the longest run).

    Publications are sometimes missing for a month or two (January and February 2026 A&E files are
    not in ``../shared/data``), and an SPC chart needs an unbroken series. Returns the run and a
    note saying what was left out (None when the rows were already unbroken). ``rows`` are sorted
    by period, as :func:`metric_values` returns them.
    """
    if not rows:
        return rows, None
    runs: list[list[dict[str, Any]]] = [[rows[0]]]
    for prev, row in itertools.pairwise(rows):
        if row["period_start"] == prev["period_end"] + dt.timedelta(days=1):
            runs[-1].append(row)
        else:
            runs.append([row])
    if len(runs) == 1:
        return rows, None
    long_enough = [r for r in runs if len(r) >= min_points]
    chosen = long_enough[-1] if long_enough else max(reversed(runs), key=len)
    gaps = [f"{a[-1]['period_end'] + dt.timedelta(days=1):%B %Y} to "
            f"{b[0]['period_start'] - dt.timedelta(days=1):%B %Y}" for a, b in itertools.pairwise(runs)]
    note = (f"no values held for {'; '.join(gaps)}: the chart uses the unbroken run "
            f"{chosen[0]['period_start']:%B %Y} to {chosen[-1]['period_end']:%B %Y}"
            + (f" (the latest with at least {min_points} periods)" if long_enough else " (the longest)"))
    return chosen, note
