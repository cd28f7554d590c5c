"""Cases on both backends: versions, stale updates, append-only history, validation, closure, workflow, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from opmodel.errors import InputError, UnknownCodeError
from opmodel.register import (
    ENFORCEMENT_LADDER,
    Gate,
    Register,
    StaleVersion,
    UserView,
    add_evidence,
    add_item,
    add_user,
    authenticate,
    case_history,
    cases_csv,
    create_case,
    get_case,
    list_cases,
    overdue,
    suggest,
    update_case,
    update_item,
)
from opmodel.register.tables import history, users
from opmodel.store import Store

ON = dt.date(2025, 10, 1)


@pytest.fixture
def region(register_db: Register, reg_store: Store) -> UserView:
    return add_user(register_db, reg_store, "london-editor", "Y56")[0]


def _open(reg: Register, store: Store, user: UserView, **more: object) -> int:
    return create_case(reg, Gate(store, ON), user, {"org_code": "rj1", "programme": "pip", **more}).id


def test_create_answers_the_contract_fields(register_db: Register, reg_store: Store, region: UserView) -> None:
    case = create_case(register_db, Gate(reg_store, ON), region,
                       {"org_code": "RJ1", "programme": "segment_3_support", "trigger_segment": 4,
                        "trigger_period": "2025-26-Q2", "trigger_run": "run-1", "lead_name": "A Director"})
    assert (case.version, case.org_code, case.programme.value, case.status, case.opened_on, case.lead_org) == \
        (1, "RJ1", "segment_3_support", "open", ON, "Y56")
    assert case.trigger_segment == 4 and case.trigger_period == "2025-26-Q2"


def test_bad_input_names_the_field(register_db: Register, reg_store: Store, region: UserView) -> None:
    with pytest.raises(InputError) as err:
        create_case(register_db, Gate(reg_store, ON), region, {"org_code": "RJ1", "programme": "special"})
    assert err.value.problems[0].field == "programme"
    with pytest.raises(UnknownCodeError):
        create_case(register_db, Gate(reg_store, ON), region, {"org_code": "ZZZ9", "programme": "pip"})
    cid = _open(register_db, reg_store, region)
    with pytest.raises(InputError) as err:
        add_item(register_db, Gate(reg_store, ON), region, cid, "action", {"title": "x", "owner": "y",
                                                                           "due_on": "soon"})
    assert err.value.problems[0].field == "due_on"
    assert get_case(register_db, Gate(reg_store, ON), region, cid).version == 1  # nothing written


def test_stale_update_is_refused_with_the_current_version(register_db: Register, reg_store: Store,
                                                          region: UserView) -> None:
    g = Gate(reg_store, ON)
    cid = _open(register_db, reg_store, region)
    update_case(register_db, g, region, cid, 1, {"summary": "first"})
    with pytest.raises(StaleVersion) as err:
        update_case(register_db, g, region, cid, 1, {"summary": "second"})
    assert err.value.current == 2
    assert get_case(register_db, g, region, cid).summary == "first"


def test_history_records_every_change_with_before_and_after(register_db: Register, reg_store: Store,
                                                            region: UserView) -> None:
    g = Gate(reg_store, ON)
    trust = add_user(register_db, reg_store, "gstt-board", "RJ1")[0]
    cid = _open(register_db, reg_store, region)
    case, item = add_item(register_db, g, region, cid, "action",
                          {"title": "Reduce 52-week waits", "owner": "COO", "due_on": "2026-03-31"})
    add_evidence(register_db, g, trust, cid, item, "Q3 waiting list report")
    update_item(register_db, g, region, cid, item, {"status": "done"})
    add_item(register_db, g, region, cid, "enforcement",
             {"step": "enforcement_undertakings", "decided_on": "2025-09-01"})
    case = update_case(register_db, g, region, cid, 5, {"status": "closed", "exit_evidence": "Two quarters in seg 3"})
    events = case_history(register_db, g, region, cid)
    assert [e.seq for e in events] == list(range(1, case.version + 1)) == [1, 2, 3, 4, 5, 6]
    assert [e.action for e in events] == ["open", "add_action", "add_evidence", "update_action", "add_enforcement",
                                          "close"]
    assert events[2].actor == "gstt-board" and events[2].actor_org == "RJ1"
    assert events[3].change == {"before": {"status": "not_started"}, "after": {"status": "done"}}
    assert events[5].change["before"]["status"] == "open" and events[5].change["after"]["closed_on"] == ON.isoformat()
    enforcement = next(i for i in case.items if i.kind.value == "enforcement")
    assert enforcement.data["statutory_basis"] == ENFORCEMENT_LADDER[1].statutory_basis
    assert case.status == "closed" and case.closed_on == ON


def test_closing_needs_exit_evidence(register_db: Register, reg_store: Store, region: UserView) -> None:
    cid = _open(register_db, reg_store, region)
    with pytest.raises(InputError, match="exit evidence"):
        update_case(register_db, Gate(reg_store, ON), region, cid, 1, {"status": "closed"})


def test_unknown_enforcement_step_lists_the_ladder(register_db: Register, reg_store: Store,
                                                   region: UserView) -> None:
    cid = _open(register_db, reg_store, region)
    with pytest.raises(InputError, match="information_notice, enforcement_undertakings"):
        add_item(register_db, Gate(reg_store, ON), region, cid, "enforcement",
                 {"step": "fine", "decided_on": "2025-11-01"})


def test_tokens_are_stored_hashed(register_db: Register, reg_store: Store) -> None:
    user, token = add_user(register_db, reg_store, "someone", "QKK", "viewer")
    with register_db.read() as con:
        stored = con.execute(select(users.c.token_hash).where(users.c.name == "someone")).scalar()
    assert stored != token and token not in str(stored)
    assert authenticate(register_db, token) == user
    assert authenticate(register_db, token + "x") is None


def test_list_filters_and_reads_only_what_the_user_may(register_db: Register, reg_store: Store,
                                                       region: UserView) -> None:
    national = add_user(register_db, reg_store, "national", "X24")[0]
    east = add_user(register_db, reg_store, "east", "Y61")[0]
    g = Gate(reg_store, ON)
    _open(register_db, reg_store, region)
    create_case(register_db, g, national, {"org_code": "RGT", "programme": "rsp"})
    assert [c.org_code for c in list_cases(register_db, g, region)] == ["RJ1"]
    assert [c.org_code for c in list_cases(register_db, g, east)] == ["RGT"]
    assert len(list_cases(register_db, g, national)) == 2
    assert [c.org_code for c in list_cases(register_db, g, national, programme="rsp")] == ["RGT"]
    with register_db.read() as con:
        assert con.execute(select(func.count()).select_from(history)).scalar() == 2


def test_csv_export_has_one_row_per_case(register_db: Register, reg_store: Store, region: UserView) -> None:
    g = Gate(reg_store, ON)
    cid = _open(register_db, reg_store, region)
    add_item(register_db, g, region, cid, "exit_criterion", {"criterion": "segment 3 for two quarters"})
    rows = list(csv.DictReader(io.StringIO(cases_csv(list_cases(register_db, g, region)))))
    assert len(rows) == 1 and rows[0]["org_code"] == "RJ1" and rows[0]["exit_criteria"] == "1"


def test_workflow_suggests_cases_and_exit_reviews_and_lists_overdue(register_db: Register, reg_store: Store,
                                                                    region: UserView) -> None:
    g = Gate(reg_store, ON)
    cid = _open(register_db, reg_store, region, next_review_on="2025-09-01")
    add_item(register_db, g, region, cid, "action", {"title": "late", "owner": "o", "due_on": "2025-09-15"})
    add_item(register_db, g, region, cid, "action", {"title": "future", "owner": "o", "due_on": "2026-09-15"})
    open_cases = list_cases(register_db, g, region)
    segs = [("2025-26-Q1", {"RJ1": 4, "RGT": 2, "RF4": 4}), ("2025-26-Q2", {"RJ1": 3, "RGT": 2, "RF4": 4}),
            ("2025-26-Q3", {"RJ1": 3, "RGT": 5, "RF4": 4})]
    got = {(s.kind, s.org_code) for s in suggest(open_cases, segs)}
    assert got == {("open_case", "RGT"), ("open_case", "RF4"), ("exit_review", "RJ1")}
    late = overdue(open_cases, ON)
    assert [(o.what, o.title, o.days_overdue) for o in late] == [("review", "Case review", 30),
                                                                  ("milestone", "late", 16)]
