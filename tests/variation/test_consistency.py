"""Nested variance decomposition by hand, its exactness on random data, spread and the trend reading."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opmodel.variation import TrustValue, consistency_trend, decompose_period

HAND = [
    TrustValue("T1", "A", "A1", 8, 10), TrustValue("T2", "A", "A1", 6, 10), TrustValue("T3", "A", "A2", 5, 10),
    TrustValue("T4", "B", "B1", 2, 10), TrustValue("T5", "B", "B1", 4, 10),
]


def test_decomposition_by_hand() -> None:
    out = decompose_period(HAND, scale=100)
    assert out["pooled_trusts"] == pytest.approx(50.0)
    shares = {lvl: out["decomposition"][lvl]["share"] for lvl in ("region", "icb", "trust")}
    assert shares == pytest.approx({"region": 2 / 3, "icb": 2 / 15, "trust": 0.2})
    assert out["total_sum_of_squares"] == pytest.approx(2.0 * 100**2)
    assert out["decomposition"]["trust"]["sum_of_squares"] == pytest.approx(0.4 * 100**2)
    trust = out["spread"]["trust"]
    assert (trust["min"], trust["max"], trust["range"], trust["q1"], trust["q3"], trust["iqr"]) == \
        pytest.approx((20, 80, 60, 40, 60, 20))
    assert out["spread"]["region"]["range"] == pytest.approx(100 * (19 / 30 - 6 / 20))
    assert (out["regions"], out["icbs"], out["trusts"]) == (2, 3, 5)


def test_identical_values_have_no_variation_to_share() -> None:
    out = decompose_period([TrustValue(f"T{i}", "A", f"I{i % 2}", 8, 10) for i in range(4)])
    assert all(out["decomposition"][lvl]["share"] == 0 for lvl in ("region", "icb", "trust"))


def test_funnel_outliers_are_counted_by_region() -> None:
    rows = [TrustValue(f"T{i}", "Y56" if i < 6 else "Y58", f"I{i % 3}", 7600, 10000) for i in range(12)]
    rows[0] = TrustValue("LOW", "Y56", "I0", 6000, 10000)
    rows[7] = TrustValue("HIGH", "Y58", "I1", 9000, 10000)
    out = decompose_period(rows, scale=100, region_names={"Y56": "London"})
    by = {r["region"]: r for r in out["outliers_by_region"]}
    assert (by["Y56"]["low"], by["Y56"]["high"], by["Y56"]["low_trusts"]) == (1, 0, ["LOW"])
    assert (by["Y58"]["high"], by["Y58"]["high_trusts"], by["Y56"]["region_name"]) == (1, ["HIGH"], "London")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABC"), st.integers(0, 3), st.integers(0, 100), st.integers(1, 100)),
                min_size=2, max_size=30))
def test_the_three_shares_add_up_to_the_total(data: list[tuple[str, int, int, int]]) -> None:
    rows = [TrustValue(f"T{i}", r, f"{r}{c}", min(n, d), d) for i, (r, c, n, d) in enumerate(data)]
    out = decompose_period(rows)
    parts = sum(out["decomposition"][lvl]["sum_of_squares"] for lvl in ("region", "icb", "trust"))
    assert parts == pytest.approx(out["total_sum_of_squares"], rel=1e-9, abs=1e-12)


def test_trend_reads_converging_or_diverging_from_trust_iqr() -> None:
    wide = decompose_period(HAND, scale=100)
    narrow = decompose_period([TrustValue(t.code, t.region, t.icb, (t.numerator + 5) / 2, t.denominator)
                               for t in HAND], scale=100)
    d1, d2 = dt.date(2024, 6, 1), dt.date(2024, 7, 1)
    down = consistency_trend([(d1, wide), (d2, narrow)])
    assert down["reading"] == "converging" and down["trust_iqr_change"] == pytest.approx(-10.0)
    assert consistency_trend([(d1, narrow), (d2, wide)])["reading"] == "diverging"
    assert consistency_trend([(d1, wide), (d2, wide)])["reading"] == "stable"
    assert consistency_trend([(d1, wide)])["reading"] == "one period only"
