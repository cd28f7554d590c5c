"""Public-health statistics the way Fingertips computes them (methodology: ecosystem notes §3).

Wilson score intervals for proportions, Byar's approximation (exact Poisson below 10 events)
for counts and rates, directly standardised rates with Dobson intervals, the slope and relative
indices of inequality as PHE defines them (x = 0 the most deprived end; SII = fitted(1) - fitted(0)),
and comparison with England by interval overlap. Pure functions on floats,
so they can be pinned to the published test vectors and to the published ``LowerCI``/``UpperCI``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats as _st

__all__ = [
    "ESP2013",
    "SII_REPETITIONS",
    "SII_SEED",
    "Interval",
    "SiiResult",
    "byar_interval",
    "compare_with_england",
    "crude_rate",
    "dsr_dobson",
    "exact_poisson_interval",
    "poisson_interval",
    "slope_index_of_inequality",
    "wilson_interval",
    "z_for",
]

#: European Standard Population 2013, 19 bands 0-4 ... 85-89, 90+ (sum 100,000).
ESP2013 = (5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000, 4000,
           2500, 1500, 1000)


@dataclass(frozen=True)
class Interval:
    """A value with its lower and upper confidence limits and the method that produced them."""

    value: float
    lower: float
    upper: float
    method: str


def z_for(confidence: float) -> float:
    """The two-sided normal quantile: 1.96 for 0.95, 3.0902 for 0.998."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return float(_st.norm.ppf(1 - (1 - confidence) / 2))


def wilson_interval(x: float, n: float, confidence: float = 0.95, multiplier: float = 100.0) -> Interval:
    """Wilson score interval for ``x`` events in ``n`` (× multiplier, 100 gives percentages)."""
    if n <= 0 or x < 0 or x > n:
        raise ValueError(f"Wilson needs 0 <= x <= n and n > 0, got x={x}, n={n}")
    z = z_for(confidence)
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    den = 2 * (n + z * z)
    lo = (2 * x + z * z - root) / den
    hi = (2 * x + z * z + root) / den
    return Interval(x / n * multiplier, lo * multiplier, hi * multiplier, "wilson")


def byar_interval(o: float, confidence: float = 0.95) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson limits for an observed count ``o``."""
    if o < 0:
        raise ValueError(f"a count cannot be negative, got {o}")
    z = z_for(confidence)
    lo = 0.0 if o == 0 else o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    o1 = o + 1
    hi = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3
    return lo, hi


def exact_poisson_interval(o: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (chi-squared) Poisson limits, which Fingertips uses below 10 events."""
    a = 1 - confidence
    lo = 0.0 if o == 0 else float(_st.chi2.ppf(a / 2, 2 * o)) / 2
    hi = float(_st.chi2.ppf(1 - a / 2, 2 * o + 2)) / 2
    return lo, hi


def poisson_interval(o: float, confidence: float = 0.95) -> tuple[tuple[float, float], str]:
    """Limits for a count: exact below 10 events, Byar from 10 (the Fingertips convention)."""
    if o < 10:
        return exact_poisson_interval(o, confidence), "exact_poisson"
    return byar_interval(o, confidence), "byar"


def crude_rate(o: float, n: float, multiplier: float = 100_000.0, confidence: float = 0.95) -> Interval:
    """A crude rate per ``multiplier`` with the count's Poisson limits divided by ``n``."""
    if n <= 0:
        raise ValueError(f"a rate needs a positive denominator, got {n}")
    (lo, hi), method = poisson_interval(o, confidence)
    return Interval(o / n * multiplier, lo / n * multiplier, hi / n * multiplier, method)


def dsr_dobson(events: Sequence[float], population: Sequence[float], weights: Sequence[float] = ESP2013,
               multiplier: float = 100_000.0, confidence: float = 0.95) -> Interval | None:
    """Directly standardised rate with Dobson limits; None when under 10 events (PHE suppresses)."""
    if not len(events) == len(population) == len(weights):
        raise ValueError("events, population and weights need one entry per age band")
    if any(n <= 0 for n in population):
        raise ValueError("every age band needs a positive population")
    o = float(sum(events))
    if o < 10:
        return None
    w = float(sum(weights))
    dsr = sum(wi * xi / ni for wi, xi, ni in zip(weights, events, population, strict=True)) / w
    var = sum(wi * wi * xi / (ni * ni) for wi, xi, ni in zip(weights, events, population, strict=True)) / (w * w)
    o_lo, o_hi = byar_interval(o, confidence)
    k = math.sqrt(var / o)
    return Interval(dsr * multiplier, (dsr + k * (o_lo - o)) * multiplier, (dsr + k * (o_hi - o)) * multiplier,
                    "dsr_dobson")


@dataclass(frozen=True)
class SiiResult:
    """Slope and relative index of inequality, PHE's convention, with the SII's interval and how it was made.

    ``fitted_most`` is the fitted value at x = 0 (the most deprived end), ``fitted_least`` at x = 1 (the least
    deprived end); SII = fitted_least - fitted_most and RII = fitted_least / fitted_most.
    """

    sii: float
    rii: float
    groups: int
    fitted_most: float = math.nan
    fitted_least: float = math.nan
    lower: float | None = None
    upper: float | None = None
    rii_lower: float | None = None
    rii_upper: float | None = None
    confidence: float = 0.95
    interval_method: str | None = None


#: Repetitions of PHE's simulation for the SII interval (PHEindicatormethods' default) and the fixed seed
#: that makes the interval reproducible from run to run.
SII_REPETITIONS = 100_000
SII_SEED = 20240401


def _ranks(populations: Sequence[float]) -> tuple[list[float], list[float]]:
    """Each group's relative rank (midpoint of its cumulative population share) and population share."""
    total = float(sum(populations))
    xs: list[float] = []
    cum = 0.0
    for p in populations:
        xs.append((cum + p / 2) / total)
        cum += p
    return xs, [p / total for p in populations]


def slope_index_of_inequality(values: Sequence[float], populations: Sequence[float],
                              se: Sequence[float] | None = None, lower: Sequence[float] | None = None,
                              upper: Sequence[float] | None = None, confidence: float = 0.95,
                              repetitions: int = SII_REPETITIONS, seed: int = SII_SEED) -> SiiResult:
    """SII and RII as Public Health England defines them (PHEindicatormethods ``phe_sii``), with an interval.

    ``values`` and ``populations`` are one per group, ordered from the MOST deprived (first) to the LEAST
    deprived (last). Each group sits at x = the midpoint of its cumulative population share, so x = 0 is
    the most deprived end and x = 1 the least; the line is fitted by population-weighted least squares
    (PHE's square-root transformation of the regression is the same fit). SII = fitted(1) - fitted(0):
    positive when values are higher in less deprived areas (life expectancy), negative when they are
    higher in more deprived areas (mortality). RII = fitted(1) / fitted(0), NaN where values are not all
    positive (a domain score centred on zero has no meaningful ratio).

    Interval for the SII: where each group's standard error is known (``se``, or ``lower``/``upper``
    limits at ``confidence``, from which se = (upper - lower) / (2 z)), PHE's simulation: every group's
    value is redrawn from a normal distribution with its standard error ``repetitions`` times and the SII
    and RII recomputed, taking the percentiles (seeded, so the answer is reproducible). Without standard
    errors, the regression's own standard error of the slope with a t distribution on groups - 2 degrees
    of freedom. ``interval_method`` says which was used.
    """
    if len(values) != len(populations) or len(values) < 3:
        raise ValueError("SII needs at least three groups with a value and a population each")
    if any(p <= 0 for p in populations):
        raise ValueError("every group needs a positive population")
    import numpy as np

    xs, w = _ranks(populations)
    x = np.asarray(xs)
    wt = np.asarray(w)
    y = np.asarray(values, dtype=float)
    mx = float(wt @ x)
    sxx = float(wt @ (x - mx) ** 2)
    coef = wt * (x - mx) / sxx                  # slope = coef @ y, linear in the values
    slope = float(coef @ y)
    at0 = float(wt @ y) - slope * mx
    at1 = at0 + slope
    # a ratio needs values on a ratio scale: not defined where the values or the fitted ends reach zero or below
    rii = at1 / at0 if at0 > 0 and at1 > 0 and min(values) > 0 else math.nan
    n = len(values)
    alpha = 1 - confidence
    if se is None and lower is not None and upper is not None:
        z = z_for(confidence)
        se = [(hi - lo) / (2 * z) for lo, hi in zip(lower, upper, strict=True)]
    if se is not None:
        sd = np.asarray(se, dtype=float)
        if sd.shape != y.shape or (sd < 0).any():
            raise ValueError("one non-negative standard error per group is needed")
        draws = np.random.default_rng(seed).normal(y, sd, size=(repetitions, n))
        slopes = draws @ coef
        starts = draws @ wt - slopes * mx
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = (starts + slopes) / starts
        lo_s, hi_s = (float(v) for v in np.quantile(slopes, [alpha / 2, 1 - alpha / 2]))
        lo_r, hi_r = ((float(v) for v in np.nanquantile(ratios, [alpha / 2, 1 - alpha / 2]))
                      if not math.isnan(rii) else (None, None))
        return SiiResult(slope, rii, n, at0, at1, lo_s, hi_s, lo_r, hi_r, confidence,
                         f"PHE simulation ({repetitions:,} repetitions from each group's standard error)")
    resid = y - (at0 + slope * x)
    scale = float(wt @ resid ** 2) / (n - 2)   # WLS residual scale; weights are shares, so sxx matches
    se_slope = math.sqrt(scale / sxx)
    t = float(_st.t.ppf(1 - alpha / 2, n - 2))
    return SiiResult(slope, rii, n, at0, at1, slope - t * se_slope, slope + t * se_slope, None, None, confidence,
                     f"regression standard error of the slope (t, {n - 2} degrees of freedom); "
                     "no group standard errors held")


def compare_with_england(lower: float | None, upper: float | None, england: float | None, polarity: str) -> str:
    """better / similar / worse (or higher / similar / lower for no-judgement indicators) by overlap.

    The area is "similar" when its interval contains England's value; otherwise its direction is
    read against the indicator's polarity. Without an interval or England value: "not compared".
    """
    if lower is None or upper is None or england is None:
        return "not compared"
    if lower <= england <= upper:
        return "similar"
    higher = lower > england
    if polarity == "high_is_good":
        return "better" if higher else "worse"
    if polarity == "low_is_good":
        return "worse" if higher else "better"
    return "higher" if higher else "lower"
