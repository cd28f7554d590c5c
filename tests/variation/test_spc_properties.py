"""Properties every rule set must keep: mirror symmetry and invariance to units."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from opmodel.variation import get_preset, spc_analysis
from tests.variation.conftest import monthly

series = st.lists(st.integers(-50, 50), min_size=2, max_size=40)


@settings(max_examples=80, deadline=None)
@given(series, st.sampled_from(["mdc", "nhsrplotthedots"]))
def test_mirroring_a_series_mirrors_its_special_causes(values: list[int], preset: str) -> None:
    rules = get_preset(preset)
    up = spc_analysis(monthly([float(v) for v in values]), rules=rules, direction="higher")
    down = spc_analysis(monthly([float(-v) for v in values]), rules=rules, direction="lower")
    assert [p.rule for p in up.points] == [p.rule for p in down.points]
    assert [p.sign for p in up.points] == [-p.sign for p in down.points]
    assert [p.point_type for p in up.points] == [p.point_type for p in down.points]
    flip = {"high": "low", "low": "high"}
    icon = up.variation_icon
    assert down.variation_icon == (icon if icon == "common_cause" else
                                   icon.rsplit("_", 1)[0] + "_" + flip[icon.rsplit("_", 1)[1]])


@settings(max_examples=60, deadline=None)
@given(series)
def test_changing_units_changes_no_signal(values: list[int]) -> None:
    rules = get_preset("mdc")
    a = spc_analysis(monthly([float(v) for v in values]), rules=rules, direction="higher")
    b = spc_analysis(monthly([float(4 * v) for v in values]), rules=rules, direction="higher")
    assert [p.rule for p in a.points] == [p.rule for p in b.points]
    assert b.limits[0].upper == 4 * a.limits[0].upper
