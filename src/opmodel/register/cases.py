"""Opening, changing and reading support cases: every change checked, versioned and written to history.

Each change runs in one transaction that bumps the case's version and appends a
history event numbered with the new version, so the history holds exactly one
event per accepted change and two writers can never both succeed from the same
version (optimistic concurrency: a stale ``expected_version`` is refused with
the current one). Nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, insert, select, update

from opmodel.errors import InputError, InputProblem, OpmodelError, UnknownCodeError
from opmodel.register.access import Action, Gate
from opmodel.register.database import Register
from opmodel.register.ladder import enforcement_step
from opmodel.register.models import (
    ITEM_MODELS,
    CaseCreate,
    CaseUpdate,
    CaseView,
    HistoryEvent,
    ItemKind,
    ItemView,
    UserView,
)
from opmodel.register.tables import case_items, cases, history
from opmodel.structure import get_organisation

__all__ = [
    "StaleVersion",
    "add_evidence",
    "add_item",
    "case_history",
    "create_case",
    "get_case",
    "list_cases",
    "update_case",
    "update_item",
    "validate_item",
]

_CASE_FIELDS = ("org_code", "programme", "status", "opened_on", "closed_on", "lead_org", "lead_name",
                "trigger_segment", "trigger_period", "trigger_run", "summary", "next_review_on", "exit_evidence")


class StaleVersion(OpmodelError):
    """The case changed since the caller read it (HTTP 409); ``current`` is its version now."""

    def __init__(self, case_id: int, expected: int, current: int) -> None:
        self.case_id, self.expected, self.current = case_id, expected, current
        super().__init__(f"Case {case_id} is at version {current}, not {expected}: someone changed it since "
                         "you read it. Reload it and apply your change again.")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _invalid(exc: ValidationError, what: str) -> InputError:
    return InputError([InputProblem(what, None, ".".join(str(x) for x in e["loc"]) or None, e["msg"])
                       for e in exc.errors()])


def validate_item(kind: ItemKind | str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` checked against its kind's model, as JSON-ready values (enforcement gets its statutory basis)."""
    try:
        k = ItemKind(kind)
    except ValueError:
        raise InputError.one("item", None, "kind", f"expected one of {', '.join(i.value for i in ItemKind)}, "
                             f"got {kind!r}") from None
    try:
        item = ITEM_MODELS[k].model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, k.value) from None
    out: dict[str, Any] = item.model_dump(mode="json")
    if k is ItemKind.ENFORCEMENT:
        try:
            out["statutory_basis"] = enforcement_step(out["step"]).statutory_basis
        except OpmodelError as exc:
            raise InputError.one("enforcement", None, "step", str(exc)) from None
    return out


def _record(con: Connection, case_id: int, seq: int, actor: UserView, action: str, change: dict[str, Any],
            item_id: int | None = None, at: dt.datetime | None = None) -> None:
    con.execute(insert(history).values(case_id=case_id, seq=seq, actor=actor.name, actor_org=actor.org_code,
                                       at=at or _now(), action=action, item_id=item_id, change=change))


def _case_row(con: Connection, case_id: int) -> Any:
    row = con.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        raise UnknownCodeError("support case", str(case_id))
    return row


def _bump(con: Connection, case_id: int, expected: int | None, values: dict[str, Any] | None = None) -> int:
    """Move the case to its next version (only from ``expected`` when given); the new version."""
    stmt = update(cases).where(cases.c.id == case_id)
    if expected is not None:
        stmt = stmt.where(cases.c.version == expected)
    new = con.execute(stmt.values(version=cases.c.version + 1, updated_at=_now(), **(values or {}))
                      .returning(cases.c.version)).scalar()
    if new is None:
        current = _case_row(con, case_id).version
        raise StaleVersion(case_id, expected if expected is not None else current, current)
    return int(new)


def _view(con: Connection, row: Any) -> CaseView:
    items = [ItemView.model_validate(r, from_attributes=True) for r in
             con.execute(select(case_items).where(case_items.c.case_id == row.id).order_by(case_items.c.id))]
    return CaseView.model_validate({**row._mapping, "items": items})


def create_case(register: Register, gate: Gate, user: UserView, body: CaseCreate | dict[str, Any]) -> CaseView:
    """Open a case for ``body.org_code`` (the user's organisation must be allowed to change its cases)."""
    try:
        data = body if isinstance(body, CaseCreate) else CaseCreate.model_validate(body)
    except ValidationError as exc:
        raise _invalid(exc, "case") from None
    org = get_organisation(gate.store, data.org_code).code
    gate.require(user, org, "write", data.programme.value)   # the model says who leads which programme
    lead = get_organisation(gate.store, data.lead_org).code if data.lead_org else user.org_code
    now = _now()
    values = {**data.model_dump(), "org_code": org, "lead_org": lead, "programme": data.programme.value,
              "status": "open", "opened_on": data.opened_on or gate.on}
    with register.write() as con:
        case_id = con.execute(insert(cases).values(
            **values, version=1, created_by=user.name, created_at=now, updated_at=now)).inserted_primary_key
        assert case_id is not None
        cid = int(case_id[0])
        _record(con, cid, 1, user, "open", {"before": None, "after": {k: _json(v) for k, v in values.items()}},
                at=now)
        return _view(con, _case_row(con, cid))


def _readable(register: Register, gate: Gate, user: UserView, case_id: int, action: Action) -> Any:
    with register.read() as con:
        row = _case_row(con, case_id)
    gate.require(user, row.org_code, action, row.programme)   # rights depend on the case's programme
    return row


def get_case(register: Register, gate: Gate, user: UserView, case_id: int) -> CaseView:
    _readable(register, gate, user, case_id, "read")
    with register.read() as con:
        return _view(con, _case_row(con, case_id))


def update_case(register: Register, gate: Gate, user: UserView, case_id: int, expected_version: int,
                body: CaseUpdate | dict[str, Any]) -> CaseView:
    """Change a case's own fields from ``expected_version``; closing needs exit evidence and a date."""
    try:
        data = body if isinstance(body, CaseUpdate) else CaseUpdate.model_validate(body)
    except ValidationError as exc:
        raise _invalid(exc, "case") from None
    current = _readable(register, gate, user, case_id, "write")
    changes = data.model_dump(exclude_unset=True)
    if "programme" in changes and changes["programme"] is not None:
        changes["programme"] = changes["programme"].value
        gate.require(user, current.org_code, "write", changes["programme"])   # must lead the new programme too
    with register.write() as con:
        row = _case_row(con, case_id)
        if row.version != expected_version:
            raise StaleVersion(case_id, expected_version, row.version)
        if changes.get("status") == "closed" and row.status != "closed":
            if not (changes.get("exit_evidence") or row.exit_evidence):
                raise InputError.one("case", None, "exit_evidence", "closing a case needs the exit evidence")
            changes.setdefault("closed_on", gate.on)
        before = {k: _json(getattr(row, k)) for k in changes}
        after = {k: _json(v) for k, v in changes.items()}
        new = _bump(con, case_id, expected_version, changes)
        action = "close" if changes.get("status") == "closed" and row.status != "closed" else "update"
        _record(con, case_id, new, user, action, {"before": before, "after": after})
        return _view(con, _case_row(con, case_id))


def add_item(register: Register, gate: Gate, user: UserView, case_id: int, kind: ItemKind | str,
             data: dict[str, Any], expected_version: int | None = None) -> tuple[CaseView, int]:
    """Add a finding, action, offer, enforcement step, exit criterion or review; the case and the item id.

    A contract action (an action with ``contract: true``) needs only the contract right an ICB holds.
    """
    clean = validate_item(kind, data)
    k = ItemKind(kind)
    action: Action = "contract_action" if k is ItemKind.ACTION and clean.get("contract") else "write"
    _readable(register, gate, user, case_id, action)
    now = _now()
    with register.write() as con:
        new = _bump(con, case_id, expected_version)
        item = con.execute(insert(case_items).values(case_id=case_id, kind=k.value, data=clean,
                                                     created_by=user.name, created_at=now, updated_at=now)
                           ).inserted_primary_key
        assert item is not None
        item_id = int(item[0])
        _record(con, case_id, new, user, f"add_{k.value}", {"before": None, "after": clean}, item_id, now)
        return _view(con, _case_row(con, case_id)), item_id


def _item_row(con: Connection, case_id: int, item_id: int) -> Any:
    row = con.execute(select(case_items).where(case_items.c.id == item_id, case_items.c.case_id == case_id)).first()
    if row is None:
        raise UnknownCodeError(f"item of case {case_id}", str(item_id))
    return row


def update_item(register: Register, gate: Gate, user: UserView, case_id: int, item_id: int,
                changes: dict[str, Any], expected_version: int | None = None) -> CaseView:
    """Change fields of one item (e.g. an action's status, an exit criterion met); the old values stay in history."""
    _readable(register, gate, user, case_id, "write")
    with register.write() as con:
        row = _item_row(con, case_id, item_id)
        merged = validate_item(row.kind, {**row.data, **changes})
        new = _bump(con, case_id, expected_version)
        con.execute(update(case_items).where(case_items.c.id == item_id).values(data=merged, updated_at=_now()))
        before = {k: row.data.get(k) for k in changes}
        _record(con, case_id, new, user, f"update_{row.kind}",
                {"before": before, "after": {k: merged.get(k) for k in changes}}, item_id)
        return _view(con, _case_row(con, case_id))


def add_evidence(register: Register, gate: Gate, user: UserView, case_id: int, item_id: int, evidence: str,
                 expected_version: int | None = None) -> CaseView:
    """Append evidence to an action (what a trust's users may do to their own cases)."""
    text = evidence.strip()
    if not text:
        raise InputError.one("action", None, "evidence", "evidence must not be empty")
    _readable(register, gate, user, case_id, "evidence")
    with register.write() as con:
        row = _item_row(con, case_id, item_id)
        if row.kind != ItemKind.ACTION.value:
            raise InputError.one(row.kind, None, "evidence", "evidence is added to actions only")
        data = dict(row.data)
        data["evidence"] = [*data.get("evidence", []), text]
        new = _bump(con, case_id, expected_version)
        con.execute(update(case_items).where(case_items.c.id == item_id).values(data=data, updated_at=_now()))
        _record(con, case_id, new, user, "add_evidence",
                {"before": {"evidence": row.data.get("evidence", [])}, "after": {"evidence": data["evidence"]}},
                item_id)
        return _view(con, _case_row(con, case_id))


def case_history(register: Register, gate: Gate, user: UserView, case_id: int) -> list[HistoryEvent]:
    """Every change to the case, oldest first."""
    _readable(register, gate, user, case_id, "read")
    with register.read() as con:
        return [HistoryEvent.model_validate(r, from_attributes=True) for r in
                con.execute(select(history).where(history.c.case_id == case_id).order_by(history.c.seq))]


def list_cases(register: Register, gate: Gate | None, user: UserView | None, *, org_codes: set[str] | None = None,
               status: str | None = None, programme: str | None = None) -> list[CaseView]:
    """Cases the user may read (all when ``user`` is None: trusted local callers), optionally filtered."""
    stmt = select(cases).order_by(cases.c.id)
    if status:
        stmt = stmt.where(cases.c.status == status)
    if programme:
        stmt = stmt.where(cases.c.programme == programme)
    if org_codes is not None:
        stmt = stmt.where(cases.c.org_code.in_(sorted(org_codes)))
    with register.read() as con:
        rows = list(con.execute(stmt))
        if user is not None and gate is not None:
            rows = [r for r in rows if gate.decide(user, r.org_code, "read").allowed]
        return [_view(con, r) for r in rows]
