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

import ibis
import ibis.expr.types as ir

__all__ = [
    "AE_COUNT_COLUMNS",
    "AE_RULES",
    "RTT_COUNT_COLUMNS",
    "RTT_RULES",
    "ae_counts",
    "rtt_counts",
]

AE_RULES = ("duplicate_record_id", "unknown_provider", "departure_before_arrival")
RTT_RULES = ("duplicate_record_id", "unknown_provider", "null_clock_start")
AE_COUNT_COLUMNS = ("attendances", "over_4h", "admitted", "dta_4_12h", "dta_12h")
RTT_COUNT_COLUMNS = ("pathways", "within_18wk", "over_52wk", "over_65wk", "over_78wk")

_FOUR_HOURS = 4 * 3600
_TWELVE_HOURS = 12 * 3600


def _count(cond: ir.BooleanValue) -> ir.IntegerScalar:
    return ibis.ifelse(cond, 1, 0).sum().cast("int64")


def _duplicated(t: ir.Table) -> ir.Table:
    """``t`` with a boolean ``_dup``: the id is null or shared by more than one record."""
    shared = (t.group_by("record_id").aggregate(_n=t.count())
              .filter(lambda s: s._n > 1).select("record_id", _shared=ibis.literal(True)))
    joined = t.left_join(shared, "record_id").drop("record_id_right")
    return joined.mutate(_dup=joined._shared.fill_null(False) | joined.record_id.isnull()).drop("_shared")


def _unknown(t: ir.Table, known: Iterable[str]) -> ir.BooleanValue:
    return ~t.provider.isin(sorted(set(known))).fill_null(False)


def _flag_rules(d: ir.Table, broken: dict[str, ir.BooleanValue]) -> ir.Table:
    """Flag each record with the first rule it breaks (``_rule_<name>``) and ``_valid``.

    The flags are computed once per record in a projection, so the aggregation that follows
    only sums columns (engines do not reliably share repeated sub-expressions).
    """
    flags: dict[str, ir.BooleanValue] = {}
    earlier: ir.BooleanValue = ibis.literal(False)
    for name, cond in broken.items():
        flags[f"_rule_{name}"] = ~earlier & cond
        earlier = earlier | cond
    return d.mutate(_valid=~earlier, **flags)


def _excluded(d: ir.Table, rules: tuple[str, ...]) -> dict[str, ir.IntegerScalar]:
    return {f"excluded_{name}": _count(d[f"_rule_{name}"]) for name in rules}


def ae_counts(attendances: ir.Table, known_providers: Iterable[str]) -> ir.Table:
    """Per provider and arrival month: attendances, over 4 hours, admitted, DTA waits 4-12 h and 12+ h.

    Records with no arrival time are counted in month 0 of year 0 (they are all excluded).
    4 hours = more than 14,400 s from arrival to departure; 12 hours = more than 43,200 s from
    decision to admit to departure (the time the patient left A&E for a bed).
    """
    d = _duplicated(attendances)
    arr, dep = d.arrival.epoch_seconds(), d.departure.epoch_seconds()
    bad_time = (d.arrival.isnull() | d.departure.isnull() | (dep < arr)).fill_null(True)
    d = _flag_rules(d, {"duplicate_record_id": d._dup, "unknown_provider": _unknown(d, known_providers),
                        "departure_before_arrival": bad_time})
    d = d.mutate(_stay=dep - arr, _wait=dep - d.decision_to_admit.epoch_seconds())
    valid, wait = d._valid, d._wait
    return (d.group_by(provider=d.provider, year=d.arrival.year().fill_null(0), month=d.arrival.month().fill_null(0))
            .aggregate(attendances=_count(valid),
                       over_4h=_count(valid & (d._stay > _FOUR_HOURS)),
                       admitted=_count(valid & d.admitted.fill_null(False)),
                       dta_4_12h=_count(valid & wait.notnull() & (wait > _FOUR_HOURS) & (wait <= _TWELVE_HOURS)),
                       dta_12h=_count(valid & wait.notnull() & (wait > _TWELVE_HOURS)),
                       **_excluded(d, AE_RULES))
            .order_by("provider", "year", "month"))


def rtt_counts(pathways: ir.Table, known_providers: Iterable[str]) -> ir.Table:
    """Per provider and census month: incomplete pathways, within 18 weeks, over 52/65/78 weeks.

    Weeks waited = whole weeks from clock start to census date (days // 7): within 18 weeks is
    fewer than 126 days; over 52 weeks is 364 days or more (the published "Gt 52" buckets).
    """
    d = _duplicated(pathways)
    d = _flag_rules(d, {"duplicate_record_id": d._dup, "unknown_provider": _unknown(d, known_providers),
                        "null_clock_start": d.clock_start.isnull()})
    d = d.mutate(_days=d.census_date.delta(d.clock_start, unit="day"))
    valid, days = d._valid, d._days
    return (d.group_by(provider=d.provider, year=d.census_date.year().fill_null(0),
                       month=d.census_date.month().fill_null(0))
            .aggregate(pathways=_count(valid),
                       within_18wk=_count(valid & (days < 18 * 7)),
                       over_52wk=_count(valid & (days >= 52 * 7)),
                       over_65wk=_count(valid & (days >= 65 * 7)),
                       over_78wk=_count(valid & (days >= 78 * 7)),
                       **_excluded(d, RTT_RULES))
            .order_by("provider", "year", "month"))
