"""Whole-series SPC: validation of bad series, the JSON contract, rebasing and golden series."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics

import pytest

from opmodel.variation import Observation, SpcError, get_preset, spc_analysis
from tests.variation.conftest import ae_monthly_counts, month_end, monthly, nhsr_type1_performance

MDC = get_preset("mdc")
NHSR = get_preset("nhsrplotthedots")


def test_notes_vector_through_the_whole_analysis() -> None:
    x = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    mdc = spc_analysis(monthly(x), rules=MDC, direction="higher")
    nhsr = spc_analysis(monthly(x), rules=NHSR, direction="higher")
    assert [p.rule for p in mdc.points].count("astronomical") == 1  # 10 > 6.95
    assert nhsr.points[4].rule == "astronomical" and nhsr.points[4].point_type == "special_cause_improvement"
    assert mdc.variation_icon == nhsr.variation_icon == "common_cause"


def test_json_contract_fields() -> None:
    r = spc_analysis(monthly([5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 9]), rules=MDC, direction="higher", target=2,
                     metric="m", org_code="RJ1")
    d = r.to_json()
    assert {"metric", "org_code", "preset", "limits", "points", "variation_icon", "assurance_icon"} <= set(d)
    assert {"mean", "upper", "lower", "upper_2sigma", "lower_2sigma"} <= set(d["limits"])
    assert d["preset"] == "mdc" and d["metric"] == "m" and d["org_code"] == "RJ1"
    assert {"period", "value", "special_cause", "rule"} <= set(d["points"][0])
    assert d["points"][0]["period"] == "2024-01-01"
    assert d["assurance_icon"] == "consistently_pass"  # 2 is below the lower limit (about 2.5)


def test_rebased_limits_are_a_list_with_their_start_periods() -> None:
    values = [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 12, 11, 10, 11, 20, 21, 20, 22, 21, 20, 21, 22, 20, 21, 22, 21]
    r = spc_analysis(monthly(values), rules=MDC, direction="higher", target=15, rebase_at=[dt.date(2025, 3, 1)])
    d = r.to_json()
    assert isinstance(d["limits"], list) and [x["start"] for x in d["limits"]] == ["2024-01-01", "2025-03-01"]
    assert d["limits"][1]["mean"] == pytest.approx(statistics.mean(values[14:]))
    # Assurance uses the latest limits: the new process (about 21) consistently passes 15.
    assert r.assurance_icon == "consistently_pass"
    assert all(p.rule != "shift" for p in r.points)  # runs do not cross the rebase


def test_gaps_missing_values_and_duplicates_are_named() -> None:
    series = monthly([1, 2, 3, 4])
    gap = [series[0], series[1], series[3]]
    with pytest.raises(SpcError, match=r"gap between period 2024-02-01 .* and period 2024-04-01"):
        spc_analysis(gap, rules=MDC, direction="higher")
    five = monthly([1, 2, 3, 4, 5])
    rebased = spc_analysis([five[0], five[1], five[3], five[4]], rules=MDC, direction="higher",
                           rebase_at=[dt.date(2024, 4, 1)])  # a gap just before a rebase is allowed
    assert [(lim.start, lim.end) for lim in rebased.limits] == [(0, 2), (2, 4)]
    with pytest.raises(SpcError, match=r"period 2024-02-01: no value"):
        spc_analysis(monthly([1, None, 3]), rules=MDC, direction="higher")
    with pytest.raises(SpcError, match="appears twice"):
        spc_analysis([*series, series[2]], rules=MDC, direction="higher")
    with pytest.raises(SpcError, match="empty"):
        spc_analysis([], rules=MDC, direction="higher")


def test_no_direction_is_an_error_not_a_silent_icon() -> None:
    with pytest.raises(SpcError, match="no improvement direction"):
        spc_analysis(monthly([1, 2, 3]), rules=MDC, direction=None)


def test_short_series_warn_about_trial_limits_and_unevaluated_rules() -> None:
    r = spc_analysis(monthly([1, 2, 1, 3, 2]), rules=MDC, direction="lower")
    assert r.limits[0].trial
    assert any("trial limits" in w for w in r.warnings)
    assert any("shift rule" in w for w in r.warnings) and any("trend rule" in w for w in r.warnings)
    with pytest.raises(SpcError, match="rebase date 2024-01-15"):
        spc_analysis(monthly([1, 2, 3]), rules=MDC, direction="lower", rebase_at=[dt.date(2024, 1, 15)])


def test_golden_nhsr_rj1_type1_both_presets() -> None:
    """RJ1 type 1 4-hour performance 2016-04 to 2019-03 (NHSRdatasets): limits from first principles."""
    series = nhsr_type1_performance("RJ1")
    assert len(series) == 36
    assert series[11].value == pytest.approx(100 * (1 - 2092 / 12385))  # check value, 2017-03
    values = [o.value for o in series if o.value is not None]
    mrs = [abs(b - a) for a, b in itertools.pairwise(values)]
    mdc = spc_analysis(series, rules=MDC, direction="higher", target=95)
    nhsr = spc_analysis(series, rules=NHSR, direction="higher", target=95)
    assert mdc.limits[0].mean == pytest.approx(statistics.mean(values))
    assert mdc.limits[0].mr_bar == pytest.approx(statistics.mean(mrs))
    kept = [m for m in mrs if m < 3.267 * statistics.mean(mrs)]
    assert nhsr.limits[0].mr_bar == pytest.approx(statistics.mean(kept)) and len(kept) == len(mrs) - 2
    assert round(mdc.limits[0].mean, 2) == 84.38
    assert (round(mdc.limits[0].lower, 2), round(mdc.limits[0].upper, 2)) == (77.54, 91.22)
    assert (round(nhsr.limits[0].lower, 2), round(nhsr.limits[0].upper, 2)) == (78.65, 90.10)
    # The last seven months (Sep 2018 to Mar 2019) sit below the mean: a shift of concern.
    shift_periods = [p.period_start.isoformat()[:7] for p in mdc.points if p.rule == "shift"]
    assert shift_periods == ["2018-09", "2018-10", "2018-11", "2018-12", "2019-01", "2019-02", "2019-03"]
    # Only the screened (narrower) limits make July 2017 (78.3%) an astronomical point.
    assert [p.period_start.isoformat()[:7] for p in nhsr.points if p.rule == "astronomical"] == ["2017-07"]
    assert not any(p.rule == "astronomical" for p in mdc.points)
    assert mdc.variation_icon == nhsr.variation_icon == "concern_low"
    assert mdc.assurance_icon == "consistently_fail"  # 95% is above the upper limit


def test_golden_rj1_2024_25_monthly_files(rj1_2024_25: list[Observation]) -> None:
    """RJ1 all-types 4-hour performance, June 2024 to July 2025 (raw NHS England files)."""
    assert len(rj1_2024_25) == 14
    may = next(o for o in rj1_2024_25 if o.period_start == dt.date(2025, 5, 1))
    assert round(may.value or 0, 1) == 79.1  # PROVENANCE check value
    r = spc_analysis(rj1_2024_25, rules=MDC, direction="higher", target=78)
    lim = r.limits[0]
    assert (lim.mean, lim.lower, lim.upper) == pytest.approx((75.98, 70.93, 81.03), abs=0.006)
    flagged = {p.period_start.isoformat()[:7]: p.rule for p in r.points if p.special_cause}
    assert flagged == {"2024-10": "two_in_three", "2024-12": "two_in_three", **{
        f"2025-{m:02d}": "shift" for m in range(1, 8)}}
    assert r.variation_icon == "improvement_high"
    assert r.assurance_icon == "hit_and_miss"
    nhsr = spc_analysis(rj1_2024_25, rules=NHSR, direction="higher")
    assert nhsr.limits[0].screened_ranges == 0
    assert [p.rule for p in nhsr.points] == [p.rule for p in r.points]


def test_golden_r0b_two_in_three_differs_between_presets() -> None:
    """R0B (South Tyneside and Sunderland), 2024-25: December 2024 is beyond the lower limit and January
    beyond the 2-sigma line. MDC counts December in the two-of-three; NHSRplotthedots counts only 2-3 sigma."""
    series = [Observation(d, month_end(d), 100 * (1 - o / a)) for d, (a, o) in sorted(ae_monthly_counts("R0B").items())]
    assert len(series) == 14
    mdc = spc_analysis(series, rules=MDC, direction="higher")
    nhsr = spc_analysis(series, rules=NHSR, direction="higher")
    flagged = {p.period_start.isoformat()[:7]: p.rule for p in mdc.points if p.special_cause}
    assert flagged == {"2024-12": "astronomical", "2025-01": "two_in_three"}
    dec = next(p for p in mdc.points if p.period_start == dt.date(2024, 12, 1))
    assert dec.rules == ["astronomical", "two_in_three"] and dec.point_type == "special_cause_concern"
    assert {p.period_start.isoformat()[:7]: p.rule for p in nhsr.points if p.special_cause} == {
        "2024-12": "astronomical"}
    assert mdc.variation_icon == nhsr.variation_icon == "common_cause"
