"""Issue 13: the models true to their sources (methodology §6.5): dates, delegation, bodies, citations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from opmodel.accountability import (
    all_citations,
    check_model,
    diff_models,
    get_model,
    load_model,
    overseers,
    performance_manager,
    shipped_models,
    source_registry,
    who,
)
from opmodel.store import Store

from .conftest import Mutator


def test_rj1_elective_care_stays_with_its_icb_until_nof_2025_26_was_issued(shared_store: Store) -> None:
    r = who(shared_store, "RJ1", dt.date(2025, 5, 1), "elective_care")
    assert (r.model, r.model_status) == ("nhs-2022", "in_force")
    [f] = r.functions
    assert (f.performance_managed_by, f.performance_managed_by_tier) == ("QKK", "icb")
    assert who(shared_store, "RJ1", dt.date(2025, 6, 25), "elective_care").functions[0].performance_managed_by == "QKK"


def test_inside_the_transition_who_says_so_and_names_both_lines(shared_store: Store) -> None:
    r = who(shared_store, "RJ1", dt.date(2025, 10, 1), "elective_care")
    assert (r.model, r.model_status) == ("nhs-2025", "transition")
    assert r.transition is not None and r.transition.replaces == "nhs-2022" and r.transition.sources
    [f] = r.functions
    assert (f.performance_managed_by, f.previous_performance_managed_by) == ("Y56", "QKK")
    assert f.commissioned_by == "QKK"
    assert any("Transition" in n and "QKK" in n and "Y56" in n for n in f.notes)


def test_a_date_in_the_proposed_model_says_proposed(shared_store: Store) -> None:
    r = who(shared_store, "RJ1", dt.date(2027, 6, 1), "elective_care")
    assert (r.model, r.model_status) == ("nhs-2027-proposed", "proposed")
    assert r.model_status_note and "not enacted" in r.model_status_note
    assert r.functions[0].notes[0].startswith("Proposed model")


def test_primary_care_nhs_england_accountable_icb_responsible_by_delegation(shared_store: Store) -> None:
    for day in (dt.date(2023, 6, 1), dt.date(2025, 10, 1)):
        for fn, start in (("primary_care", dt.date(2022, 7, 1)), ("primary_care_pod", dt.date(2023, 4, 1))):
            [f] = who(shared_store, "RJ1", day, fn).functions
            roles = {c.tier: (c.code, c.role) for c in f.chain}
            assert roles["national"] == ("X24", "accountable") and roles["icb"] == ("QKK", "responsible")
            [d] = f.delegations
            assert (d.delegator, d.delegate, d.start, d.in_effect) == ("X24", "QKK", start, True)
            assert d.sources


def test_pharmacy_optometry_dental_not_yet_delegated_in_2022(shared_store: Store) -> None:
    [f] = who(shared_store, "RJ1", dt.date(2022, 10, 1), "primary_care_pod").functions
    assert not f.delegations[0].in_effect and any("No delegation of primary_care_pod" in n for n in f.notes)
    icb = next(c for c in f.chain if c.tier == "icb")
    assert (icb.code, icb.role, icb.delegation) == ("QKK", "none", None)
    assert f.commissioned_by == "X24" and f.commissioned_under is None


def test_specialised_commissioning_by_region_and_date(shared_store: Store) -> None:
    """Issue 24: three regions from 1 April 2024; every region from 1 April 2025 (70 services)."""
    london = who(shared_store, "RJ1", dt.date(2024, 6, 1), "specialised_commissioning").functions[0]
    assert london.commissioned_by == "X24" and london.commissioned_under is None
    assert [(d.delegation_id, d.in_effect) for d in london.delegations] == [("specialised-to-icbs-2025", False)]
    later = who(shared_store, "RJ1", dt.date(2025, 10, 1), "specialised_commissioning").functions[0]
    assert (later.commissioned_by, later.commissioned_under) == ("QKK", "specialised-to-icbs-2025")
    assert later.delegations[0].services == 70
    midlands_trust = shared_store.scalar(
        "SELECT r.child FROM relationships r JOIN relationships p ON p.child = r.parent "
        "WHERE r.rel = 'trust_icb' AND p.parent = 'Y60' AND r.valid_to IS NULL ORDER BY r.child LIMIT 1")
    [f] = who(shared_store, str(midlands_trust), dt.date(2025, 10, 1), "specialised_commissioning").functions
    assert [d.delegation_id for d in f.delegations] == ["specialised-to-icbs-2024", "specialised-to-icbs-2025-more"]
    assert all(d.in_effect and d.delegator == "X24" for d in f.delegations)
    assert sum(d.services or 0 for d in f.delegations) == 70
    roles = {c.tier: c.role for c in f.chain}
    assert roles["national"] == "accountable" and roles["icb"] == "responsible"


def test_quality_stays_with_trust_boards_in_both_models() -> None:
    for m in shipped_models():
        entry = m.role("quality_safety", "provider")
        assert entry is not None and entry.role.value == "accountable", m.name


def test_icb_annual_assessment_and_intervention_powers_in_every_model() -> None:
    for m in shipped_models():
        powers = " ".join(p for ln in m.oversight.values() if ln.subject == "icb" for p in ln.powers)
        assert "s14Z59" in powers and "s14Z61" in powers, m.name


def test_diff_no_longer_reports_icb_contracts_or_intervention_powers_as_new() -> None:
    entries = diff_models(get_model("nhs-2022"), get_model("nhs-2025"))
    assert not [e for e in entries if e.area == "commissioning"]
    added = [e.after for e in entries if e.area == "powers" and e.after]
    assert not [p for p in added if "s14Z61" in p or "s14Z59" in p]


def test_diff_to_the_proposed_model_works() -> None:
    entries = diff_models(get_model("nhs-2025"), get_model("nhs-2027-proposed"))
    assert any(e.area == "period" for e in entries)
    assert any(e.area == "powers" and e.after and "merged department" in e.after for e in entries)


def test_every_body_with_a_role_is_in_the_2025_model() -> None:
    m = get_model("nhs-2025")
    assert {"dhsc", "cqc", "icp", "hwb", "local_authority", "provider_collaborative", "region_leadership"} <= set(
        m.bodies)
    dormant = [r for r in m.bodies["cqc"].roles if r.dormant]
    assert dormant and "s46B" in dormant[0].role
    assert all(f.involves for f in m.functions.values())


def test_every_citation_names_a_registered_source() -> None:
    registry = source_registry()
    for m in shipped_models():
        assert m.sources, m.name
        for path, c in all_citations(m):
            assert c.source in registry, f"{m.name} {path}: '{c.source}' is not in sources.yaml"


def test_the_two_misattributed_citations_are_fixed() -> None:
    for m in shipped_models():
        for path, c in all_citations(m):
            if c.source == "nwc-senate-operating-framework":
                raise AssertionError(f"{m.name} {path} cites the senate news item, which does not say that")
            if "right skills and values" in c.section:
                assert c.source == "htn-operating-framework", path
    assert registry_publisher("htn-operating-framework").startswith("HTN")


def registry_publisher(sid: str) -> str:
    return source_registry()[sid].publisher or ""


def test_a_citation_to_an_unregistered_source_fails_the_check(mutated: Any) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["roles"]["finance"]["icb"]["cite"][0]["source"] = "made-up-source"

    mutate: Mutator = fn
    path: Path = mutated("nhs-2025", mutate)
    found = [f for f in check_model(load_model(path)) if f.check == "references"]
    assert [f.path for f in found] == ["roles.finance.icb.cite[0].source"]


def test_a_delegate_made_accountable_is_a_finding(mutated: Any) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["roles"]["primary_care"]["icb"]["role"] = "accountable"
        d["roles"]["primary_care"]["national"]["role"] = "supports"

    found = [f for f in check_model(load_model(mutated("nhs-2025", fn))) if f.check == "delegations"]
    assert {f.path for f in found} == {"roles.primary_care.icb", "delegations.primary-medical-to-icbs.delegator"}
    assert any("never" in f.message or "stays with the delegator" in f.message for f in found)


def test_overseers_and_function_performance_manager_for_the_register(shared_store: Store) -> None:
    day = dt.date(2025, 10, 1)
    rel = {(r.relation, r.code) for r in overseers(shared_store, "RJ1", day, "elective_care")}
    assert rel == {("performance_manages", "Y56"), ("escalation", "X24"), ("commissions", "QKK")}
    pc = {(r.relation, r.code) for r in overseers(shared_store, "RJ1", day, "primary_care")}
    assert ("delegates", "QKK") in pc and ("performance_manages", "QKK") in pc
    assert performance_manager(shared_store, "RJ1", day, function="primary_care") == "QKK"
    assert performance_manager(shared_store, "RJ1", day, function="elective_care") == "Y56"
    assert overseers(shared_store, "X24", day) == []
