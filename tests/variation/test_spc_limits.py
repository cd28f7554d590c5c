"""XmR limits: the reference vector from the ecosystem notes, baselines, rebasing and trial limits."""

from __future__ import annotations

import itertools
import statistics

import numpy as np
import pytest

from opmodel.variation import SpcError, xmr_limits

NOTES_VECTOR = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def test_notes_vector_unscreened_matches_mdc_excel() -> None:
    (lim,) = xmr_limits(NOTES_VECTOR, screen=False)
    assert round(lim.mean, 2) == 1.94
    assert round(lim.upper, 2) == 6.95
    assert round(lim.lower, 2) == -3.06
    assert lim.screened_ranges == 0


def test_notes_vector_screened_matches_nhsrplotthedots() -> None:
    (lim,) = xmr_limits(NOTES_VECTOR, screen=True)
    assert round(lim.upper, 2) == 4.60
    assert round(lim.lower, 2) == -0.72
    assert lim.screened_ranges == 2  # the ranges 8 and 9 around the spike
    assert lim.mr_bar == pytest.approx(1.0)


def test_two_sigma_and_mr_lines_use_the_documented_factors() -> None:
    (lim,) = xmr_limits(NOTES_VECTOR)
    mr_bar = statistics.mean(abs(b - a) for a, b in itertools.pairwise(NOTES_VECTOR))
    assert lim.mr_bar == pytest.approx(mr_bar)
    assert lim.upper_2sigma == pytest.approx(lim.mean + 2 / 3 * 2.66 * mr_bar)
    assert lim.lower_2sigma == pytest.approx(lim.mean - 1.7733 * mr_bar, abs=1e-3)
    assert lim.mr_upper == pytest.approx(3.267 * mr_bar)


def test_baseline_fixes_limits_on_the_first_points() -> None:
    x = [10, 12, 11, 13, 12, 11, 10, 12, 11, 12, 13, 11, 30, 31, 29]
    (lim,) = xmr_limits(x, baseline=12)
    base = x[:12]
    assert lim.mean == pytest.approx(statistics.mean(base))
    assert lim.mr_bar == pytest.approx(statistics.mean(abs(b - a) for a, b in itertools.pairwise(base)))
    assert lim.baseline_points == 12 and not lim.trial
    assert (lim.start, lim.end) == (0, 15)


def test_rebase_restarts_limits_and_trial_flag_below_twelve() -> None:
    x = [*list(range(1, 15)), 50, 52, 51, 53, 52]
    first, second = xmr_limits(x, breaks=[14])
    assert (first.start, first.end, second.start, second.end) == (0, 14, 14, 19)
    assert first.mean == pytest.approx(7.5) and not first.trial
    assert second.mean == pytest.approx(51.6) and second.trial
    assert second.mr_bar == pytest.approx((2 + 1 + 2 + 1) / 4)


def test_constant_series_gives_zero_width_limits_even_when_screening() -> None:
    (lim,) = xmr_limits([5.0] * 13, screen=True)
    assert lim.upper == lim.lower == 5.0


@pytest.mark.parametrize(("values", "kwargs", "fragment"), [
    ([1.0], {}, "at least 2 points"),
    ([1.0, np.nan, 2.0], {}, "finite"),
    ([1.0, 2.0, 3.0], {"breaks": [0]}, "rebase"),
    ([1.0, 2.0, 3.0], {"breaks": [2]}, "at least 2 points"),
    ([1.0, 2.0, 3.0], {"baseline": 1}, "baseline"),
])
def test_bad_series_are_refused_with_a_reason(values: list[float], kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(SpcError, match=fragment):
        xmr_limits(values, **kwargs)  # type: ignore[arg-type]
