"""Funnel limits pinned against independently computed exact quantiles, with and without over-dispersion."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from scipy import stats

from opmodel.variation import (
    FunnelError,
    FunnelUnit,
    binomial_limit,
    estimate_overdispersion,
    funnel_analysis,
    poisson_limit,
    winsorise,
)


def spiegelhalter_binomial(theta: float, n: int, p: float) -> float:
    """Exact binomial limit with interpolation, by summing the pmf with math.comb (no scipy)."""
    cdf_prev, cdf = 0.0, 0.0
    for r in range(n + 1):
        cdf_prev, cdf = cdf, cdf + math.comb(n, r) * theta**r * (1 - theta) ** (n - r)
        if cdf >= p:
            return max(r - (cdf - p) / (cdf - cdf_prev), 0.0) / n
    return 1.0


def spiegelhalter_poisson(expected: float, p: float) -> float:
    cdf_prev, cdf, r = 0.0, 0.0, 0
    while True:
        cdf_prev, cdf = cdf, cdf + math.exp(-expected) * expected**r / math.factorial(r)
        if cdf >= p:
            return max(r - (cdf - p) / (cdf - cdf_prev), 0.0)
        r += 1


@pytest.mark.parametrize("n", [20, 50, 137, 400])
@pytest.mark.parametrize("p", [0.001, 0.025, 0.975, 0.999])
def test_binomial_limits_match_hand_summed_quantiles(n: int, p: float) -> None:
    theta = 0.76
    got = float(binomial_limit(theta, [n], p)[0])
    assert got == pytest.approx(spiegelhalter_binomial(theta, n, p), rel=1e-9)
    r = stats.binom.ppf(p, n, theta)  # the exact quantile brackets the interpolated limit
    assert (r - 1) / n <= got <= r / n


@pytest.mark.parametrize("expected", [3.0, 12.5, 80.0])
@pytest.mark.parametrize("p", [0.001, 0.025, 0.975, 0.999])
def test_poisson_limits_match_hand_summed_quantiles(expected: float, p: float) -> None:
    got = float(poisson_limit([expected], p)[0])
    assert got == pytest.approx(spiegelhalter_poisson(expected, p), rel=1e-9)
    r = stats.poisson.ppf(p, expected)
    assert r - 1 <= got <= r


def test_large_denominators_approach_the_normal_limits() -> None:
    theta, n = 0.8, 20000
    z = stats.norm.ppf(0.999)
    assert float(binomial_limit(theta, [n], 0.999)[0]) == pytest.approx(
        theta + z * math.sqrt(theta * (1 - theta) / n), abs=2e-4)


def units() -> list[FunnelUnit]:
    dens = [150, 400, 800, 1200, 2500, 3000, 5000, 7000, 9000, 12000, 15000, 20000]
    rates = [0.70, 0.85, 0.78, 0.74, 0.83, 0.71, 0.79, 0.76, 0.81, 0.77, 0.66, 0.80]
    return [FunnelUnit(code=f"T{i:02d}", numerator=round(r * d), denominator=d, group="Y56" if i % 2 else "Y58")
            for i, (d, r) in enumerate(zip(dens, rates, strict=True))]


def test_proportion_funnel_target_limits_and_flags() -> None:
    us = units()
    res = funnel_analysis(us, kind="proportion", scale=100)
    theta = sum(u.numerator for u in us) / sum(u.denominator for u in us)
    assert res.target == pytest.approx(theta)
    for pt in res.points:
        n = int(pt.unit.denominator)
        assert pt.limits["upper_998"] == pytest.approx(100 * spiegelhalter_binomial(theta, n, 0.999), rel=1e-9) \
            if n <= 800 else pt.limits["upper_998"] > pt.limits["upper_95"]
        lo, hi = pt.limits["lower_998"], pt.limits["upper_998"]
        assert pt.outlier == ("high" if pt.value > hi else "low" if pt.value < lo else None)
    flagged = {p.unit.code: p.outlier for p in res.points if p.outlier}
    assert flagged == {"T01": "high", "T04": "high", "T05": "low", "T06": "high", "T08": "high", "T10": "low",
                       "T11": "high"}
    t09 = next(p for p in res.points if p.unit.code == "T09")  # 77% of 12,000: beyond 95% only
    assert t09.flag_95 == "high" and t09.outlier is None
    d = res.to_json()
    assert d["target"] == pytest.approx(100 * theta)
    assert {"denominator", "lower_95", "upper_95", "lower_998", "upper_998"} <= set(d["limits"][0])
    assert all(c["lower_998"] <= c["lower_95"] <= d["target"] <= c["upper_95"] <= c["upper_998"] for c in d["limits"])


def test_overdispersion_by_hand() -> None:
    us = units()
    num = np.array([u.numerator for u in us], dtype=float)
    den = np.array([u.denominator for u in us], dtype=float)
    theta = num.sum() / den.sum()
    y, s, t = np.arcsin(np.sqrt(num / den)), 1 / (2 * np.sqrt(den)), math.asin(math.sqrt(theta))
    z = sorted(((y - t) / s).tolist())
    q = statistics.quantiles(z, n=10, method="inclusive")  # same interpolation as R type 7
    zw = [min(max(v, q[0]), q[-1]) for v in z]
    phi = sum(v * v for v in zw) / len(zw)
    w = 1 / s**2
    tau2 = (len(zw) * phi - (len(zw) - 1)) / (w.sum() - (w**2).sum() / w.sum())
    od = estimate_overdispersion(y, s, t)
    assert od.phi == pytest.approx(phi) and od.tau2 == pytest.approx(tau2) and od.detected
    res = funnel_analysis(us, kind="proportion", scale=100, overdispersion=True)
    assert res.adjusted
    big = next(p for p in res.points if p.unit.code == "T11")
    want = 100 * math.sin(t + stats.norm.ppf(0.999) * math.sqrt(1 / (4 * 20000) + tau2)) ** 2
    assert big.limits["upper_998"] == pytest.approx(want)
    plain = funnel_analysis(us, kind="proportion", scale=100)
    assert sum(p.outlier is not None for p in res.points) < sum(p.outlier is not None for p in plain.points)


def test_no_overdispersion_keeps_exact_limits() -> None:
    dens = [500, 1000, 2000, 4000, 8000]
    us = [FunnelUnit(f"U{i}", numerator=round(0.8 * d), denominator=d) for i, d in enumerate(dens)]
    res = funnel_analysis(us, overdispersion=True)
    assert res.overdispersion is not None and res.overdispersion.tau2 == 0 and not res.adjusted
    assert res.points[0].limits["upper_998"] == pytest.approx(float(binomial_limit(0.8, [500], 0.999)[0]))
    assert any("unstable" in w for w in res.warnings)


def test_rate_funnel_uses_poisson_and_square_root_overdispersion() -> None:
    exposure = [1000.0, 5000.0, 20000.0, 40000.0, 3000.0, 9000.0]
    events = [1.0, 9.0, 30.0, 130.0, 2.0, 14.0]
    us = [FunnelUnit(f"R{i}", e, x) for i, (e, x) in enumerate(zip(events, exposure, strict=True))]
    res = funnel_analysis(us, kind="rate", scale=1000)
    theta = sum(events) / sum(exposure)
    first = res.points[0]
    assert first.limits["upper_998"] == pytest.approx(1000 * spiegelhalter_poisson(theta * 1000, 0.999) / 1000)
    assert next(p for p in res.points if p.unit.code == "R3").outlier == "high"  # 130 events where about 95 expected
    od = funnel_analysis(us, kind="rate", scale=1000, overdispersion=True)
    assert od.overdispersion is not None and od.adjusted
    e3 = theta * 40000
    want = 1000 * theta * (1 + stats.norm.ppf(0.999) * math.sqrt(1 / (4 * e3) + od.overdispersion.tau2)) ** 2
    assert od.points[3].limits["upper_998"] == pytest.approx(want)


def test_winsorise_clamps_tails_and_keeps_count() -> None:
    z = np.arange(11, dtype=float)
    assert winsorise(z).tolist() == [1.0, 1.0, *range(2, 9), 9.0, 9.0]


@pytest.mark.parametrize(("unit", "fragment"), [
    (FunnelUnit("Z1", 0, 0), "positive denominator"),
    (FunnelUnit("Z2", 12, 10), "exceeds denominator"),
    (FunnelUnit("Z3", -1, 10), "negative"),
])
def test_bad_units_are_named(unit: FunnelUnit, fragment: str) -> None:
    with pytest.raises(FunnelError, match=f"{unit.code}: .*{fragment}"):
        funnel_analysis([FunnelUnit("OK", 5, 10), unit])
