"""The access matrix (region/ICB/trust/national x own/other organisation x read/write) under both models.

RJ1 (Guy's and St Thomas') sits in ICB QKK and region Y56; RGT (Cambridge) is the
"other" organisation for all of them. Under nhs-2022 (NOF 2022/23) the ICB
performance-manages providers; under nhs-2025 the region does and the ICB keeps
contract levers (methodology §5, §6.2), so region and ICB answers swap.
"""

from __future__ import annotations

import datetime as dt

import pytest

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
    "nhs-2022": {("region", "own"): (True, False), ("icb", "own"): (True, True), ("trust", "own"): (True, False),
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


def test_the_two_models_give_different_answers_where_they_differ(reg_store: Store) -> None:
    old, new = _matrix(reg_store, ON_2022), _matrix(reg_store, ON_2025)
    differ = {k for k in old if old[k] != new[k]}
    assert differ == {("region", "own"), ("icb", "own")}


def test_changing_the_model_on_the_same_date_changes_the_answer(reg_store: Store) -> None:
    assert decide(reg_store, _user("region"), OWN, "write", ON_2025).allowed
    refused = decide(reg_store, _user("region"), OWN, "write", ON_2025, "nhs-2022")
    assert not refused.allowed
    assert refused.model == "nhs-2022" and "QKK performance-manages RJ1" in refused.reason


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
    with pytest.raises(AccessDenied, match="write refused: Y56 is RJ1's region under nhs-2022"):
        create_case(register_db, g22, region, {"org_code": "RJ1", "programme": "rsp"})
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
    # under the 2022 model the ICB, not the region, changes the same case
    update_case(register_db, g22, icb, case.id, case.version, {"summary": "ICB led"})
