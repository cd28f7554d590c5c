"""Colour scales: diverging around England for measures with a direction, sequential otherwise."""

from __future__ import annotations

import pytest

from opmodel.maps import scale_for
from opmodel.maps.scales import DIVERGING, SEQUENTIAL, diverging_scale, nice_step, sequential_scale


@pytest.mark.parametrize(("span", "classes", "step"), [(10, 3, 5.0), (9, 3, 5.0), (6, 3, 2.0), (0.7, 3, 0.25),
                                                       (28, 3, 10.0), (72, 3, 25.0), (0, 3, 1.0)])
def test_nice_steps(span: float, classes: int, step: float) -> None:
    assert nice_step(span, classes) == step


def test_diverging_is_centred_on_england_and_points_the_right_way() -> None:
    high = diverging_scale([60.0, 70.0, 80.0, 90.0], 75.0, higher_is_better=True)
    assert high.kind == "diverging" and high.breaks[2] == 75.0
    assert high.colour(90.0) == DIVERGING[-1]  # far better: darkest blue
    assert high.colour(60.0) == DIVERGING[0]  # far worse: darkest red
    assert high.colour(76.0) == DIVERGING[3] and high.colour(74.0) == DIVERGING[2]
    assert high.colour(75.0) == DIVERGING[3]  # a value on a break belongs to the class above it
    low = diverging_scale([60.0, 70.0, 80.0, 90.0], 75.0, higher_is_better=False)
    assert low.colour(90.0) == DIVERGING[0]  # a high value of a low-is-good measure is worse: red
    assert (low.low_label, low.high_label) == ("better", "worse")
    assert low.position(75.0) == pytest.approx(0.5)


def test_each_side_has_its_own_step_so_a_share_stays_within_100() -> None:
    sc = diverging_scale([0.0, 50.0, 100.0], 72.0, higher_is_better=False)
    assert sc.breaks == (22.0, 47.0, 72.0, 82.0, 92.0)
    assert max(sc.breaks) <= 100


def test_sequential_covers_every_value_in_round_classes() -> None:
    values = [11.3, 12.8, 14.9, 17.2, 18.6]
    sc = sequential_scale(values)
    assert sc.kind == "sequential" and sc.colours == SEQUENTIAL
    assert sc.low <= min(values) and sc.high >= max(values)
    assert all(float(b).is_integer() for b in sc.breaks)
    assert sc.colour(min(values)) == SEQUENTIAL[0] and sc.colour(max(values)) == SEQUENTIAL[-1]


def test_polarity_chooses_the_scale() -> None:
    assert scale_for([1.0, 2.0], "no_judgement", 1.5).kind == "sequential"
    assert scale_for([1.0, 2.0], "high_is_good", 1.5).kind == "diverging"
    assert scale_for([1.0, 2.0], "high_is_good", None).kind == "sequential"  # nothing to centre on


def test_legend_labels_have_the_decimals_their_steps_need() -> None:
    from opmodel.maps.svg import TickFormat

    assert TickFormat([5.0, 5.0]).decimals == 0
    assert TickFormat([2.5, 10.0]).decimals == 1
    assert TickFormat([0.25]).decimals == 2
    assert TickFormat([5.0], decimals=1)(76.4) == "76.4"
    assert TickFormat([1000.0])(12345.0) == "12,345"


def test_a_share_legend_never_labels_an_impossible_value() -> None:
    """ICB shares of SHMI outliers (England 7.7%, ICBs 0–50%): round steps would reach -2.3% and 107.7%."""
    from opmodel.maps.scales import scale_for

    values = [0.0, 0.0, 5.0, 12.5, 33.3, 50.0]
    loose = scale_for(values, "low_is_good", 7.7)
    assert loose.low < 0 or loose.breaks[0] < 0  # what the steps alone give
    sc = scale_for(values, "low_is_good", 7.7, floor=0.0, ceiling=100.0)
    assert sc.low == 0.0 and all(0.0 < b < 100.0 for b in sc.breaks) and sc.high <= 100.0
    assert len(sc.colours) == len(sc.breaks) + 1 and 7.7 in sc.breaks  # still centred on England
    assert all(sc.colour(v) in sc.colours for v in values)
