"""ICB values across the April 2026 mergers, the Core20PLUS5 panel and comparison across ICBs."""

from __future__ import annotations

import datetime as dt

import pytest

from opmodel.errors import UnknownCodeError
from opmodel.population import icb_value, icbs_on, predecessors
from opmodel.population.compare import compare_indicator
from opmodel.population.icb import ValueCache, england_value
from opmodel.population.profile import icb_profile
from opmodel.store import Store

CORE5 = {"maternity", "severe_mental_illness", "chronic_respiratory_disease", "early_cancer_diagnosis",
         "hypertension_case_finding", "smoking"}


@pytest.mark.parametrize(("day", "n"), [("2025-06-01", 42), ("2026-06-01", 36)])
def test_every_icb_has_hypertension_and_core20(store: Store, day: str, n: int) -> None:
    c = ValueCache(store)
    icbs = icbs_on(store, dt.date.fromisoformat(day))
    assert len(icbs) == n
    merged = 0
    for i in icbs:
        hyp = icb_value(store, "qof_hypertension", i["code"], cache=c)
        core = icb_value(store, "core20_share", i["code"], cache=c)
        assert hyp is not None and core is not None, i["code"]
        assert hyp.year == 2023 and core.year == 2022          # the latest years held
        if predecessors(store, i["code"]):
            merged += 1
            assert hyp.method.startswith("population-weighted mean of predecessors") and hyp.predecessors
        else:
            assert hyp.method == "published"
    assert merged == (6 if n == 36 else 0)


def test_successions_apportion_split_icbs(store: Store) -> None:
    essex = {p.code: p.share for p in predecessors(store, "D7T5G")}
    assert set(essex) == {"QH8", "QJG", "QM7"} and essex["QH8"] == 1.0 and 0 < essex["QJG"] < 1
    # every closed ICB's trusts are fully handed on
    totals: dict[str, float] = {}
    for new in ("D7T5G", "S0E4D", "S1Y5D", "S9B9J", "T6Y0W", "Z9B2Z"):
        for p in predecessors(store, new):
            totals[p.code] = totals.get(p.code, 0) + p.share
    assert len(totals) == 12 and all(v == pytest.approx(1.0) for v in totals.values())


def test_merged_value_lies_between_predecessors(store: Store) -> None:
    v = icb_value(store, "qof_hypertension", "Z9B2Z")
    parts = [icb_value(store, "qof_hypertension", p, 2023) for p in ("QMJ", "QRV")]
    assert v is not None and all(p is not None for p in parts)
    lo, hi = sorted(p.value for p in parts if p is not None)
    assert lo <= v.value <= hi


def test_england_value_published_or_derived(store: Store) -> None:
    pub = england_value(store, "ft241", 2018)
    assert pub is not None and round(pub.value, 2) == 6.93 and pub.method == "published"
    der = england_value(store, "qof_hypertension", 2023)
    assert der is not None and der.method == "derived: population-weighted mean of 42 ICBs"
    assert 13 < der.value < 17


def test_profile_contract_by_ods_and_ons_code(store: Store) -> None:
    p = icb_profile(store, "E54000030", dt.date(2025, 6, 1))
    assert p["org_code"] == "QKK" and p["org_name"].startswith("NHS South East London")
    assert p == icb_profile(store, "QKK", dt.date(2025, 6, 1))
    need = {"indicator_id", "name", "period", "value", "lower_ci", "upper_ci", "england_value",
            "compared_to_england", "polarity", "method", "source"}
    assert p["indicators"] and all(need <= set(i) for i in p["indicators"])
    hyp = next(i for i in p["indicators"] if i["indicator_id"] == "qof_hypertension")
    assert "hypertension" in hyp["name"].lower() and hyp["source"].startswith("Third-party")
    assert p["core20_share"] is not None and 0 < p["core20_share"] < 100
    assert {a["area"] for a in p["core20plus5"]} == CORE5
    assert all(a["note"] for a in p["core20plus5"])
    assert next(a for a in p["core20plus5"] if a["area"] == "severe_mental_illness")["measure"] is None
    assert p["accountability"]["accountable"]["code"] == "QKK"


def test_profile_of_nw_icb_has_fingertips_intervals(store: Store) -> None:
    p = icb_profile(store, "QYG", dt.date(2025, 6, 1))
    ft = next(i for i in p["indicators"] if i["indicator_id"] == "ft241")
    assert ft["lower_ci"] < ft["value"] < ft["upper_ci"]
    assert ft["compared_to_england"] in {"higher", "lower", "similar"}


def test_unknown_icb(store: Store) -> None:
    with pytest.raises(UnknownCodeError):
        icb_profile(store, "RJ1")


def test_compare_has_split_and_trend(store: Store) -> None:
    r = compare_indicator(store, "qof_hypertension", "icb", on=dt.date(2026, 6, 1))
    assert len(r["rows"]) == 36 and r["period"] == "2023"
    s = r["variance_split"]
    assert s["between_region_share"] + s["between_icb_within_region_share"] == pytest.approx(1.0)
    assert r["trend"]["reading"] in {"converging", "diverging", "stable"} and len(r["trend"]["years"]) == 9
    assert r["funnel"]["overdispersion"]["k"] == 36
    reg = compare_indicator(store, "core20_share", "region", on=dt.date(2025, 6, 1))
    assert len(reg["rows"]) == 7


def test_deprivation_gradient_from_england_deciles(store: Store) -> None:
    from opmodel.population.inequality import deprivation_gradient

    g = deprivation_gradient(store, "ft93763", 2022)   # alcohol-related mortality
    # PHE's sign: mortality higher in the most deprived decile gives a negative SII and an RII below 1
    assert g is not None and g["groups"] == 10 and g["sii"] < 0 and g["rii"] < 1
    assert g["most_deprived"] > g["least_deprived"]
    assert g["fitted_most_deprived"] > g["fitted_least_deprived"]
    assert g["reading"].startswith("higher in more deprived areas; worse for the more deprived")
    assert g["interval_method"].startswith("PHE simulation") and g["sii_lower"] < g["sii"] < g["sii_upper"]
    assert deprivation_gradient(store, "qof_hypertension", 2023) is None   # no decile rows held
    r = compare_indicator(store, "ft93763", "icb", year=2022)
    assert r["inequality"] is not None and r["inequality"]["sii"] == pytest.approx(g["sii"])


def test_headline_rows_are_persons(store: Store) -> None:
    # alcohol-specific admissions under 18 are published for males, females and persons: the headline is persons
    row = store.execute("SELECT value FROM population_values WHERE indicator_id = 'ft92904' AND org_code = 'england' "
                        "AND year = 2018 AND category = ''").fetchone()
    male = store.execute("SELECT value FROM population_values WHERE indicator_id = 'ft92904' AND org_code = 'england' "
                         "AND year = 2018 AND category = 'Male'").fetchone()
    assert row is not None and male is not None and row[0] != male[0]
