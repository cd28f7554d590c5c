"""Point types, the variation icon (last point) and the assurance icon (latest limits against a target)."""

from __future__ import annotations

import pytest

from opmodel.variation import SpcError, XmrLimits, assurance_icon, point_type, variation_icon
from opmodel.variation.icons import improvement_sign


def lims(mean: float = 80.0, mr_bar: float = 2.0) -> XmrLimits:  # limits 74.68 to 85.32
    return XmrLimits(start=0, end=20, mean=mean, mr_bar=mr_bar, baseline_points=20, screened_ranges=0, trial=False)


@pytest.mark.parametrize(("sign", "improvement", "kind", "icon"), [
    (0, 1, "common_cause", "common_cause"),
    (1, 1, "special_cause_improvement", "improvement_high"),
    (-1, 1, "special_cause_concern", "concern_low"),
    (1, -1, "special_cause_concern", "concern_high"),
    (-1, -1, "special_cause_improvement", "improvement_low"),
    (1, 0, "special_cause_neutral_high", "neither_high"),
    (-1, 0, "special_cause_neutral_low", "neither_low"),
])
def test_point_type_and_variation_icon(sign: int, improvement: int, kind: str, icon: str) -> None:
    assert point_type(sign, improvement) == kind
    assert variation_icon(sign, improvement) == icon


@pytest.mark.parametrize(("target", "improvement", "icon"), [
    (70.0, 1, "consistently_pass"),
    (90.0, 1, "consistently_fail"),
    (80.0, 1, "hit_and_miss"),
    (90.0, -1, "consistently_pass"),
    (70.0, -1, "consistently_fail"),
])
def test_assurance_icon_by_direction(target: float, improvement: int, icon: str) -> None:
    assert assurance_icon(lims(), target, improvement) == icon


def test_a_target_exactly_on_a_limit_is_hit_and_miss() -> None:
    lim = lims()
    assert assurance_icon(lim, lim.lower, 1) == "hit_and_miss"
    assert assurance_icon(lim, lim.upper, 1) == "hit_and_miss"
    assert assurance_icon(lim, lim.upper, -1) == "hit_and_miss"


def test_neutral_metric_gets_no_assurance_and_unknown_direction_is_an_error() -> None:
    with pytest.raises(SpcError, match="neutral"):
        assurance_icon(lims(), 80.0, 0)
    with pytest.raises(SpcError, match="no improvement direction"):
        improvement_sign(None)
    assert improvement_sign("lower") == -1 and improvement_sign("higher") == 1
