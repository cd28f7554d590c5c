"""Published figures come out exactly; ICB, region and England are aggregated from counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.metrics import metric_values, trust_values_at
from opmodel.store import Store
from opmodel.structure import parent_on

MAY25, JUN25, JUL25, APR26 = dt.date(2025, 5, 1), dt.date(2025, 6, 1), dt.date(2025, 7, 1), dt.date(2026, 4, 1)


def _one(store: Store, metric: str, level: str, month: dt.date, org: str | None = None) -> dict[str, object]:
    rows = metric_values(store, metric, org=org, level=level, start=month, end=month)
    assert len(rows) == 1, rows
    return rows[0]


def test_rj1_may_2025_four_hours(loaded: Store) -> None:
    r = _one(loaded, "ae_4hr", "trust", MAY25, "RJ1")
    assert (r["denominator"], r["numerator"]) == (18092, 18092 - 3782)
    assert round(float(r["value"]), 1) == 79.1  # type: ignore[arg-type]
    assert r["org_name"] and r["source"] == "Monthly-AE-May-2025.csv" and r["level"] == "trust"
    assert r["period_end"] == dt.date(2025, 5, 31)


def test_trust_values_at_gives_each_metric_the_rows_metric_values_gives(loaded_copy: Store) -> None:
    """Issue 25: one query for many metrics, each on its own day, row for row what one query each gives."""
    # an ICB's own published figure: a trust-level answer leaves it out, as metric_values does
    loaded_copy.execute("INSERT INTO metric_values SELECT * REPLACE ('QKK' AS org_code) FROM metric_values "
                        "WHERE metric = 'ae_4hr' AND org_code = 'RJ1' AND period_start = ?", [MAY25])
    wanted = {"ae_4hr": MAY25, "rtt_18wk": APR26, "ae_attendances": JUL25, "no_such_metric": JUN25}
    batch = trust_values_at(loaded_copy, wanted)
    assert set(batch) == set(wanted) and batch["no_such_metric"] == []
    for metric, day in wanted.items():
        if metric == "no_such_metric":
            continue
        one = metric_values(loaded_copy, metric, level="trust", start=day, end=day)
        assert len(one) > 100 and all(r["period_start"] == day for r in one)
        key = lambda r: (r["org_code"], r["period_end"])  # noqa: E731
        assert sorted(batch[metric], key=key) == sorted(one, key=key)
    assert "QKK" not in {r["org_code"] for r in batch["ae_4hr"]}
    assert trust_values_at(loaded_copy, {}) == {}


def test_england_rtt_april_2026(loaded: Store) -> None:
    r = _one(loaded, "rtt_18wk", "england", APR26)
    assert r["org_code"] == "X24" and r["denominator"] == 7_123_980
    assert round(float(r["value"]), 1) == 64.9  # type: ignore[arg-type]
    assert _one(loaded, "rtt_waiting_list", "england", APR26)["value"] == 7_123_980
    assert _one(loaded, "rtt_52wk", "england", APR26)["value"] == 100_665
    assert _one(loaded, "rtt_65wk", "england", APR26)["value"] == 7_702
    assert _one(loaded, "rtt_78wk", "england", APR26)["value"] == 2_421


def test_england_dm01_july_2025(loaded: Store) -> None:
    assert _one(loaded, "dm01_waiting_list", "england", JUL25)["value"] == 1_730_933
    r = _one(loaded, "dm01_6wk", "england", JUL25)
    assert r["numerator"] == 378_816 and round(float(r["value"]), 1) == 21.9  # type: ignore[arg-type]


def test_england_ae_matches_the_files_total_rows(loaded: Store) -> None:
    # May 2025 CSV TOTAL row: attendances 2,395,886 of which 589,527 over 4 hours; 42,891 12-hour DTA waits
    r = _one(loaded, "ae_4hr", "england", MAY25)
    assert (r["denominator"], r["numerator"]) == (2_395_886, 2_395_886 - 589_527)
    assert _one(loaded, "ae_12hr_dta", "england", MAY25)["value"] == 42_891
    # June 2025 workbook England row: 75.545% all types, 61.719% type 1, 38,683 12-hour waits
    assert round(float(_one(loaded, "ae_4hr", "england", JUN25)["value"]), 3) == 75.545  # type: ignore[arg-type]
    assert round(float(_one(loaded, "ae_type1_4hr", "england", JUN25)["value"]), 3) == 61.719  # type: ignore[arg-type]
    assert _one(loaded, "ae_12hr_dta", "england", JUN25)["value"] == 38_683
    assert _one(loaded, "ae_attendances", "england", JUN25)["value"] == 2_350_478


def test_icb_values_are_ratios_of_summed_counts_of_their_trusts(loaded: Store) -> None:
    trusts = metric_values(loaded, "ae_4hr", start=MAY25, end=MAY25)
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    rates: dict[str, list[float]] = defaultdict(list)
    for t in trusts:
        icb = parent_on(loaded, t["org_code"], MAY25)
        if icb is not None:
            sums[icb.code][0] += t["numerator"]
            sums[icb.code][1] += t["denominator"]
            rates[icb.code].append(t["value"])
    icbs = {r["org_code"]: r for r in metric_values(loaded, "ae_4hr", level="icb", start=MAY25, end=MAY25)}
    assert set(icbs) == set(sums) and len(icbs) == 42
    for code, (num, den) in sums.items():
        assert (icbs[code]["numerator"], icbs[code]["denominator"]) == (num, den)
        assert icbs[code]["value"] == pytest.approx(100 * num / den)
    averaged = [c for c, v in rates.items() if len(v) > 1 and abs(sum(v) / len(v) - icbs[c]["value"]) > 0.1]
    assert averaged  # the mean of rates would differ: proof we do not average


def test_aggregation_uses_the_structure_in_force_on_the_period(loaded: Store) -> None:
    before = {r["org_code"] for r in metric_values(loaded, "ae_4hr", level="icb", start=MAY25, end=MAY25)}
    after = {r["org_code"]: r for r in metric_values(loaded, "rtt_waiting_list", level="icb", start=APR26)}
    assert "QH8" in before and "D7T5G" not in before  # Mid and South Essex ICB until March 2026
    assert "D7T5G" in after and "QH8" not in after  # NHS Essex ICB from April 2026
    assert len(after) == 36
    essex = metric_values(loaded, "rtt_waiting_list", org="D7T5G", start=APR26)
    assert "RAJ" in {r["org_code"] for r in essex}
    assert sum(r["value"] for r in essex) == after["D7T5G"]["value"]


def test_regions_plus_providers_outside_icbs_make_england(loaded: Store) -> None:
    regions = metric_values(loaded, "rtt_waiting_list", level="region", start=APR26)
    assert len(regions) == 7
    outside = loaded.execute("""
        SELECT sum(v.value) FROM metric_values v JOIN organisations o ON o.code = v.org_code
        WHERE v.metric = 'rtt_waiting_list' AND o.kind = 'other_provider'""").fetchall()[0][0]
    assert sum(r["value"] for r in regions) + outside == 7_123_980


def test_org_filter_selects_members_on_the_date(loaded: Store) -> None:
    qkk = metric_values(loaded, "ae_4hr", org="QKK", start=MAY25, end=MAY25)
    assert "RJ1" in {r["org_code"] for r in qkk}
    assert all(parent_on(loaded, r["org_code"], MAY25).code == "QKK" for r in qkk)  # type: ignore[union-attr]
    london = metric_values(loaded, "ae_4hr", org="Y56", level="icb", start=MAY25, end=MAY25)
    assert len(london) == 5 and all(r["level"] == "icb" for r in london)
    assert _one(loaded, "ae_4hr", "region", MAY25, "Y56")["org_code"] == "Y56"


def test_period_filters_and_ordering(loaded: Store) -> None:
    rows = metric_values(loaded, "ae_attendances", org="RJ1")
    assert len(rows) == 14 and [r["period_start"] for r in rows] == sorted(r["period_start"] for r in rows)
    window = metric_values(loaded, "ae_attendances", org="RJ1", start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31))
    assert [r["period_start"].month for r in window] == [1, 2, 3]


def test_errors(loaded: Store) -> None:
    with pytest.raises(UnknownCodeError) as err:
        metric_values(loaded, "ae_4hrs")
    assert "ae_4hr" in err.value.suggestions
    with pytest.raises(UnknownCodeError):
        metric_values(loaded, "ae_4hr", org="RJ9Z")
    with pytest.raises(OpmodelError, match="level"):
        metric_values(loaded, "ae_4hr", level="system")


def test_contiguous_run_takes_the_latest_long_enough_run() -> None:
    """Issue 21: an SPC chart needs an unbroken series; months missing from the data break it."""
    import datetime as dt

    from opmodel.metrics.query import contiguous_run

    def months(*spans: tuple[int, int, int]) -> list[dict[str, dt.date]]:
        out = []
        for year, first, last in spans:
            for m in range(first, last + 1):
                end = (dt.date(year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1))
                out.append({"period_start": dt.date(year, m, 1), "period_end": end})
        return out

    whole = months((2024, 1, 12))
    assert contiguous_run(whole) == (whole, None)
    rows = months((2024, 1, 12), (2025, 3, 5))
    run, note = contiguous_run(rows)
    assert run == rows[:12] and note is not None and "January 2025 to February 2025" in note
    run, _ = contiguous_run(rows, min_points=3)
    assert run == rows[12:]
    run, note = contiguous_run(months((2024, 1, 2), (2024, 4, 6)), min_points=12)
    assert len(run) == 3 and note is not None and "(the longest)" in note
