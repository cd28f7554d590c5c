"""Issue 24: delegations by date and region, who may act under NOF 2022/23, frameworks by date, the proposed model.

Done-when lines pinned here: `who RJ1 --function specialised_commissioning` on 2024-06-01 (X24, no delegation)
and 2025-10-01 (QKK under a delegation); `who RRK` on 2024-06-01 (QHL under a delegation); `model check`
passes on every model; every statement changed for the issue cites a registry source that says it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from opmodel.accountability import (
    all_citations,
    check_delegation_codes,
    check_frameworks,
    check_model,
    check_models,
    diff_models,
    get_model,
    load_model,
    oversight_framework,
    shipped_models,
    source_registry,
    who,
)
from opmodel.errors import OpmodelError
from opmodel.store import Store
from tests.conftest import Cli

from .conftest import Mutator


def _fn(cli: Cli, org: str, day: str, function: str = "specialised_commissioning") -> dict[str, Any]:
    r = cli("who", org, "--function", function, "--on", day, "--format", "json")
    assert r.exit_code == 0, r.stderr
    [f] = json.loads(r.stdout)["functions"]
    return dict(f)


def test_done_when_specialised_commissioning_by_date_and_region(cli: Cli) -> None:
    before = _fn(cli, "RJ1", "2024-06-01")
    assert (before["commissioned_by"], before["commissioned_under"]) == ("X24", None)
    assert not any(d["in_effect"] for d in before["delegations"])
    icb = next(c for c in before["chain"] if c["tier"] == "icb")
    assert icb["role"] != "responsible" and icb["delegation"] is None
    after = _fn(cli, "RJ1", "2025-10-01")
    assert (after["commissioned_by"], after["commissioned_under"]) == ("QKK", "specialised-to-icbs-2025")
    assert next(c for c in after["chain"] if c["tier"] == "icb")["role"] == "responsible"
    midlands = _fn(cli, "RRK", "2024-06-01")
    assert (midlands["commissioned_by"], midlands["commissioned_under"]) == ("QHL", "specialised-to-icbs-2024")
    assert [d["services"] for d in midlands["delegations"] if d["in_effect"]] == [59]


def test_pharmacy_optometry_dental_early_adopter_from_july_2022(shared_store: Store) -> None:
    trust = shared_store.scalar("SELECT min(child) FROM relationships WHERE rel = 'trust_icb' AND parent = 'QOP' "
                                "AND valid_from <= DATE '2022-10-01'")
    [f] = who(shared_store, str(trust), dt.date(2022, 10, 1), "primary_care_pod").functions
    assert (f.commissioned_by, f.commissioned_under) == ("QOP", "pod-early-adopters")
    assert next(c for c in f.chain if c.tier == "icb").role == "responsible"
    [g] = who(shared_store, "RJ1", dt.date(2022, 10, 1), "primary_care_pod").functions
    assert g.commissioned_by == "X24" and next(c for c in g.chain if c.tier == "icb").role == "none"
    [h] = who(shared_store, "RJ1", dt.date(2023, 4, 1), "primary_care_pod").functions
    assert (h.commissioned_by, h.commissioned_under) == ("QKK", "pod-to-icbs")


def test_primary_medical_services_delegated_from_the_first_day(shared_store: Store) -> None:
    [f] = who(shared_store, "RJ1", dt.date(2022, 7, 1), "primary_care").functions
    assert (f.commissioned_by, f.commissioned_under) == ("QKK", "primary-medical-to-icbs")


def _drop_undelegated(d: dict[str, Any]) -> None:
    del d["roles"]["primary_care_pod"]["icb"]["undelegated"]


def _claim_delegation(d: dict[str, Any]) -> None:
    d["roles"]["finance"]["icb"].update(role="responsible", capacity="payer by delegation")


def test_a_delegate_shown_outside_its_delegation_fails_the_check(mutated: Any) -> None:
    m: Mutator = _drop_undelegated
    found = [f for f in check_model(load_model(mutated("nhs-2022", m))) if f.check == "delegations"]
    assert [f.path for f in found] == ["roles.primary_care_pod.icb"]
    assert "pod-early-adopters from 2022-07-01 for QOP, QU9, QKS" in found[0].message
    claim: Mutator = _claim_delegation
    found = [f for f in check_model(load_model(mutated("nhs-2025", claim))) if f.check == "delegations"]
    assert any(f.path == "roles.finance.icb" and "no delegation of finance" in f.message for f in found)


def test_delegation_codes_must_be_registry_regions_and_icbs(mutated: Any, shared_store: Store) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["delegations"]["specialised-to-icbs-2025"]["regions"] = ["Y56", "QKK"]
        d["delegations"]["pod-early-adopters"]["icbs"] = ["QOP", "Y99"]

    found = check_delegation_codes(load_model(mutated("nhs-2022", fn)), shared_store)
    assert sorted((f.path, f.message.split(",")[0]) for f in found) == [
        ("delegations.pod-early-adopters.icbs", "names ['Y99']"),
        ("delegations.specialised-to-icbs-2025.regions", "names ['QKK']")]


def test_model_check_passes_on_every_shipped_model(cli: Cli) -> None:
    r = cli("model", "check")
    assert r.exit_code == 0 and "no findings" in r.stdout


def test_frameworks_by_date() -> None:
    d22, d25, d26, d27 = (oversight_framework(dt.date.fromisoformat(x))
                          for x in ("2023-06-01", "2025-10-01", "2026-06-01", "2027-06-01"))
    assert (d22.name, d22.segmentation, d22.programme, d22.icbs_segmented) == (
        "NHS Oversight Framework 2022/23", "judgement", "RSP", True)
    assert (d25.name, d25.segmentation, d25.programme, d25.icbs_segmented, d25.segments) == (
        "NHS Oversight Framework 2025/26", "quartiles", "PIP", False, [1, 2, 3, 4, 5])
    assert (d26.name, d26.model, d26.segmentation, d26.icbs_segmented, d26.metrics) == (
        "NHS Oversight Framework 2026/27", "nhs-2025", "thresholds", True, "unknown")
    assert d26.programme is None and d26.sources and "not segmented" not in d26.icb_sentence()
    assert d25.icb_sentence().startswith("ICBs are not segmented under the NHS Oversight Framework 2025/26")
    assert d27.model_status == "proposed" and d27.carried_over == "nhs-2025" and d27.note
    with pytest.raises(OpmodelError, match="states no oversight framework for 2026-06-01"):
        oversight_framework(dt.date(2026, 6, 1), "nhs-2022")


def test_overlapping_frameworks_fail_the_check(mutated: Any) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["frameworks"][1]["effective"]["from"] = dt.date(2026, 3, 1)

    [f] = check_frameworks(load_model(mutated("nhs-2025", fn)))
    assert f.path == "frameworks[1].effective" and "starts 2026-03-01" in f.message


def test_proposed_model_is_never_in_force_and_marks_what_is_carried_over(shared_store: Store) -> None:
    r = who(shared_store, "RJ1", dt.date(2027, 6, 1))
    assert r.model_status == "proposed" and r.model_in_force is False
    spec = next(f for f in r.functions if f.function == "specialised_commissioning")
    assert "carried over come from nhs-2025" in spec.notes[0]
    assert any(ln.carried_over == "nhs-2025" for ln in spec.lines) or any(c.carried_over for c in spec.chain)
    vac = next(f for f in r.functions if f.function == "vaccination_screening")
    assert vac.commissioned_by == "QKK"   # commissioning to move to ICBs (announced, subject to legislation)
    assert who(shared_store, "RJ1", dt.date(2025, 10, 1), "vaccination_screening").functions[0].commissioned_by \
        == "X24"


def test_unmarked_statements_in_a_proposed_model_fail_the_check(mutated: Any) -> None:
    def fn(d: dict[str, Any]) -> None:
        del d["oversight"]["national-contract-specialised"]["carried_over"]

    found = [f for f in check_model(load_model(mutated("nhs-2027-proposed", fn))) if f.check == "proposed"]
    assert [f.path for f in found] == ["oversight.national-contract-specialised"]

    def enacted(d: dict[str, Any]) -> None:
        d["oversight"]["region-oversees-icbs"]["carried_over"] = "nhs-2025"

    found = [f for f in check_model(load_model(mutated("nhs-2022", enacted))) if f.check == "proposed"]
    assert [f.path for f in found] == ["oversight.region-oversees-icbs.carried_over"]


def test_carried_over_must_name_another_model() -> None:
    m22, m25, m27 = (get_model(n) for n in ("nhs-2022", "nhs-2025", "nhs-2027-proposed"))
    assert not check_models([m22, m25, m27])
    found = [f for f in check_models([m22, m27]) if f.check == "references" and "carried" in f.path]
    assert found and all("nhs-2025" in f.message for f in found)


def test_each_body_is_listed_once(shared_store: Store) -> None:
    r = who(shared_store, "RJ1", dt.date(2025, 10, 1))
    for f in r.functions:
        keys = [(b.body, b.dormant) for b in f.bodies]
        assert len(keys) == len(set(keys)), f.function
    elective = next(f for f in r.functions if f.function == "elective_care")
    [dhsc] = [b for b in elective.bodies if b.body == "dhsc"]
    assert "mandate" in dhsc.role and "absorb NHS England" in dhsc.role and len(dhsc.sources) == 3


def test_place_based_partnerships_and_local_government_duties_in_every_model() -> None:
    for m in shipped_models():
        assert "place_partnership" in m.bodies and "place_partnership" in m.functions["population_health"].involves
        la = m.bodies["local_authority"].roles[0]
        assert {c.source for c in la.cite} == {"nhs-act-2006", "hsca-2012"}
        assert any(c.source == "nhs-act-2006" and "s2B" in c.section for c in la.cite)
        hwb = m.bodies["hwb"].roles[0]
        assert any(c.source == "lgpiha-2007" and "s116" in c.section for c in hwb.cite)


def test_proposed_model_reads_ihos_as_contracts_and_aft_as_nominations() -> None:
    m = get_model("nhs-2027-proposed")
    provider = m.tiers["provider"]
    assert "not a kind of organisation" in (provider.description or "")
    assert "nominated" in (provider.note or "") and "designated" not in (provider.note or "").replace(
        "none is designated", "")
    assert "clustering" in (m.tiers["icb"].note or "").lower() and "2025/26" in (m.tiers["icb"].note or "")
    assert "vaccination_screening" in m.functions and m.role("vaccination_screening", "icb").role.value == "commissions"
    assert set(m.announcements) <= set(m.sources)


def test_support_case_leads_differ_between_the_models_where_the_frameworks_do() -> None:
    entries = {e.subject: (e.before, e.after) for e in diff_models(get_model("nhs-2022"), get_model("nhs-2025"))
               if e.area == "support_cases"}
    assert entries == {"other": ("icb", "region"), "pip": (None, "region, national")}
    rules = get_model("nhs-2022").support_cases
    assert rules["segment_3_support"].led_by == ["region"] and rules["rsp"].led_by == ["region", "national"]
    assert rules["other"].led_by == ["icb"]


#: Each statement changed for issue 24: (model, YAML path prefix, source it must cite, words its registry entry
#: must hold). The citation check: the statement cites the source, and the source says what is claimed.
CHANGED = [
    ("nhs-2022", "delegations.specialised-to-icbs-2025", "nhse-board-specialised-2025", "70 to all ICBs"),
    ("nhs-2022", "delegations.specialised-to-icbs-2025", "pinnt-specialised-2025", "on 1 April 2025"),
    ("nhs-2022", "delegations.specialised-to-icbs-2025-more", "nhse-board-specialised-2025", "additional 11"),
    ("nhs-2022", "delegations.specialised-to-icbs-2024", "nhse-board-specialised-2023", "from April 2024"),
    ("nhs-2022", "delegations.pod-early-adopters", "pharmacist-pod-2023", "nine ICBs"),
    ("nhs-2022", "delegations.pod-early-adopters", "medway-pod-2022", "July 2022"),
    ("nhs-2022", "delegations.pod-to-icbs", "pharmacist-pod-2023", "1 April 2023"),
    ("nhs-2022", "delegations.primary-medical-to-icbs", "nhse-delegation-primary-care", "primary medical"),
    ("nhs-2022", "support_cases.other", "nof-2022-23", "resolve local issues before escalating"),
    ("nhs-2022", "support_cases.segment_3_support", "system-oversight", "diagnostic stocktake"),
    ("nhs-2022", "support_cases.rsp", "system-oversight", "Recovery Support Programme"),
    ("nhs-2022", "roles.workforce.national", "htn-operating-framework",
     "has the right knowledge, skills, values and behaviours"),
    ("nhs-2022", "bodies.local_authority", "nhs-act-2006", "s2B"),
    ("nhs-2022", "bodies.local_authority", "hsca-2012", "s12 inserted s2B"),
    ("nhs-2022", "bodies.hwb", "lgpiha-2007", "s116"),
    ("nhs-2022", "bodies.place_partnership", "thriving-places", "Place-based partnerships"),
    ("nhs-2025", "frameworks[1]", "nof-2026-27", "defined thresholds"),
    ("nhs-2025", "oversight.region-performance-manages-icbs", "nof-2026-27", "each ICB is scored and segmented"),
    ("nhs-2025", "functions.vaccination_screening", "nhs-act-2006", "s7A"),
    ("nhs-2025", "delegations.specialised-to-icbs-2025", "sel-specialised-2025", "1 April 2025"),
    ("nhs-2027-proposed", "tiers.provider", "mtpf", "contract-based delivery method, not a new organisational form"),
    ("nhs-2027-proposed", "tiers.provider", "advanced-foundation-trusts", "8 trusts to be assessed"),
    ("nhs-2027-proposed", "tiers.icb", "hcws915", "from 42 to 26"),
    ("nhs-2027-proposed", "tiers.icb", "nhse-icb-mergers-procedure", "1 April 2027"),
    ("nhs-2027-proposed", "roles.vaccination_screening.icb", "mtpf", "vaccination"),
]


@pytest.mark.parametrize(("name", "path", "source", "words"), CHANGED)
def test_every_changed_statement_cites_a_source_that_says_it(name: str, path: str, source: str,
                                                              words: str) -> None:
    m = get_model(name)
    cited = {c.source for p, c in all_citations(m) if p.startswith(path + ".") or p.startswith(path + "[")}
    if path.startswith("tiers."):
        cited |= {c.source for c in m.tiers[path.split(".")[1]].cite}
    assert source in cited, f"{name} {path} does not cite {source} (cites {sorted(cited)})"
    entry = source_registry()[source]
    assert words.lower() in " ".join((entry.supports or "").split()).lower(), f"{source} does not say '{words}'"


def test_the_2025_unknowns_no_longer_call_the_2025_delegation_proposed() -> None:
    for m in shipped_models():
        text = " ".join(u.note for u in m.unknowns).lower()
        assert "proposed for delegation" not in text, m.name
    assert "proposed" not in (source_registry()["nhse-board-specialised-2025"].supports or "").lower()


def test_schema_rejects_an_undelegated_role_that_claims_responsibility(tmp_path: Path) -> None:
    from opmodel.accountability import parse_model
    from opmodel.accountability.library import MODELS_DIR
    from opmodel.errors import InputError

    text = (MODELS_DIR / "nhs-2022.yaml").read_text().replace(
        "        role: none\n        capacity: NHS England commissions directly (before the ICB's delegation)",
        "        role: responsible\n        capacity: NHS England commissions directly (before the ICB's delegation)")
    with pytest.raises(InputError, match="cannot be 'accountable' or 'responsible'"):
        parse_model(text, str(tmp_path / "bad.yaml"))
