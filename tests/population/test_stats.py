"""Statistics pinned to formula test vectors (ecosystem notes §3) and to the published Fingertips intervals."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from opmodel.population import (
    ESP2013,
    byar_interval,
    compare_with_england,
    crude_rate,
    dsr_dobson,
    exact_poisson_interval,
    slope_index_of_inequality,
    wilson_interval,
)
from opmodel.population.stats import z_for
from tests.conftest import SHARED_DATA
from tests.population.fingertips_check import recompute

SAMPLE = SHARED_DATA / "fingertips-sample-nw" / "fingertips_healthdata_sample_nw_2018-2024.csv"


def test_z_values_and_standard_population() -> None:
    assert z_for(0.95) == pytest.approx(1.95996, abs=1e-5)
    assert z_for(0.998) == pytest.approx(3.0902, abs=1e-4)
    assert len(ESP2013) == 19 and sum(ESP2013) == 100_000


def test_wilson_vectors() -> None:
    w = wilson_interval(65, 100)
    assert w.lower == pytest.approx(55.257, abs=0.01) and w.upper == pytest.approx(73.64, abs=0.01)
    # England QOF diabetes prevalence 2018 (the check value in the sample's PROVENANCE.md)
    e = wilson_interval(3319266, 47886072)
    assert (round(e.value, 4), round(e.lower, 4), round(e.upper, 4)) == (6.9316, 6.9244, 6.9388)
    zero = wilson_interval(0, 10)
    assert zero.lower == pytest.approx(0.0, abs=1e-12) and zero.upper > 0
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_byar_and_exact_poisson_vectors() -> None:
    lo, hi = byar_interval(100)
    assert (round(lo, 2), round(hi, 2)) == (81.36, 121.63)
    assert [round(x, 4) for x in exact_poisson_interval(5)] == [1.6235, 11.6683]
    assert exact_poisson_interval(0)[0] == 0.0
    assert crude_rate(5, 100_000).method == "exact_poisson" and crude_rate(10, 100_000).method == "byar"


def test_dsr_dobson() -> None:
    pop = [10_000.0] * 19
    events = [20.0] * 19   # the same rate in every band: the DSR is that rate
    d = dsr_dobson(events, pop)
    assert d is not None and d.value == pytest.approx(200.0)
    lo, hi = byar_interval(sum(events))
    flat = dsr_dobson(events, pop, weights=[1.0] * 19)
    # equal rates, populations and weights: Dobson reduces to the crude Byar interval
    assert flat is not None
    assert flat.lower == pytest.approx(lo / sum(pop) * 1e5) and flat.upper == pytest.approx(hi / sum(pop) * 1e5)
    assert d.lower < 200 < d.upper and d.upper - d.lower > flat.upper - flat.lower
    assert dsr_dobson([0.5] * 19, pop) is None   # fewer than 10 events: suppressed, as PHE does
    older = dsr_dobson([1.0] * 15 + [50.0] * 4, pop)
    assert older is not None and older.lower < older.value < older.upper


def test_sii_rii_on_a_straight_line() -> None:
    # ten equal deciles, value falling by 1 per decile from most (index 0) to least deprived
    values = [20.0 - i for i in range(10)]
    s = slope_index_of_inequality(values, [1.0] * 10)
    # PHE: x = 0 is the most deprived end, SII = fitted(1) - fitted(0), RII = fitted(1) / fitted(0)
    assert s.sii == pytest.approx(-10.0) and s.rii == pytest.approx(10.5 / 20.5)
    assert (s.fitted_most, s.fitted_least) == (pytest.approx(20.5), pytest.approx(10.5))
    assert s.groups == 10
    assert s.lower == pytest.approx(-10.0) and s.upper == pytest.approx(-10.0)   # a perfect line: no residual


#: Life expectancy by deprivation decile, most deprived first (the worked example of issue 24).
LE_DECILES = [76.0, 77.2, 78.3, 79.1, 79.6, 80.1, 80.7, 81.6, 82.8, 84.1]


def test_sii_worked_example_phe_sign_convention() -> None:
    s = slope_index_of_inequality(LE_DECILES, [1.0] * 10)
    assert round(s.sii, 2) == 8.12 and round(s.rii, 3) == 1.107
    assert s.sii > 0 and s.fitted_least > s.fitted_most   # life expectancy is higher where deprivation is lower
    # reversing the order of the groups flips the sign: the order (most deprived first) is the convention
    r = slope_index_of_inequality(LE_DECILES[::-1], [1.0] * 10)
    assert round(r.sii, 2) == -8.12 and round(r.rii, 3) == round(1 / 1.107, 3)


def test_sii_interval_regression_standard_error() -> None:
    """Without group standard errors: the slope's standard error, t on groups - 2 df (hand-checked)."""
    s = slope_index_of_inequality(LE_DECILES, [1.0] * 10)
    assert s.interval_method is not None and s.interval_method.startswith("regression standard error")
    import numpy as np
    from scipy import stats

    x = np.arange(10) * 0.1 + 0.05
    fit = stats.linregress(x, LE_DECILES)   # equal populations: ordinary least squares
    t = stats.t.ppf(0.975, 8)
    assert s.lower == pytest.approx(fit.slope - t * fit.stderr) and s.upper == pytest.approx(fit.slope + t * fit.stderr)


def test_sii_interval_phe_simulation_from_group_limits() -> None:
    lower = [v - 0.6 for v in LE_DECILES]
    upper = [v + 0.6 for v in LE_DECILES]
    s = slope_index_of_inequality(LE_DECILES, [1.0] * 10, lower=lower, upper=upper, repetitions=20_000)
    assert s.interval_method is not None and s.interval_method.startswith("PHE simulation (20,000")
    assert s.lower is not None and s.upper is not None and s.lower < s.sii < s.upper
    # analytic check: var(SII) = sum(c_i^2 se_i^2) for the linear weights c_i of the slope
    se = 0.6 / 1.959964
    x = [0.05 + 0.1 * i for i in range(10)]
    sxx = sum((xi - 0.5) ** 2 for xi in x) / 10
    sd = se * (sum(((xi - 0.5) / 10 / sxx) ** 2 for xi in x)) ** 0.5
    assert s.upper - s.lower == pytest.approx(2 * 1.959964 * sd, rel=0.03)
    again = slope_index_of_inequality(LE_DECILES, [1.0] * 10, lower=lower, upper=upper, repetitions=20_000)
    assert (again.lower, again.upper) == (s.lower, s.upper)   # seeded: reproducible
    assert s.rii_lower is not None and s.rii_lower < s.rii < (s.rii_upper or 0)


def test_sii_rejects_too_few_or_empty_groups() -> None:
    with pytest.raises(ValueError, match="three groups"):
        slope_index_of_inequality([1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="positive population"):
        slope_index_of_inequality([1.0, 2.0, 3.0], [1.0, 0.0, 1.0])


@pytest.mark.parametrize(("lo", "hi", "eng", "pol", "want"), [
    (1, 2, 1.5, "high_is_good", "similar"), (2, 3, 1.5, "high_is_good", "better"),
    (2, 3, 1.5, "low_is_good", "worse"), (0, 1, 1.5, "low_is_good", "better"),
    (2, 3, 1.5, "no_judgement", "higher"), (None, None, 1.5, "no_judgement", "not compared")])
def test_compare_with_england(lo: float | None, hi: float | None, eng: float, pol: str, want: str) -> None:
    assert compare_with_england(lo, hi, eng, pol) == want


def test_recomputed_intervals_match_published(capsys: pytest.CaptureFixture[str]) -> None:
    """Every row where Wilson or Byar applies matches LowerCI/UpperCI to 0.01, except documented indicators."""
    rep = recompute(Path(SAMPLE))
    with capsys.disabled():
        print(f"\nFingertips sample: matched {dict(rep.matched)}; exceptions {dict(rep.exceptions)}; "
              f"not applicable {dict(rep.not_applicable)}")
    assert rep.matched["wilson"] > 4000 and rep.matched["byar"] > 1000 and rep.matched["exact_poisson"] > 100
    # docs/decisions.md (population): 92904 (2018-19) publishes Byar on a count within 2 of the one shown;
    # 93124 publishes the count's interval, not the rate's; 93701 and 94103 use other methods
    # (modelled or survey-based intervals).
    assert {ind for _, ind in rep.exceptions} <= {"92904", "93124", "93701", "94103"}


def test_documented_exceptions_are_what_we_say() -> None:
    import csv
    with SAMPLE.open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["IndicatorId"] in ("92904", "93124") and r["Count"]
                and r["LowerCI"] and r["Denominator"]]
    off_by_one = [r for r in rows if r["IndicatorId"] == "92904"
                  and not math.isclose(crude_rate(float(r["Count"]), float(r["Denominator"])).lower,
                                       float(r["LowerCI"]), abs_tol=0.01)]
    # 2018 and 2019 only, and each interval is Byar's on a count within 2 of the published one
    assert off_by_one and {r["Year"] for r in off_by_one} == {"2018", "2019"}
    assert all(any(math.isclose(crude_rate(float(r["Count"]) + k, float(r["Denominator"])).lower,
                                float(r["LowerCI"]), abs_tol=0.01) for k in (-2, -1, 1, 2)) for r in off_by_one)
    count_scale = [r for r in rows if r["IndicatorId"] == "93124" and float(r["LowerCI"]) > float(r["Value"])]
    assert count_scale and all(
        math.isclose(exact_poisson_interval(float(r["Count"]))[0], float(r["LowerCI"]), abs_tol=0.01)
        for r in count_scale if float(r["Count"]) < 10)
