"""Quality measures for maps (issue 26, item 2): each ICB's or region's share of trusts rated good or
outstanding, share of trusts with a SHMI higher than expected, pooled SHMI and pooled FFT positive share.

:mod:`opmodel.maps` finds :func:`map_measure` through its optional sources (``OPTIONAL_SOURCES``) and
draws what it returns. Every measure is formed as the consistency view forms it
(:mod:`opmodel.variation.legs_query`): counted over trusts, pooled (``Σ numerators / Σ denominators``),
never an average of rates:

- ``cqc_good_or_outstanding``: each trust's latest CQC overall rating published on or before the map's
  date (first third-party copy, else the second); trusts rated Outstanding or Good over trusts rated.
  The trusts counted are those open on the map's date (a closed trust's rating no longer describes a
  provider), placed where the registry puts them that day;
- ``shmi_higher_than_expected``: trusts whose SHMI band is "higher than expected" (NHS Digital's
  published band, else opmodel's recomputed one) over trusts with a SHMI;
- ``shmi``: observed over expected deaths of the area's trusts;
- ``fft_positive``: positive inpatient FFT responses over responses, one month.

SHMI and FFT trusts are placed in the areas in force on the map's date as maps places a metric's trusts
(:func:`opmodel.maps.place_trusts`: where the registry puts a trust that day, else where it was in the
figures' period, carried to a sole successor ICB). England pools the same trusts. All the figures come
from third-party processed copies and are labelled so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opmodel.errors import OpmodelError
from opmodel.quality.models import SHMI_BAND_LABELS
from opmodel.quality.queries import latest_values, source_label
from opmodel.quality.shmi import ShmiBanding, shmi_banding
from opmodel.quality.view import cqc_ratings
from opmodel.store import Store

if TYPE_CHECKING:
    from opmodel.maps.measures import MeasureRequest, MeasureValues, Polarity

__all__ = ["MAP_MEASURES", "map_measure"]

_CQC = ("cqc_overall", "cqc_overall_tracker", "cqc_safe", "cqc_effective", "cqc_caring", "cqc_responsive",
        "cqc_well_led", "cqc_well_led_tracker")
_HIGHER = SHMI_BAND_LABELS[1]


@dataclass(frozen=True)
class _Count:
    """One trust's contribution: numerator over denominator (1 or 0 over 1 for a share of trusts)."""

    numerator: float
    denominator: float


@dataclass(frozen=True)
class _Gathered:
    """What a quality measure counts before placement: each trust's counts and the period they describe."""

    counts: dict[str, _Count]
    then: dt.date  # trusts closed by the map's date are placed where they were on this day, if open then
    period: str
    source: str
    counted: str  # what the denominator counts, for each area's note ("rated trusts", "FFT responses")
    who: str  # the trusts counted, for the map's note


def _month(text: str | None, measure: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:7] + "-01")
    except ValueError:
        raise OpmodelError(f"--period {text!r} for {measure}: expected a month such as 2026-03") from None


def _cqc(store: Store, request: MeasureRequest) -> _Gathered:
    if request.period is not None:
        raise OpmodelError("--period does not apply to cqc_good_or_outstanding: each trust's latest rating "
                           "published on or before --on is counted")
    latest = latest_values(store, _CQC, on=request.on)
    codes = set(latest["cqc_overall"]) | set(latest["cqc_overall_tracker"])
    ratings = {c: r for c in codes if (r := cqc_ratings(latest, c)) is not None and r.good_or_outstanding is not None}
    if not ratings:
        raise OpmodelError(f"No CQC ratings published on or before {request.on} are held.")
    last = max(r.published_on for r in ratings.values() if r.published_on is not None)
    sources = sorted({r.source for r in ratings.values()})
    return _Gathered(counts={c: _Count(1.0 if r.good_or_outstanding else 0.0, 1.0) for c, r in ratings.items()},
                     then=request.on, period=f"latest ratings to {last:%-d %B %Y}",
                     source="CQC overall ratings: " + "; ".join(sources), counted="rated trusts",
                     who="trusts with a CQC rating")


def _held(store: Store, metric: str) -> str:
    """The latest months held of a metric, for an error that says what to ask for instead."""
    rows = store.rows("SELECT DISTINCT period_start FROM metric_values WHERE metric = ? ORDER BY 1 DESC LIMIT 6",
                      [metric])
    return ", ".join(f"{r['period_start']:%Y-%m}" for r in rows) or "none"


def _start(store: Store, request: MeasureRequest, metric: str, what: str) -> dt.date:
    """The month drawn: ``--period`` when given (any month held, as for a metric), else the latest starting on or
    before the map's date."""
    asked = _month(request.period, request.measure)
    found = store.scalar("SELECT max(period_start) FROM metric_values WHERE metric = ? AND period_start <= ?",
                         [metric, asked or request.on])
    if not isinstance(found, dt.date) or (asked is not None and found != asked):
        when = f"for {asked:%Y-%m}" if asked is not None else f"for a month starting on or before {request.on}"
        raise OpmodelError(f"No {what} is held {when}; months held: {_held(store, metric)} (choose one with "
                           "--period).")
    return found


def _banding(store: Store, request: MeasureRequest) -> ShmiBanding:
    return shmi_banding(store, on=_start(store, request, "shmi", "SHMI"))


def _period_end(label: str) -> dt.date:
    """The last day of a period labelled ``YYYY-MM``, ``YYYY-MM-DD`` or ``START to END``."""
    text = label.split(" to ")[-1]
    if len(text) == 7:
        first = dt.date.fromisoformat(text + "-01")
        return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return dt.date.fromisoformat(text)


def _label(period: str) -> str:
    """``March 2026`` for a month labelled ``2026-03``, as the other maps name months; else as given."""
    return dt.date.fromisoformat(period + "-01").strftime("%B %Y") if len(period) == 7 else period


def _shmi_higher(store: Store, request: MeasureRequest) -> _Gathered:
    b = _banding(store, request)
    counts = {r.org_code: _Count(1.0 if (r.published_band or r.band) == _HIGHER else 0.0, 1.0) for r in b.rows}
    return _Gathered(counts=counts, then=_period_end(b.period), period=_label(b.period),
                     source=f"SHMI bands (NHS Digital's published band, else recomputed by opmodel): {b.source}",
                     counted="trusts with a SHMI", who="trusts with a SHMI")


def _shmi(store: Store, request: MeasureRequest) -> _Gathered:
    b = _banding(store, request)
    return _Gathered(counts={r.org_code: _Count(r.observed, r.expected) for r in b.rows}, then=_period_end(b.period),
                     period=_label(b.period), source=f"SHMI observed and expected deaths: {b.source}",
                     counted="expected deaths", who="trusts with a SHMI")


def _fft(store: Store, request: MeasureRequest) -> _Gathered:
    month = _start(store, request, "fft_positive", "Friends and Family Test value")
    rows = [r for r in latest_values(store, ["fft_positive"], on=month)["fft_positive"].values()
            if r["period_start"] == month and r["numerator"] is not None and r["denominator"]]
    return _Gathered(counts={r["org_code"]: _Count(float(r["numerator"]), float(r["denominator"])) for r in rows},
                     then=max(r["period_end"] for r in rows), period=f"{month:%B %Y}",
                     source="Friends and Family Test, inpatients: " + source_label(rows[0]), counted="FFT responses",
                     who="trusts with FFT responses")


@dataclass(frozen=True)
class _Spec:
    name: str
    unit: str
    polarity: Polarity
    scale: float
    decimals: int
    gather: Callable[[Store, MeasureRequest], _Gathered]


_SPECS: dict[str, _Spec] = {
    "cqc_good_or_outstanding": _Spec("Trusts rated good or outstanding overall (CQC)", "%", "high_is_good", 100.0, 1,
                                     _cqc),
    "shmi_higher_than_expected": _Spec("Trusts with SHMI higher than expected", "%", "low_is_good", 100.0, 1,
                                       _shmi_higher),
    "shmi": _Spec("SHMI (observed / expected deaths)", "", "low_is_good", 1.0, 3, _shmi),
    "fft_positive": _Spec("Friends and Family Test, inpatients positive", "%", "high_is_good", 100.0, 1, _fft),
}
#: The quality measures a map can shade.
MAP_MEASURES = tuple(_SPECS)


def _trusts(n: int) -> str:
    return f"{n} trust{'s' if n != 1 else ''}"


def _note(num: float, den: float, trusts: int, counted: str) -> str:
    """What an area's value rests on: ``5 of 11 rated trusts``, ``9 trusts, 41,230 responses``."""
    if counted == "FFT responses":
        return f"{_trusts(trusts)}, {den:,.0f} responses"
    if counted == "expected deaths":
        return f"{_trusts(trusts)}, {num:,.0f} observed / {den:,.0f} expected deaths"
    return f"{num:.0f} of {trusts} {counted}"


def map_measure(store: Store, request: MeasureRequest) -> MeasureValues | None:
    """A quality measure's values for the ICBs (or regions) in force on ``request.on``; None for other ids.

    The maps area calls this for every id it is asked to draw (``opmodel map cqc_good_or_outstanding``).
    """
    from opmodel.maps.measures import AreaValue, MeasureValues
    from opmodel.maps.sources import place_trusts

    spec = _SPECS.get(request.measure)
    if spec is None:
        return None
    got = spec.gather(store, request)
    placed = place_trusts(store, request.level, request.on, got.then, set(got.counts))
    sums: dict[str, list[float]] = {}
    for code, area in placed.items():
        c = got.counts[code]
        acc = sums.setdefault(area, [0.0, 0.0, 0.0])
        acc[0] += c.numerator
        acc[1] += c.denominator
        acc[2] += 1
    values = {a: AreaValue(a, spec.scale * n / d, _note(n, d, int(t), got.counted))
              for a, (n, d, t) in sums.items() if d > 0}
    num = sum(got.counts[c].numerator for c in placed)
    den = sum(got.counts[c].denominator for c in placed)
    day = f"{request.on:%-d %B %Y}"
    notes = [f"{len(placed)} {got.who} counted, placed in the {'ICBs' if request.level == 'icb' else 'regions'} in "
             f"force on {day}; England pools the same trusts. Third-party processed figures."]
    if unplaced := sorted(set(got.counts) - set(placed)):
        notes.append(f"{len(unplaced)} left out, not NHS trusts placed in an area in force on {day} (closed or "
                     "merged trusts, independent providers): " + ", ".join(unplaced[:8])
                     + ("…" if len(unplaced) > 8 else "") + ".")
    return MeasureValues(
        measure=request.measure, name=spec.name, unit=spec.unit, polarity=spec.polarity, level=request.level,
        on=request.on, period=got.period, source=got.source, values=values,
        england=spec.scale * num / den if den else None, third_party=True, decimals=spec.decimals, notes=notes)
