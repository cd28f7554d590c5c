"""Per-rule vectors in the style of NHSRplotthedots' tests, and precedence in both presets."""

from __future__ import annotations

import numpy as np
import pytest

from opmodel.variation import SpcError, XmrLimits, astronomical, evaluate_rules, get_preset, shift, trend, two_in_three


def lims(mean: float = 0.0, mr_bar: float = 1.0) -> XmrLimits:
    return XmrLimits(start=0, end=0, mean=mean, mr_bar=mr_bar, baseline_points=20, screened_ranges=0, trial=False)


def arr(*v: float) -> np.ndarray:
    return np.array(v, dtype=np.float64)


def test_shift_flags_every_point_of_a_run_of_seven_or_more() -> None:
    # NHSRplotthedots: seven_point_one_side_mean(c(rep(1, 8), -1)) marks the run; all 8 points are flagged.
    assert shift(arr(*[1] * 8, -1), 0.0, 7).tolist() == [1] * 8 + [0]
    assert shift(arr(*[-2] * 7), 0.0, 7).tolist() == [-1] * 7


def test_shift_of_six_needs_the_setting_and_a_point_on_the_mean_breaks_the_run() -> None:
    six = arr(1, 1, 1, 1, 1, 1, -1)
    assert shift(six, 0.0, 7).tolist() == [0] * 7
    assert shift(six, 0.0, 6).tolist() == [1] * 6 + [0]
    broken = arr(1, 1, 1, 0, 1, 1, 1, 1)
    assert not shift(broken, 0.0, 7).any()


def test_trend_of_seven_rising_or_falling_and_ties_break_it() -> None:
    assert trend(arr(1, 2, 3, 4, 5, 6, 7), 7).tolist() == [1] * 7
    assert trend(arr(9, 7, 6, 5, 4, 3, 2, 8), 7).tolist() == [-1] * 7 + [0]
    assert not trend(arr(1, 2, 3, 3, 4, 5, 6, 7), 7).any()  # a tie breaks the trend
    assert not trend(arr(1, 2, 3, 4, 5, 6), 7).any()  # six points are not enough
    assert trend(arr(1, 2, 3, 4, 5, 6), 6).tolist() == [1] * 6


def test_trend_is_flagged_whichever_side_of_the_mean() -> None:
    x = arr(-3, -2, -1, 0.5, 1, 2, 3)
    outcome = evaluate_rules(x, lims(mean=0.0, mr_bar=10.0), get_preset("mdc"), improvement=1)
    assert outcome.rule == ["trend"] * 7
    assert outcome.sign == [1] * 7


def test_astronomical_is_strictly_beyond_the_limits() -> None:
    lim = lims()
    assert astronomical(arr(lim.upper, lim.upper + 0.01, lim.lower - 0.01, 0), lim).tolist() == [0, 1, -1, 0]


def test_two_in_three_flags_only_the_points_beyond_two_sigma_on_one_side() -> None:
    lim = lims()  # 2-sigma at ±1.773, limits at ±2.66
    assert two_in_three(arr(0.1, 2.0, 0.5, 2.2, 0.1), lim, "beyond_2sigma").tolist() == [0, 1, 0, 1, 0]
    assert two_in_three(arr(-2.0, -2.1, -0.3), lim, "beyond_2sigma").tolist() == [-1, -1, 0]


def test_two_in_three_needs_all_three_points_on_the_same_side() -> None:
    assert not two_in_three(arr(2.0, -0.5, 2.2), lims(), "beyond_2sigma").any()


def test_two_in_three_counts_beyond_three_sigma_in_mdc_but_not_nhsrplotthedots() -> None:
    x = arr(0.5, 2.0, 0.5, 3.0)
    assert two_in_three(x, lims(), "beyond_2sigma").tolist() == [0, 1, 0, 1]
    assert not two_in_three(x, lims(), "band_2to3sigma").any()


def test_astronomical_takes_precedence_over_a_shift() -> None:
    x = arr(1, 1, 1, 5, 1, 1, 1)
    outcome = evaluate_rules(x, lims(mean=0.0), get_preset("nhsrplotthedots"), improvement=1)
    assert outcome.rule[3] == "astronomical"
    assert outcome.fired[3] == ["astronomical", "shift"]
    assert outcome.rule[0] == "shift"


def test_conflicting_rules_mdc_shows_improvement_nhsrplotthedots_lets_trend_win() -> None:
    # Seven falling points all above the mean: shift high (improvement when higher is better) and trend down.
    x = arr(7, 6, 5, 4, 3, 2, 1)
    mdc = evaluate_rules(x, lims(mean=0.0, mr_bar=10.0), get_preset("mdc"), improvement=1)
    nhsr = evaluate_rules(x, lims(mean=0.0, mr_bar=10.0), get_preset("nhsrplotthedots"), improvement=1)
    assert mdc.rule == ["shift"] * 7 and mdc.sign == [1] * 7
    assert nhsr.rule == ["trend"] * 7 and nhsr.sign == [-1] * 7
    # When lower is better the same pattern reads the other way in mdc: the falling trend is the improvement.
    low = evaluate_rules(x, lims(mean=0.0, mr_bar=10.0), get_preset("mdc"), improvement=-1)
    assert low.rule == ["trend"] * 7


def test_rules_that_need_more_points_are_reported_not_silently_skipped() -> None:
    outcome = evaluate_rules(arr(1, 2, 1, 2, 1), lims(mean=1.5), get_preset("mdc"), improvement=1)
    assert outcome.not_evaluated == ["shift", "trend"]


def test_preset_settings_are_as_documented() -> None:
    mdc, nhsr = get_preset("mdc"), get_preset("nhsrplotthedots")
    assert (mdc.shift, mdc.trend, mdc.two_in_three, mdc.screen_outliers) == (7, 7, "beyond_2sigma", False)
    assert (nhsr.shift, nhsr.trend, nhsr.two_in_three, nhsr.screen_outliers) == (7, 7, "band_2to3sigma", True)
    assert nhsr.precedence == ("astronomical", "trend", "two_in_three", "shift")
    assert mdc.with_(trend=6).trend == 6 and mdc.with_(trend=6).name == "mdc"
    with pytest.raises(SpcError, match="precedence"):
        mdc.with_(precedence=("shift",))
    with pytest.raises(SpcError, match="at least 2 points"):
        mdc.with_(shift=1)
