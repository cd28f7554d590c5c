"""Opening, changing and reading support cases: every change checked, versioned and written to history.

Each change runs in one transaction that first locks the case's row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
admits one writer at a time), then reads the item it changes, so two writers
can never both read the same evidence list and each keep only their own entry
(the lost writes of issue 23). The transaction bumps the case's version and
appends a history event numbered with the new version, so the history holds
exactly one event per accepted change; a stale ``expected_version`` is refused
with the current one. Nothing is ever deleted.

History events record what changed, not whole lists (``added``/``removed``
entries for evidence and attendees), and the date and operating model the
change was authorised under (the gate's: the server's today, the model in
force).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection, func, insert, select, update

from opmodel.errors import InputError, InputProblem, OpmodelError, UnknownCodeError
from opmodel.register.access import Action, Gate
from opmodel.register.database import Register
from opmodel.register.ladder import enforcement_step
from opmodel.register.models import (
    ITEM_MODELS,
    LIMITS,
    MAX_CASE_ID,
    CaseCreate,
    CaseUpdate,
    CaseView,
    EvidenceText,
    HistoryEvent,
    ItemKind,
    ItemView,
    Role,
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

#: Item fields that hold lists of entries; history records the entries added and removed.
LIST_FIELDS = ("evidence", "attendees")
#: Item dates that record something that has happened, so they cannot lie after the server's today.
_PAST_DATES = {ItemKind.ENFORCEMENT: "decided_on", ItemKind.REVIEW: "held_on"}
_EVIDENCE = TypeAdapter(EvidenceText)


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


def _check_id(what: str, value: int) -> int:
    """Ids outside the database's integer range name nothing: 404 (never an overflow deeper down)."""
    if not 1 <= value <= MAX_CASE_ID:
        raise UnknownCodeError(what, str(value)[:40])
    return value


def validate_item(kind: ItemKind | str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` checked against its kind's model, as JSON-ready values (enforcement gets its statutory basis)."""
    try:
        k = ItemKind(kind)
    except ValueError:
        raise InputError.one("item", None, "kind", f"expected one of {', '.join(i.value for i in ItemKind)}, "
                             f"got {str(kind)[:40]!r}") from None
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


def _not_after(what: str, name: str, value: Any, today: dt.date) -> None:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(day, dt.date) and day > today:
        raise InputError.one(what, None, name, f"must not be after today ({today.isoformat()}): it records "
                             f"something that has happened; got {day.isoformat()}")


def _minus(a: list[Any], b: list[Any]) -> list[Any]:
    """Entries of ``a`` not matched by one in ``b`` (a multiset difference that keeps ``a``'s order)."""
    left = list(b)
    out = []
    for x in a:
        if x in left:
            left.remove(x)
        else:
            out.append(x)
    return out


def change_of(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """What a change did: ``before``/``after`` for fields, ``added``/``removed`` for list entries."""
    if before is None:
        return {"before": None, "after": after}
    out: dict[str, Any] = {}
    scalars = [k for k in after if k not in LIST_FIELDS]
    if scalars:
        out["before"] = {k: before.get(k) for k in scalars}
        out["after"] = {k: after[k] for k in scalars}
    for k in LIST_FIELDS:
        if k not in after:
            continue
        old, new = list(before.get(k) or []), list(after[k] or [])
        added, removed = _minus(new, old), _minus(old, new)
        if added:
            out.setdefault("added", {})[k] = added
        if removed:
            out.setdefault("removed", {})[k] = removed
    return out


def _record(con: Connection, gate: Gate, case_id: int, seq: int, actor: UserView, action: str,
            change: dict[str, Any], item_id: int | None = None, at: dt.datetime | None = None) -> None:
    con.execute(insert(history).values(case_id=case_id, seq=seq, actor=actor.name, actor_org=actor.org_code,
                                       at=at or _now(), action=action, item_id=item_id, change=change,
                                       decided_on=gate.on, model=gate.model.name))


def _case_row(con: Connection, case_id: int, lock: bool = False) -> Any:
    stmt = select(cases).where(cases.c.id == _check_id("support case", case_id))
    row = con.execute(stmt.with_for_update() if lock else stmt).first()
    if row is None:
        raise UnknownCodeError("support case", str(case_id))
    return row


def _locked(con: Connection, case_id: int, expected: int | None) -> Any:
    """The case row, locked for this transaction, at ``expected`` (when given) or refused as stale."""
    row = _case_row(con, case_id, lock=True)
    if expected is not None and row.version != expected:
        raise StaleVersion(case_id, expected, row.version)
    return row


def _bump(con: Connection, row: Any, values: dict[str, Any] | None = None) -> int:
    """Move the locked case to its next version; the new version."""
    new = row.version + 1
    con.execute(update(cases).where(cases.c.id == row.id, cases.c.version == row.version)
                .values(version=new, updated_at=_now(), **(values or {})))
    return int(new)


def _view(con: Connection, row: Any) -> CaseView:
    items = [ItemView.model_validate(r, from_attributes=True) for r in
             con.execute(select(case_items).where(case_items.c.case_id == row.id).order_by(case_items.c.id))]
    return CaseView.model_validate({**row._mapping, "items": items})


def _lead(gate: Gate, user: UserView, org: str, lead_org: str | None, programme: str | None = None) -> str:
    """The lead body: the opening user's organisation, or (for NHS England national only) another body
    that may itself change the organisation's cases."""
    if not lead_org:
        return user.org_code
    lead = get_organisation(gate.store, lead_org).code
    if lead == user.org_code:
        return lead
    if gate.decide(user, org, "write").relation != "national":
        raise InputError.one("case", None, "lead_org", f"only NHS England national may name another body as the "
                             f"lead; leave it out or give your own organisation ({user.org_code})")
    as_lead = UserView(id=0, name=lead, org_code=lead, role=Role.EDITOR)
    if not gate.decide(as_lead, org, "write", programme).allowed:
        raise InputError.one("case", None, "lead_org", f"{lead} may not change {org}'s cases under "
                             f"{gate.model.name}, so it cannot lead one")
    return lead


def create_case(register: Register, gate: Gate, user: UserView, body: CaseCreate | dict[str, Any]) -> CaseView:
    """Open a case for ``body.org_code`` (the user's organisation must be allowed to change its cases)."""
    try:
        data = body if isinstance(body, CaseCreate) else CaseCreate.model_validate(body)
    except ValidationError as exc:
        raise _invalid(exc, "case") from None
    org = get_organisation(gate.store, data.org_code).code
    gate.require(user, org, "write", data.programme.value)   # the model says who leads which programme
    lead = _lead(gate, user, org, data.lead_org, data.programme.value)
    if data.opened_on is not None:
        _not_after("case", "opened_on", data.opened_on, gate.on)
    now = _now()
    values = {**data.model_dump(), "org_code": org, "lead_org": lead, "programme": data.programme.value,
              "status": "open", "opened_on": data.opened_on or gate.on}
    with register.write() as con:
        case_id = con.execute(insert(cases).values(
            **values, version=1, created_by=user.name, created_at=now, updated_at=now)).inserted_primary_key
        assert case_id is not None
        cid = int(case_id[0])
        _record(con, gate, cid, 1, user, "open", change_of(None, {k: _json(v) for k, v in values.items()}), at=now)
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
        row = _locked(con, case_id, expected_version)
        closing = changes.get("status") == "closed" and row.status != "closed"
        if closing:
            if not (changes.get("exit_evidence") or row.exit_evidence):
                raise InputError.one("case", None, "exit_evidence", "closing a case needs the exit evidence")
            changes.setdefault("closed_on", gate.on)
        if changes.get("closed_on") is not None:
            _not_after("case", "closed_on", changes["closed_on"], gate.on)
            if changes["closed_on"] < row.opened_on:
                raise InputError.one("case", None, "closed_on", f"must not be before the case opened "
                                     f"({row.opened_on.isoformat()})")
        before = {k: _json(getattr(row, k)) for k in changes}
        after = {k: _json(v) for k, v in changes.items()}
        new = _bump(con, row, changes)
        _record(con, gate, case_id, new, user, "close" if closing else "update", change_of(before, after))
        return _view(con, _case_row(con, case_id))


def add_item(register: Register, gate: Gate, user: UserView, case_id: int, kind: ItemKind | str,
             data: dict[str, Any], expected_version: int | None = None) -> tuple[CaseView, int]:
    """Add a finding, action, offer, enforcement step, exit criterion or review; the case and the item id.

    A contract action (an action with ``contract: true``) needs only the contract right an ICB holds.
    Without ``expected_version`` the item is added to the case as it is (adding overwrites nothing).
    """
    clean = validate_item(kind, data)
    k = ItemKind(kind)
    if k in _PAST_DATES:
        _not_after(k.value, _PAST_DATES[k], clean[_PAST_DATES[k]], gate.on)
    action: Action = "contract_action" if k is ItemKind.ACTION and clean.get("contract") else "write"
    _readable(register, gate, user, case_id, action)
    now = _now()
    with register.write() as con:
        row = _locked(con, case_id, expected_version)
        held = con.execute(select(func.count()).select_from(case_items).where(case_items.c.case_id == case_id)
                           ).scalar_one()
        if held >= LIMITS["items per case"]:
            raise InputError.one("case", None, "items", f"a case holds at most {LIMITS['items per case']} items "
                                 "(findings, actions, offers, steps, criteria and reviews together)")
        new = _bump(con, row)
        item = con.execute(insert(case_items).values(case_id=case_id, kind=k.value, data=clean,
                                                     created_by=user.name, created_at=now, updated_at=now)
                           ).inserted_primary_key
        assert item is not None
        item_id = int(item[0])
        _record(con, gate, case_id, new, user, f"add_{k.value}", change_of(None, clean), item_id, now)
        return _view(con, _case_row(con, case_id)), item_id


def _item_row(con: Connection, case_id: int, item_id: int) -> Any:
    stmt = select(case_items).where(case_items.c.id == _check_id(f"item of case {case_id}", item_id),
                                    case_items.c.case_id == case_id)
    row = con.execute(stmt).first()
    if row is None:
        raise UnknownCodeError(f"item of case {case_id}", str(item_id))
    return row


def update_item(register: Register, gate: Gate, user: UserView, case_id: int, item_id: int,
                changes: dict[str, Any], expected_version: int | None = None) -> CaseView:
    """Change fields of one item (e.g. an action's status, an exit criterion met); the old values stay in history.

    The item is read under the case's lock, so a concurrent change to it is never overwritten unseen.
    """
    _check_id(f"item of case {case_id}", item_id)
    _readable(register, gate, user, case_id, "write")
    with register.write() as con:
        row = _locked(con, case_id, expected_version)
        item = _item_row(con, case_id, item_id)
        merged = validate_item(item.kind, {**item.data, **changes})
        k = ItemKind(item.kind)
        if k in _PAST_DATES and _PAST_DATES[k] in changes:
            _not_after(k.value, _PAST_DATES[k], merged[_PAST_DATES[k]], gate.on)
        new = _bump(con, row)
        con.execute(update(case_items).where(case_items.c.id == item_id).values(data=merged, updated_at=_now()))
        _record(con, gate, case_id, new, user, f"update_{item.kind}",
                change_of(dict(item.data), {k: merged.get(k) for k in changes}), item_id)
        return _view(con, _case_row(con, case_id))


def add_evidence(register: Register, gate: Gate, user: UserView, case_id: int, item_id: int, evidence: str,
                 expected_version: int | None = None) -> CaseView:
    """Append evidence to an action (what a trust's users may do to their own cases).

    Read and appended under the case's lock: every acknowledged piece of evidence is kept.
    """
    try:
        text = _EVIDENCE.validate_python(evidence.strip())
    except ValidationError as exc:
        raise InputError.one("action", None, "evidence", exc.errors()[0]["msg"]) from None
    if "\x00" in text:
        raise InputError.one("action", None, "evidence", "must not contain a NUL character")
    _check_id(f"item of case {case_id}", item_id)
    _readable(register, gate, user, case_id, "evidence")
    with register.write() as con:
        row = _locked(con, case_id, expected_version)
        item = _item_row(con, case_id, item_id)
        if item.kind != ItemKind.ACTION.value:
            raise InputError.one(item.kind, None, "evidence", "evidence is added to actions only")
        data = dict(item.data)
        held = list(data.get("evidence", []))
        if len(held) >= LIMITS["action.evidence"]:
            raise InputError.one("action", None, "evidence", f"an action holds at most {LIMITS['action.evidence']} "
                                 "pieces of evidence; summarise them in one")
        data["evidence"] = [*held, text]
        new = _bump(con, row)
        con.execute(update(case_items).where(case_items.c.id == item_id).values(data=data, updated_at=_now()))
        _record(con, gate, case_id, new, user, "add_evidence", {"added": {"evidence": [text]}}, item_id)
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
        if not rows:
            return []
        ids = [r.id for r in rows]
        items: dict[int, list[ItemView]] = {i: [] for i in ids}
        for r in con.execute(select(case_items).where(case_items.c.case_id.in_(ids)).order_by(case_items.c.id)):
            items[r.case_id].append(ItemView.model_validate(r, from_attributes=True))
        return [CaseView.model_validate({**r._mapping, "items": items[r.id]}) for r in rows]
