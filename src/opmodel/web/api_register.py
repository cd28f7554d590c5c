"""``/api/v1/support-cases``: the register over REST, bearer tokens, optimistic concurrency with ``If-Match``.

Refusals are 403 with the access policy's ``reason``; a stale ``If-Match`` is 409
with ``current_version``; the ``ETag`` of a case is its version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from opmodel.register import (
    AccessDenied,
    CaseView,
    Gate,
    HistoryEvent,
    ItemKind,
    Register,
    StaleVersion,
    UserView,
    add_evidence,
    add_item,
    case_history,
    cases_csv,
    create_case,
    get_case,
    list_cases,
    update_case,
    update_item,
)
from opmodel.web.deps import Hub, ReadStore
from opmodel.web.views_register import RegionWork, area_org_codes, get_register, region_work, user_from_request

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["support cases"])
T = TypeVar("T")

OnParam = Annotated[dt.date | None, Query(description="Date the operating model is read on (default today).")]
ModelParam = Annotated[str | None, Query(description="Operating model name (default: the one in force).")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="The case version you read (its ETag).")]


#: Answers every operation may give besides its success (documented for clients and schemathesis).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or unknown bearer token."},
    403: {"description": "Refused by the access policy; `reason` says why under the model in force."},
    404: {"description": "No such case or organisation."},
}


class _Unauthorised(Exception):
    pass


def _register(request: Request) -> Register:
    return get_register(request)


Reg = Annotated[Register, Depends(_register)]


def _user(request: Request, register: Reg) -> UserView:
    user = user_from_request(request, register)
    if user is None:
        raise _Unauthorised()
    return user


def _guard(fn: Callable[[], T]) -> T | JSONResponse:
    """Run a register call, turning refusals and conflicts into 403/409 answers."""
    try:
        return fn()
    except AccessDenied as exc:
        return JSONResponse({"detail": "Forbidden", "reason": exc.decision.reason,
                             "decision": exc.decision.model_dump(mode="json")}, 403)
    except StaleVersion as exc:
        return JSONResponse({"detail": str(exc), "current_version": exc.current}, 409,
                            headers={"ETag": f'"{exc.current}"'})


def _auth(request: Request, register: Register) -> UserView | JSONResponse:
    try:
        return _user(request, register)
    except _Unauthorised:
        return JSONResponse({"detail": "Send a register user's token as `Authorization: Bearer TOKEN` "
                                       "(create one with `opmodel users add`)."}, 401,
                            headers={"WWW-Authenticate": "Bearer"})


def _version(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    return int(text) if text.isdigit() else -1


def _case(case: CaseView | JSONResponse, status: int = 200) -> Response:
    if isinstance(case, JSONResponse):
        return case
    return JSONResponse(case.model_dump(mode="json"), status, headers={"ETag": f'"{case.version}"'})


@router.post("/support-cases", status_code=201, response_model=CaseView, responses=ERRORS)
def create(request: Request, register: Reg, store: ReadStore, body: Annotated[dict[str, Any], Body()],
           on: OnParam = None, model: ModelParam = None) -> Response:
    """Open a case: at least ``org_code`` and ``programme`` (segment_3_support, rsp, pip, other)."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store, on or dt.date.today(), model)
    return _case(_guard(lambda: create_case(register, gate, user, body)), 201)


@router.get("/support-cases", response_model=list[CaseView], responses=ERRORS)
def list_(request: Request, register: Reg, store: ReadStore, on: OnParam = None, model: ModelParam = None,
          org: str | None = None, region: str | None = None, icb: str | None = None, status: str | None = None,
          programme: str | None = None) -> Response:
    """Cases the user may read, filtered by organisation, region, ICB, status or programme."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    day = on or dt.date.today()
    codes = area_org_codes(store, day, region, icb)
    if org:
        codes = {org.upper()} if codes is None else codes & {org.upper()}
    found = list_cases(register, Gate(store, day, model), user, org_codes=codes, status=status, programme=programme)
    return JSONResponse([c.model_dump(mode="json") for c in found])


@router.get("/support-cases/export.csv", response_class=Response,
            responses={**ERRORS, 200: {"description": "One row per case.", "content": {"text/csv": {}}}})
def export_csv(request: Request, register: Reg, store: ReadStore, status: str | None = None,
               region: str | None = None, icb: str | None = None) -> Response:
    """The cases the user may read as CSV."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    day = dt.date.today()
    found = list_cases(register, Gate(store, day), user, org_codes=area_org_codes(store, day, region, icb),
                       status=status)
    return Response(cases_csv(found), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="support-cases.csv"'})


@router.get("/support-cases/work", response_model=RegionWork, responses=ERRORS)
def work(request: Request, register: Reg, store: ReadStore, hub: Hub, region: str | None = None,
         icb: str | None = None, on: OnParam = None) -> Response:
    """Suggested cases and exit reviews from the latest oversight run, and overdue milestones and reviews."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    result = region_work(register, store, on or dt.date.today(), region, icb, hub.memo)
    return JSONResponse(result.model_dump(mode="json"))


@router.get("/support-cases/{case_id}", response_model=CaseView, responses=ERRORS)
def read(case_id: int, request: Request, register: Reg, store: ReadStore, on: OnParam = None,
         model: ModelParam = None) -> Response:
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    return _case(_guard(lambda: get_case(register, Gate(store, on or dt.date.today(), model), user, case_id)))


@router.patch("/support-cases/{case_id}", response_model=CaseView,
              responses={**ERRORS, 409: {"description": "Stale If-Match; `current_version` says the version now."},
                         428: {"description": "If-Match missing."}})
def change(case_id: int, request: Request, register: Reg, store: ReadStore,
           body: Annotated[dict[str, Any], Body()], if_match: IfMatch = None, on: OnParam = None,
           model: ModelParam = None) -> Response:
    """Change the case's fields; ``If-Match`` must carry the version you read (409 when stale)."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    expected = _version(if_match)
    if expected is None:
        return JSONResponse({"detail": "Send the case version you read in If-Match."}, 428)
    gate = Gate(store, on or dt.date.today(), model)
    return _case(_guard(lambda: update_case(register, gate, user, case_id, expected, body)))


class ItemBody(BaseModel):
    kind: ItemKind
    data: dict[str, Any]


@router.post("/support-cases/{case_id}/items", status_code=201, response_model=CaseView, responses=ERRORS)
def new_item(case_id: int, request: Request, register: Reg, store: ReadStore, body: ItemBody,
             if_match: IfMatch = None, on: OnParam = None, model: ModelParam = None) -> Response:
    """Add a finding, action (``contract: true`` for an ICB's contract action), offer, enforcement step,
    exit criterion or review."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store, on or dt.date.today(), model)
    out = _guard(lambda: add_item(register, gate, user, case_id, body.kind, body.data, _version(if_match)))
    if isinstance(out, JSONResponse):
        return out
    case, item_id = out
    resp = _case(case, 201)
    resp.headers["Location"] = f"/api/v1/support-cases/{case_id}/items/{item_id}"
    return resp


@router.patch("/support-cases/{case_id}/items/{item_id}", response_model=CaseView, responses=ERRORS)
def change_item(case_id: int, item_id: int, request: Request, register: Reg, store: ReadStore,
                body: Annotated[dict[str, Any], Body()], if_match: IfMatch = None, on: OnParam = None,
                model: ModelParam = None) -> Response:
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store, on or dt.date.today(), model)
    return _case(_guard(lambda: update_item(register, gate, user, case_id, item_id, body, _version(if_match))))


class EvidenceBody(BaseModel):
    evidence: str


@router.post("/support-cases/{case_id}/items/{item_id}/evidence", status_code=201, response_model=CaseView,
             responses=ERRORS)
def evidence(case_id: int, item_id: int, request: Request, register: Reg, store: ReadStore, body: EvidenceBody,
             if_match: IfMatch = None, on: OnParam = None, model: ModelParam = None) -> Response:
    """Add evidence to an action (a trust's users may do this on their own cases)."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store, on or dt.date.today(), model)
    return _case(_guard(lambda: add_evidence(register, gate, user, case_id, item_id, body.evidence,
                                             _version(if_match))), 201)


@router.get("/support-cases/{case_id}/history", response_model=list[HistoryEvent], responses=ERRORS)
def history(case_id: int, request: Request, register: Reg, store: ReadStore, on: OnParam = None,
            model: ModelParam = None) -> Response:
    """Every change to the case, oldest first: ``seq, actor, actor_org, at, action, change{before, after}``."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    out = _guard(lambda: case_history(register, Gate(store, on or dt.date.today(), model), user, case_id))
    if isinstance(out, JSONResponse):
        return out
    return JSONResponse([e.model_dump(mode="json") for e in out])
