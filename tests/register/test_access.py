"""The access matrix (region/ICB/trust/national x own/other organisation x read/write) under both models.

RJ1 (Guy's and St Thomas') sits in ICB QKK and region Y56; RGT (Cambridge) is the
"other" organisation for all of them. Under nhs-2022 (NOF 2022/23) the ICB leads
local support while the region leads mandated support and, with NHS England
national, the RSP; under nhs-2025 the region performance-manages and leads every
programme and the ICB keeps contract levers (methodology §5, §6.2, §6.4; issue 24).
"""

from __future__ import annotations

import datetime as dt

import pytest

from opmodel.accountability import diff_models, get_model
from opmodel.register import (
    AccessDenied,
    Gate,
    Register,
    Role,
    UserView,
    add_evidence,
    add_item,
    add_user,
    create_case,
    decide,
    get_case,
    update_case,
)
from opmodel.store import Store

ON_2022 = dt.date(2023, 6, 1)
ON_2025 = dt.date(2025, 10, 1)
USERS = {"region": "Y56", "icb": "QKK", "trust": "RJ1", "national": "X24"}
OWN, OTHER = "RJ1", "RGT"

# (user kind, own/other) -> (read, write) under each model
EXPECTED = {
    "nhs-2022": {("region", "own"): (True, True), ("icb", "own"): (True, True), ("trust", "own"): (True, False),
                 ("national", "own"): (True, True), ("region", "other"): (False, False),
                 ("icb", "other"): (False, False), ("trust", "other"): (False, False),
                 ("national", "other"): (True, True)},
    "nhs-2025": {("region", "own"): (True, True), ("icb", "own"): (True, False), ("trust", "own"): (True, False),
                 ("national", "own"): (True, True), ("region", "other"): (False, False),
                 ("icb", "other"): (False, False), ("trust", "other"): (False, False),
                 ("national", "other"): (True, True)},
}


def _user(kind: str, role: Role = Role.EDITOR) -> UserView:
    return UserView(id=0, name=f"{kind}-user", org_code=USERS[kind], role=role)


def _matrix(store: Store, on: dt.date, model: str | None = None) -> dict[tuple[str, str], tuple[bool, bool]]:
    out = {}
    for kind in USERS:
        for which, org in (("own", OWN), ("other", OTHER)):
            read = decide(store, _user(kind), org, "read", on, model).allowed
            write = decide(store, _user(kind), org, "write", on, model).allowed
            out[(kind, which)] = (read, write)
    return out


@pytest.mark.parametrize(("on", "model"), [(ON_2022, "nhs-2022"), (ON_2025, "nhs-2025")])
def test_access_matrix_follows_the_model_in_force(reg_store: Store, on: dt.date, model: str) -> None:
    assert decide(reg_store, _user("region"), OWN, "read", on).model == model
    assert _matrix(reg_store, on) == EXPECTED[model]


PROGRAMMES = ("other", "segment_3_support", "rsp", "pip")
TIER_OF = {"region": "region", "icb": "icb", "national": "national", "trust": "provider"}


def _writes(store: Store, on: dt.date, model: str) -> dict[tuple[str, str], bool]:
    return {(kind, p): decide(store, _user(kind), OWN, "write", on, model, p).allowed
            for kind in USERS for p in PROGRAMMES}


def test_nof_2022_23_division_of_labour(reg_store: Store) -> None:
    """Region: mandated support and RSP; ICB: local support only; national: the RSP (and all else)."""
    w = _writes(reg_store, ON_2022, "nhs-2022")
    assert {p for p in PROGRAMMES if w[("region", p)]} == {"segment_3_support", "rsp"}
    assert {p for p in PROGRAMMES if w[("icb", p)]} == {"other"}
    assert w[("national", "rsp")] and not any(w[("trust", p)] for p in PROGRAMMES)
    refused = decide(reg_store, _user("icb"), OWN, "write", ON_2022, None, "rsp")
    assert not refused.allowed and "led by Y56, X24 under nhs-2022" in refused.reason
    assert "leads only its other cases" in refused.reason
    granted = decide(reg_store, _user("region"), OWN, "write", ON_2022)
    assert granted.allowed and granted.leads == ["rsp", "segment_3_support"]
    # the ICB keeps its contract lever and, as first-line overseer, adds evidence
    assert decide(reg_store, _user("icb"), OWN, "contract_action", ON_2022, None, "rsp").allowed


def test_the_two_models_give_different_answers_exactly_where_they_differ(reg_store: Store) -> None:
    old, new = _writes(reg_store, ON_2022, "nhs-2022"), _writes(reg_store, ON_2025, "nhs-2025")
    differ = {k for k in old if old[k] != new[k]}
    changed = {e.subject: (e.before, e.after) for e in diff_models(get_model("nhs-2022"), get_model("nhs-2025"))
               if e.area == "support_cases"}
    expected = set()
    for p, (before, after) in changed.items():
        leads_before = set((before or "").split(", ")) | {"national"}
        leads_after = set((after or "").split(", ")) | {"national"}
        for kind, tier in TIER_OF.items():
            if (tier in leads_before) != (tier in leads_after):
                expected.add((kind, p))
    assert differ == expected == {("icb", "other"), ("region", "other"), ("region", "pip")}


def test_changing_the_model_on_the_same_date_changes_the_answer(reg_store: Store) -> None:
    assert decide(reg_store, _user("region"), OWN, "write", ON_2025, None, "other").allowed
    refused = decide(reg_store, _user("region"), OWN, "write", ON_2025, "nhs-2022", "other")
    assert not refused.allowed
    assert refused.model == "nhs-2022" and "RJ1's other cases are led by QKK" in refused.reason


def test_icb_keeps_contract_actions_under_2025_and_trust_adds_evidence(reg_store: Store) -> None:
    assert decide(reg_store, _user("icb"), OWN, "contract_action", ON_2025).allowed
    assert not decide(reg_store, _user("icb"), OWN, "evidence", ON_2025).allowed
    assert decide(reg_store, _user("trust"), OWN, "evidence", ON_2025).allowed
    assert not decide(reg_store, _user("trust"), OTHER, "evidence", ON_2025).allowed


def test_viewers_only_read(reg_store: Store) -> None:
    viewer = _user("national", Role.VIEWER)
    assert decide(reg_store, viewer, OWN, "read", ON_2025).allowed
    d = decide(reg_store, viewer, OWN, "write", ON_2025)
    assert not d.allowed and "viewer role" in d.reason


def test_refusals_say_why(reg_store: Store) -> None:
    d = decide(reg_store, _user("region"), OTHER, "read", ON_2025)
    assert not d.allowed
    assert d.reason.startswith("read refused: Y56 has no oversight or contract line to RGT under nhs-2025")
    assert "Y61 performance-manages RGT" in d.reason


def test_access_is_enforced_on_real_cases(register_db: Register, reg_store: Store) -> None:
    region, _ = add_user(register_db, reg_store, "london", "Y56")
    icb, _ = add_user(register_db, reg_store, "sel-icb", "QKK")
    trust, _ = add_user(register_db, reg_store, "gstt", "RJ1")
    other, _ = add_user(register_db, reg_store, "east", "Y61")
    g25, g22 = Gate(reg_store, ON_2025), Gate(reg_store, ON_2022)
    with pytest.raises(AccessDenied, match="write refused: RJ1's other cases are led by QKK under nhs-2022"):
        create_case(register_db, g22, region, {"org_code": "RJ1", "programme": "other"})
    with pytest.raises(AccessDenied, match="write refused: RJ1's rsp cases are led by Y56, X24"):
        create_case(register_db, g22, icb, {"org_code": "RJ1", "programme": "rsp"})
    rsp = create_case(register_db, g22, region, {"org_code": "RJ1", "programme": "rsp"})
    assert rsp.lead_org == "Y56"
    case = create_case(register_db, g25, region, {"org_code": "RJ1", "programme": "pip"})
    assert case.lead_org == "Y56"
    with pytest.raises(AccessDenied):
        get_case(register_db, g25, other, case.id)
    with pytest.raises(AccessDenied, match="write refused"):
        add_item(register_db, g25, icb, case.id, "action", {"title": "t", "owner": "o", "due_on": "2026-01-01"})
    case, action = add_item(register_db, g25, icb, case.id, "action",
                            {"title": "contract notice", "owner": "ICB", "due_on": "2026-01-01", "contract": True})
    with pytest.raises(AccessDenied):
        update_case(register_db, g25, trust, case.id, case.version, {"summary": "ours"})
    case = add_evidence(register_db, g25, trust, case.id, action, "board minutes")
    assert case.items[0].data["evidence"] == ["board minutes"]
    # under the 2022 model the ICB changes a local support case, not an RSP one, and cannot re-label it
    local = create_case(register_db, g22, icb, {"org_code": "RJ1", "programme": "other"})
    local = update_case(register_db, g22, icb, local.id, local.version, {"summary": "ICB led"})
    with pytest.raises(AccessDenied):
        update_case(register_db, g22, icb, rsp.id, rsp.version, {"summary": "not ours"})
    with pytest.raises(AccessDenied, match="rsp cases are led by"):
        update_case(register_db, g22, icb, local.id, local.version, {"programme": "rsp"})
