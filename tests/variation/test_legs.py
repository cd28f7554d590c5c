"""Consistency across the three legs (issue 22, item 4): the pure computation on hand-made trusts, then the
real report for every region and ICB, and the CLI (`consistency --across`) beside `consistency METRIC`."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from opmodel.store import Store
from opmodel.variation import LegMeasure, LegUnit, consistency_across, decompose_period, legs_table, measure_across
from opmodel.variation.consistency import TrustValue
from tests.conftest import Cli

MEASURE = LegMeasure(id="m", leg="access", name="M", unit="percent", direction="higher", period="2025-07",
                     source="test", counts="patients")


def _units() -> list[LegUnit]:
    return [LegUnit("T1", "R1", "I1", 80, 100), LegUnit("T2", "R1", "I2", 60, 100),
            LegUnit("T3", "R2", "I3", 30, 100), LegUnit("T4", "R2", "I3", 50, 200)]


def test_areas_and_england_pool_counts_and_the_between_share_is_the_nested_split() -> None:
    m = measure_across(MEASURE, _units(), "region")
    assert m["values"] == pytest.approx({"R1": 70.0, "R2": 80 / 3})
    assert m["england"] == pytest.approx(100 * 220 / 500)  # pooled, not the mean of the areas
    assert m["spread"]["best"] == "R1" and m["spread"]["worst"] == "R2"
    assert m["spread"]["range"] == pytest.approx(70 - 80 / 3)
    # Σ d (p − p̄)² between regions over the total, by hand:
    p_bar = 220 / 500
    between = 200 * (0.7 - p_bar) ** 2 + 300 * (80 / 300 - p_bar) ** 2
    total = sum(d * (n / d - p_bar) ** 2 for n, d in ((80, 100), (60, 100), (30, 100), (50, 200)))
    assert m["between_share"] == pytest.approx(between / total)
    icb = measure_across(MEASURE, _units(), "icb")
    assert icb["between_share"] > m["between_share"] and set(icb["values"]) == {"I1", "I2", "I3"}
    rows = [TrustValue(u.code, u.region, u.icb, u.numerator, u.denominator) for u in _units()]
    shares = decompose_period(rows, funnel=False)["decomposition"]
    assert icb["between_share"] == pytest.approx(shares["region"]["share"] + shares["icb"]["share"])


def test_a_lower_is_better_measure_picks_its_best_area_at_the_bottom() -> None:
    lower = LegMeasure(**{**MEASURE.__dict__, "direction": "lower"})
    assert measure_across(lower, _units(), "region")["spread"]["best"] == "R2"


@pytest.fixture(scope="module")
def report(seeded_store_file: object, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    import shutil
    from pathlib import Path

    from opmodel.store import open_store

    path = tmp_path_factory.mktemp("legs") / "s.duckdb"
    shutil.copy(Path(str(seeded_store_file)), path)
    s = open_store(path)
    try:
        return consistency_across(s, "region", dt.date(2026, 6, 1))
    finally:
        s.close()


def test_every_region_and_all_three_legs(report: dict[str, object]) -> None:
    dims = report["dimensions"]
    assert isinstance(dims, dict) and set(dims) == {"performance", "quality", "access"}
    assert len(report["areas"]) == 7  # type: ignore[arg-type]
    ids = {leg: [m["id"] for m in dims[leg]["measures"]] for leg in dims}
    assert ids == {"performance": ["segment_1_or_2", "average_score"],
                   "quality": ["cqc_good_or_outstanding", "shmi", "shmi_higher_than_expected", "fft_positive"],
                   "access": ["ae_type1_4hr", "rtt_18wk", "cancer_62d"]}
    for leg, dim in dims.items():
        assert len(dim["regions"]) == 7
        for m in dim["measures"]:
            assert m["england"] is not None and 0 <= m["between_share"] <= 1, (leg, m["id"])
            values = [v[m["id"]] for v in dim["regions"].values()]
            assert min(values) <= m["england"] <= max(values)
            assert m["spread"]["range"] == pytest.approx(max(values) - min(values))
    assert all(m["third_party"] for m in dims["quality"]["measures"])
    assert sum(dims["performance"]["segment_mix_england"].values()) == dims["performance"]["measures"][0]["trusts"]
    assert legs_table(report)[0]["compared"] in ("better than England", "worse than England", "same as England")


def test_icbs_after_the_mergers(store: Store) -> None:
    r = consistency_across(store, "icb", dt.date(2026, 6, 1))
    assert len(r["areas"]) == 36 and set(r["dimensions"]["access"]["icbs"]) == {a["code"] for a in r["areas"]}


def test_cli_across_and_metric_forms(cli: Cli) -> None:
    res = cli("consistency", "--across", "region", "--format", "json")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    d = json.loads(res.stdout)  # type: ignore[attr-defined]
    assert {"performance", "quality", "access"} <= set(d["dimensions"])
    assert all(len(d["dimensions"][leg]["regions"]) == 7 for leg in ("performance", "quality", "access"))
    res = cli("consistency", "--across", "region")
    assert res.exit_code == 0 and "between regions" in res.stdout  # type: ignore[attr-defined]
    res = cli("consistency", "ae_4hr", "--from", "2025-06", "--to", "2025-07")
    assert res.exit_code == 0 and "between_regions" in res.stdout  # type: ignore[attr-defined]
    assert cli("consistency").exit_code != 0  # type: ignore[attr-defined]
    assert cli("consistency", "ae_4hr", "--across", "region").exit_code != 0  # type: ignore[attr-defined]


def test_a_date_before_the_registry_is_not_found(store: Store) -> None:
    from opmodel.errors import NotFoundError

    with pytest.raises(NotFoundError, match="registry"):
        consistency_across(store, "icb", dt.date(405, 2, 18))
