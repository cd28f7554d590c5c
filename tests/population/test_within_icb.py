"""Issue 24: compare an ICB with England or say why not; inequality within each ICB; rounded output; mergers.

Golden values come from the shipped data, which scripts/build_population_data.py derives from
../shared/data (IMD 2025 by district and by ICB; the third-party ICB extract).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pandas as pd
import pytest

from opmodel.population import icb_inequality, icbs_on, local_areas
from opmodel.population.icb import ValueCache, icb_value
from opmodel.population.profile import compare_row, icb_profile
from opmodel.population.stats import wilson_interval
from opmodel.store import Store
from tests.conftest import Cli

LONDON_SE = {"Bexley", "Bromley", "Greenwich", "Lambeth", "Lewisham", "Southwark"}


def test_qkk_is_compared_with_england_where_it_can_be_and_says_why_not(store: Store) -> None:
    p = icb_profile(store, "QKK", dt.date(2025, 10, 1))
    by_id = {r["indicator_id"]: r for r in p["indicators"]}
    compared = [r for r in p["indicators"] if not r["compared_to_england"].startswith("not compared")]
    assert len(compared) == 10 and len(p["indicators"]) == 12
    assert by_id["qof_hypertension"]["compared_to_england"] == "lower"   # 11.8% against England 14.9%
    assert "estimated denominator" in by_id["qof_hypertension"]["comparison_basis"]
    assert by_id["gpps_smoking"]["compared_to_england"].startswith("not compared (a survey")
    assert by_id["imd2025_score"]["compared_to_england"].startswith("not compared (an index score")
    assert re.search(r"\d+\w* highest of 42 ICBs|\d+ of 42 ICBs", by_id["imd2025_score"]["compared_to_england"])


def test_the_estimated_interval_is_wilson_on_the_population_estimate(store: Store) -> None:
    c = ValueCache(store)
    v = icb_value(store, "core20_share", "QKK", None, c)
    assert v is not None
    ind = c.entry("core20_share")
    pop = c.weights["QKK"]
    compared, basis, (lo, hi) = compare_row(ind, v, 21.0, c)
    w = wilson_interval(v.value / 100 * pop, pop, 0.95, 100)
    assert (lo, hi) == (pytest.approx(w.lower), pytest.approx(w.upper)) and lo < v.value < hi
    assert compared == "lower" and basis is not None and f"{pop / 1e6:.2f} million" in basis
    # where England's value lies inside the interval the ICB is "similar"
    assert compare_row(ind, v, v.value, c)[0] == "similar"


def test_district_table_is_golden_against_the_imd_icb_file() -> None:
    areas = local_areas()
    assert len(areas) == 296 and areas["la_code"].is_unique
    assert set(areas.loc[areas["icb_code"] == "QKK", "la_name"]) == LONDON_SE
    exact = areas.groupby("icb_code")["icb_coverage"].first()
    assert (exact == 1.0).sum() == 28 and exact.between(0.85, 1.16).all()
    assert set(areas["quintile"]) == {1, 2, 3, 4, 5}
    assert areas.groupby("quintile").size().between(59, 60).all()
    # the most deprived district nationally is in quintile 1 and holds rank 1
    top = areas.loc[areas["imd_rank"].idxmin()]
    assert top["quintile"] == 1 and top["imd_score"] == areas["imd_score"].max()


def test_every_district_has_an_icb_open_in_2026(store: Store) -> None:
    open_2026 = {i["code"] for i in icbs_on(store, dt.date(2026, 6, 1))}
    areas = local_areas()
    assert set(areas["icb_code_2026"]) == open_2026
    moved = areas.set_index("la_name")["icb_code_2026"]
    assert (moved["Rushmoor"], moved["Slough"], moved["Surrey Heath"], moved["Colchester"], moved["Ipswich"]) == (
        "QRL", "S0E4D", "S9B9J", "D7T5G", "T6Y0W")


def test_inequality_within_south_east_london(store: Store) -> None:
    r = icb_inequality(store, "QKK", "income", dt.date(2025, 10, 1))
    assert r["districts"][0]["la_name"] == "Lewisham"    # most deprived first
    assert {q["quintile"]: len(q["districts"]) for q in r["quintiles"]} == {2: 4, 4: 1, 5: 1}
    q2 = next(q for q in r["quintiles"] if q["quintile"] == 2)
    members = [d for d in r["districts"] if d["quintile"] == 2]
    assert q2["value"] == pytest.approx(100 * sum(d["count"] for d in members) / sum(d["denominator"] for d in members))
    s = r["sii"]
    assert s["sii"] < 0 and s["rii"] < 1 and s["interval_method"].startswith("PHE simulation")
    assert s["sii_lower"] < s["sii"] < s["sii_upper"] and s["reading"].startswith("higher in more deprived areas")
    health = icb_inequality(store, "QKK", "health", dt.date(2025, 10, 1))
    assert health["sii"]["rii"] is None                          # a score centred on zero has no ratio
    assert health["sii"]["interval_method"].startswith("regression standard error")
    assert any("parts of the index" in n for n in health["notes"])


def test_inequality_needs_three_districts_and_follows_the_2026_footprints(store: Store) -> None:
    cornwall = icb_inequality(store, "QT6", "health")
    assert cornwall["sii"] is None and "at least three groups" in cornwall["sii_note"]
    essex = icb_inequality(store, "D7T5G", "income", dt.date(2026, 6, 1))
    names = {d["la_name"] for d in essex["districts"]}
    assert {"Colchester", "Harlow", "Basildon"} <= names and "Ipswich" not in names
    split = icb_inequality(store, "QNQ", "income", dt.date(2025, 6, 1))
    assert any("straddle" in n for n in split["notes"])   # Frimley's districts do not add up to its published figure


def test_profile_carries_the_within_icb_headline(store: Store) -> None:
    p = icb_profile(store, "QKK", dt.date(2025, 10, 1))
    w = p["inequality_within"]
    assert w["districts"] == 6 and w["sii"] < 0 and w["detail"].endswith("QKK")


def test_population_inequality_cli(cli: Cli) -> None:
    r = cli("population", "inequality", "QKK", "--measure", "income", "--on", "2025-10-01", "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["measure"]["id"] == "income" and len(d["districts"]) == 6 and d["sii"]["sii"] < 0
    text = cli("population", "inequality", "QKK", "--on", "2025-10-01")
    assert "Slope index of inequality" in text.stdout and "most deprived first" in text.stdout
    bad = cli("population", "inequality", "QKK", "--measure", "nonsense")
    assert bad.exit_code == 1 and "Unknown district measure" in bad.output


def test_compare_output_is_rounded(cli: Cli) -> None:
    table = cli("population", "compare", "qof_hypertension", "--on", "2026-06-01")
    assert table.exit_code == 0 and not re.search(r"\d+\.\d{3,}", table.stdout)
    csv = cli("population", "compare", "qof_hypertension", "--on", "2026-06-01", "--format", "csv")
    values = pd.read_csv(pd.io.common.StringIO(csv.stdout))["value"]
    assert (values.round(2) == values).all() and "compared_to_england" in csv.stdout
    full = json.loads(cli("population", "compare", "qof_hypertension", "--format", "json").stdout)
    assert any(len(str(r["value"]).split(".")[-1]) > 2 for r in full["rows"])   # JSON keeps full precision


def test_merger_scenario_reports_population_and_performance(cli: Cli) -> None:
    r = cli("model", "scenario", "src/opmodel/accountability/scenarios/merge-south-london-icbs.yaml",
            "--format", "json")
    assert r.exit_code == 0, r.output
    [m] = json.loads(r.stdout)["merged_icbs"]
    pop = m["population"]
    assert pop["population_after"] == pytest.approx(sum(pop["population_before"].values()))
    hyp = next(i for i in pop["indicators"] if i["indicator_id"] == "qof_hypertension")
    w = pop["population_before"]
    assert hyp["after"] == pytest.approx(sum(hyp["before"][k] * w[k] for k in w) / sum(w.values()))
    assert m["performance"], "headline metrics for the merged trusts"
    for metric in m["performance"]:
        groups: dict[str, Any] = metric["groups"]
        merged = groups["QKK (merged)"]
        parts = [g for k, g in groups.items() if k != "QKK (merged)"]
        assert merged["numerator"] == pytest.approx(sum(g["numerator"] for g in parts))
        assert merged["denominator"] == pytest.approx(sum(g["denominator"] for g in parts))
        assert merged["value"] == pytest.approx(100 * merged["numerator"] / merged["denominator"])
    span = {row["code"]: row for row in json.loads(r.stdout)["span_of_control"]}
    assert span["QKK"]["population_after"] == round(pop["population_after"])
