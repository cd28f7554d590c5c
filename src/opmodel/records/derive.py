"""Record-level metric definitions, written once as ibis expressions for DuckDB and Spark.

The counts behind NHS England's published metrics (Oversight methodology: A&E 4-hour
performance and 12-hour waits from decision to admit; RTT 18-week performance and 52, 65 and
78-week waits) are computed by organisation and month in one aggregation pass. Records that
break a bad-input rule are excluded and counted under the first rule they break, in this order:

1. ``duplicate_record_id`` — the record id is missing or carried by more than one record
   (all copies are excluded: we cannot tell which one is right);
2. ``unknown_provider`` — the provider code is missing or not in the reference list;
3. ``departure_before_arrival`` (A&E) — departure before arrival, or either time missing;
   ``null_clock_start`` (RTT) — the clock start date is missing.

Only engine-neutral operations are used (year/month parts, epoch seconds, ``isin``, joins,
group-by sums), so the SQL ibis compiles for each engine gives identical integers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import ibis
import ibis.expr.types as ir

__all__ = [
    "AE_COUNT_COLUMNS",
    "AE_RULES",
    "RTT_COUNT_COLUMNS",
    "RTT_RULES",
    "DuplicateStrategy",
    "ae_counts",
    "rtt_counts",
]

AE_RULES = ("duplicate_record_id", "unknown_provider", "departure_before_arrival")
RTT_RULES = ("duplicate_record_id", "unknown_provider", "null_clock_start")
AE_COUNT_COLUMNS = ("attendances", "over_4h", "admitted", "dta_4_12h", "dta_12h")
RTT_COUNT_COLUMNS = ("pathways", "within_18wk", "over_52wk", "over_65wk", "over_78wk")

_FOUR_HOURS = 4 * 3600
_TWELVE_HOURS = 12 * 3600


#: How shared record ids are found; both give the same set (tests compare them).
DuplicateStrategy = Literal["group", "sort"]


def _shared_ids(t: ir.Table, strategy: DuplicateStrategy) -> ir.Table:
    """The record ids carried by more than one record (nulls excluded), one row each.

    ``group`` counts records per id: a hash aggregation over every id, which Spark spreads over
    its executors by id. ``sort`` orders the ids and keeps those equal to their predecessor: one
    window over the id column, about three times cheaper on DuckDB than a hash aggregation with
    one group per record, but a single partition on Spark (docs/decisions.md, Records and scale).
    """
    if strategy == "group":
        return t.group_by("record_id").aggregate(_n=t.count()).filter(lambda s: s._n > 1).select("record_id")
    ids = t.select("record_id", _prev=t.record_id.lag().over(ibis.window(order_by=t.record_id)))
    return ids.filter(ids.record_id == ids._prev).select("record_id").distinct()


def _duplicated(t: ir.Table, strategy: DuplicateStrategy) -> ir.Table:
    """``t`` with a boolean ``_dup``: the id is null or shared by more than one record."""
    shared = _shared_ids(t, strategy).mutate(_shared=ibis.literal(True))
    joined = t.left_join(shared, "record_id").drop("record_id_right")
    return joined.mutate(_dup=joined._shared.fill_null(False) | joined.record_id.isnull()).drop("_shared")


def _tally(d: ir.Table, period: ir.TimestampValue | ir.DateValue, bad: ir.BooleanValue,
           counts: dict[str, ir.BooleanValue | None], known: Iterable[str], rules: tuple[str, ...]) -> ir.Table:
    """Count per provider and month, then apply the rules to the grouped rows.

    ``bad`` is the dataset's third rule and ``counts`` the metric conditions (``None``: every
    record). The records are counted once per provider, month, duplicate flag and ``bad`` flag,
    each condition evaluated once per record as a filtered count (DuckDB inlines a flag computed
    in a projection into every aggregate that uses it, and counts faster than it sums 0/1); the
    rules are then applied to those few thousand rows. The provider rule depends
    on the group key alone, so it is decided once per provider-month instead of once per record:
    an unknown provider's non-duplicate records all move to ``excluded_unknown_provider``, which
    is exactly "the first rule broken wins". (A per-record ``IN`` list of ~1,200 codes cost
    DuckDB more than the whole aggregation.)
    """
    per_record = (d.group_by(provider=d.provider, year=period.year().fill_null(0), month=period.month().fill_null(0),
                             _d=d._dup, _b=bad)
                  .aggregate(_n=d.count(),
                             **{name: d.count(where=cond) for name, cond in counts.items() if cond is not None}))
    r = per_record.mutate(**{name: per_record._n for name, cond in counts.items() if cond is None})

    def total(value: ir.IntegerValue, when: ir.BooleanValue) -> ir.IntegerScalar:
        return ibis.ifelse(when, value, 0).sum().cast("int64")

    g = r.group_by("provider", "year", "month").aggregate(
        _dup_n=total(r._n, r._d), _kept=total(r._n, ~r._d), _bad_n=total(r._n, ~r._d & r._b),
        **{name: total(r[name], ~r._d & ~r._b) for name in counts})
    # Decided once per grouped row; the code list is one array literal, so it appears once in
    # the compiled query, not once per output column.
    codes = ibis.literal(sorted(set(known)), type="array<string>")
    g = g.mutate(_known=codes.contains(g.provider).fill_null(False))
    known_provider = g._known
    zero = ibis.literal(0, "int64")
    dup_rule, provider_rule, record_rule = rules
    return (g.select("provider", "year", "month",
                     **{name: ibis.ifelse(known_provider, g[name], zero) for name in counts},
                     **{f"excluded_{dup_rule}": g._dup_n,
                        f"excluded_{provider_rule}": ibis.ifelse(known_provider, zero, g._kept),
                        f"excluded_{record_rule}": ibis.ifelse(known_provider, g._bad_n, zero)})
            .order_by("provider", "year", "month"))


def ae_counts(attendances: ir.Table, known_providers: Iterable[str], *,
              duplicates: DuplicateStrategy = "group") -> ir.Table:
    """Per provider and arrival month: attendances, over 4 hours, admitted, DTA waits 4-12 h and 12+ h.

    Records with no arrival time are counted in month 0 of year 0 (they are all excluded).
    ``duplicates`` only chooses how shared record ids are found, never which.
    4 hours = more than 14,400 s from arrival to departure; 12 hours = more than 43,200 s from
    decision to admit to departure (the time the patient left A&E for a bed).
    """
    d = _duplicated(attendances, duplicates)
    arr, dep = d.arrival.epoch_seconds(), d.departure.epoch_seconds()
    d = d.mutate(_bad=(d.arrival.isnull() | d.departure.isnull() | (dep < arr)).fill_null(True),
                 _stay=dep - arr, _wait=dep - d.decision_to_admit.epoch_seconds())
    wait = d._wait
    return _tally(d, d.arrival, d._bad, {
        "attendances": None,
        "over_4h": d._stay > _FOUR_HOURS,
        "admitted": d.admitted.fill_null(False),
        "dta_4_12h": wait.notnull() & (wait > _FOUR_HOURS) & (wait <= _TWELVE_HOURS),
        "dta_12h": wait.notnull() & (wait > _TWELVE_HOURS),
    }, known_providers, AE_RULES)


def rtt_counts(pathways: ir.Table, known_providers: Iterable[str], *,
               duplicates: DuplicateStrategy = "group") -> ir.Table:
    """Per provider and census month: incomplete pathways, within 18 weeks, over 52/65/78 weeks.

    Weeks waited = whole weeks from clock start to census date (days // 7): within 18 weeks is
    fewer than 126 days; over 52 weeks is 364 days or more (the published "Gt 52" buckets).
    ``duplicates`` only chooses how shared record ids are found, never which.
    """
    d = _duplicated(pathways, duplicates)
    d = d.mutate(_bad=d.clock_start.isnull(), _days=d.census_date.delta(d.clock_start, unit="day"))
    days = d._days
    return _tally(d, d.census_date, d._bad, {
        "pathways": None,
        "within_18wk": days < 18 * 7,
        "over_52wk": days >= 52 * 7,
        "over_65wk": days >= 65 * 7,
        "over_78wk": days >= 78 * 7,
    }, known_providers, RTT_RULES)
