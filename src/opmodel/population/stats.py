"""Public-health statistics the way Fingertips computes them (methodology: ecosystem notes §3).

Wilson score intervals for proportions, Byar's approximation (exact Poisson below 10 events)
for counts and rates, directly standardised rates with Dobson intervals, the slope and relative
indices of inequality, and comparison with England by interval overlap. Pure functions on floats,
so they can be pinned to the published test vectors and to the published ``LowerCI``/``UpperCI``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats as _st

__all__ = [
    "ESP2013",
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
    """Slope index of inequality (most minus least deprived, fitted) and relative index."""

    sii: float
    rii: float
    groups: int


def slope_index_of_inequality(values: Sequence[float], populations: Sequence[float]) -> SiiResult:
    """SII/RII across deprivation groups ordered most to least deprived.

    Each group sits at the midpoint of its cumulative population share; a population-weighted
    least-squares line gives the fitted values at 0 (most deprived) and 1 (least deprived).
    SII = fitted(0) - fitted(1), so a positive SII means higher values where deprivation is greater;
    RII = fitted(0) / fitted(1).
    """
    if len(values) != len(populations) or len(values) < 3:
        raise ValueError("SII needs at least three groups with a value and a population each")
    total = float(sum(populations))
    xs: list[float] = []
    cum = 0.0
    for p in populations:
        xs.append((cum + p / 2) / total)
        cum += p
    w = [p / total for p in populations]
    mx = sum(wi * x for wi, x in zip(w, xs, strict=True))
    my = sum(wi * y for wi, y in zip(w, values, strict=True))
    sxx = sum(wi * (x - mx) ** 2 for wi, x in zip(w, xs, strict=True))
    sxy = sum(wi * (x - mx) * (y - my) for wi, x, y in zip(w, xs, values, strict=True))
    slope = sxy / sxx
    at0 = my - slope * mx
    at1 = at0 + slope
    return SiiResult(sii=at0 - at1, rii=(at0 / at1) if at1 else math.nan, groups=len(values))


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
