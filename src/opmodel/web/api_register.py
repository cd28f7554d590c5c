"""``/api/v1/support-cases``: the register over REST, bearer tokens, optimistic concurrency with ``If-Match``.

The server decides (issue 23): every answer is authorised on the server's date under the
operating model in force, named in the ``Access-Decided-On`` and ``Access-Model`` headers and in
each history event. ``on`` and ``model`` never change who may do what: ``on`` dates the region
and ICB filters of a list, and both only label a read-only explanation
(``/support-cases/access``). ``model`` is a registered model name or 422, the same answer
whatever else was sent (nothing is ever opened as a file).

Refusals are 403 with the access policy's ``reason``; a stale ``If-Match`` is 409 with
``current_version``; changing a case or an item without ``If-Match`` is 428; the ``ETag`` of a
case is its version. Bodies are validated against the documented schemas (maxima included) and
refused whole: 422 naming the field, 413 over 64 KB.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator, BaseModel, Field

from opmodel.errors import OpmodelError
from opmodel.register import (
    ACTIONS,
    AccessDenied,
    CaseCreate,
    CaseUpdate,
    CaseView,
    Decision,
    Gate,
    HistoryEvent,
    Programme,
    Register,
    StaleVersion,
    UserView,
    add_evidence,
    add_item,
    case_history,
    cases_csv,
    create_case,
    decide,
    get_case,
    list_cases,
    registered_model_names,
    update_case,
    update_item,
)
from opmodel.register.models import (
    ActionItem,
    EnforcementItem,
    EvidenceText,
    ExitCriterionItem,
    FindingItem,
    ReviewItem,
    SupportOfferItem,
)
from opmodel.structure import get_organisation
from opmodel.web.deps import Hub, OnQuery, ReadStore
from opmodel.web.views_register import RegionWork, area_org_codes, get_register, region_work, user_from_request

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["support cases"])
T = TypeVar("T")
_MODELS = registered_model_names()


def _registered(name: str | None) -> str | None:
    """A registered model name; one message for every other string (a path included: nothing is opened)."""
    if name is not None and name not in _MODELS:
        raise ValueError(f"expected a registered operating model: {', '.join(_MODELS)}")
    return name


OnParam = Annotated[OnQuery, Query(description="A date (YYYY-MM-DD). Dates the region and ICB filters and labels "
                                   "explanations; access is always decided on the server's date.")]
ModelParam = Annotated[str | None, AfterValidator(_registered), Query(
    description="A registered operating model, for explanations only; access is always decided under the model "
                "in force.", json_schema_extra={"enum": _MODELS})]
Code = Annotated[str | None, Query(min_length=3, max_length=16, pattern=r"^[A-Za-z0-9]+$",
                                   description="An ODS code.")]
Status = Annotated[Literal["open", "closed"] | None, Query(description="open or closed.")]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=40,
                                       description="The case version you read (its ETag).")]
IfMatchRequired = Annotated[str, Header(alias="If-Match", max_length=40,
                                        description="The case version you read (its ETag); 428 without it.")]

#: Answers every operation may give besides its success (documented for clients and schemathesis).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token, or one that is unknown, expired or revoked."},
    403: {"description": "Refused by the access policy; `reason` says why, decided today under the model in "
                         "force."},
    404: {"description": "No such case, item or organisation (ids outside the register's range included)."},
    503: {"description": "The register's database is busy or unavailable; nothing was written. Retry."},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {"description": "Stale If-Match; `current_version` says the version now."},
    413: {"description": "Request body over 64 KB; nothing was written."},
}
PATCH_ERRORS: dict[int | str, dict[str, Any]] = {**WRITE_ERRORS, 428: {"description": "If-Match missing."}}
#: Headers on every register answer saying how access was decided.
ACCESS_HEADERS = {"Access-Decided-On": {"description": "The server's date access was decided on.",
                                        "schema": {"type": "string"}},
                  "Access-Model": {"description": "The operating model in force that decided access.",
                                   "schema": {"type": "string"}}}


def _register(request: Request) -> Register:
    return get_register(request)


Reg = Annotated[Register, Depends(_register)]


def _labelled(response: Response, gate: Gate) -> Response:
    response.headers["Access-Decided-On"] = gate.on.isoformat()
    response.headers["Access-Model"] = gate.model.name
    return response


def _guard(gate: Gate, fn: Callable[[], T]) -> T | JSONResponse:
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
    user = user_from_request(request, register)
    if user is None:
        return JSONResponse({"detail": "Send a register user's token as `Authorization: Bearer TOKEN` "
                                       "(create one with `opmodel users add`; tokens expire and can be revoked)."},
                            401, headers={"WWW-Authenticate": "Bearer"})
    return user


def _version(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    return int(text) if text.isdigit() and len(text) <= 10 else -1


def _case(gate: Gate, case: CaseView | JSONResponse, status: int = 200) -> Response:
    if isinstance(case, JSONResponse):
        return _labelled(case, gate)
    return _labelled(JSONResponse(case.model_dump(mode="json"), status, headers={"ETag": f'"{case.version}"'}),
                     gate)


def _view_headers(response: Response, on: dt.date | None, model: str | None) -> Response:
    if on is not None:
        response.headers["View-On"] = on.isoformat()
    if model is not None:
        response.headers["View-Model"] = model
    return response


@router.post("/support-cases", status_code=201, response_model=CaseView, responses=WRITE_ERRORS)
def create(request: Request, register: Reg, store: ReadStore, body: CaseCreate,
           on: OnParam = None, model: ModelParam = None) -> Response:
    """Open a case: at least ``org_code`` and ``programme`` (segment_3_support, rsp, pip, other).

    ``opened_on`` defaults to the server's date. Only NHS England national may name another body as
    ``lead_org`` (one that may itself change the organisation's cases).
    """
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    return _case(gate, _guard(gate, lambda: create_case(register, gate, user, body)), 201)


@router.get("/support-cases", response_model=list[CaseView], responses=ERRORS)
def list_(request: Request, register: Reg, store: ReadStore, on: OnParam = None, model: ModelParam = None,
          org: Code = None, region: Code = None, icb: Code = None, status: Status = None,
          programme: Annotated[Programme | None, Query()] = None) -> Response:
    """Cases the user may read (today, under the model in force), filtered by organisation, region or ICB
    (membership on ``on``), status or programme."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    codes = area_org_codes(store, on or gate.on, region, icb)
    if org:
        codes = {org.upper()} if codes is None else codes & {org.upper()}
    found = list_cases(register, gate, user, org_codes=codes, status=status,
                       programme=programme.value if programme else None)
    return _view_headers(_labelled(JSONResponse([c.model_dump(mode="json") for c in found]), gate), on, model)


@router.get("/support-cases/export.csv", response_class=Response,
            responses={**ERRORS, 200: {"description": "One row per case; cells a spreadsheet would run as formulas "
                                                      "start with a quote.", "content": {"text/csv": {}}}})
def export_csv(request: Request, register: Reg, store: ReadStore, status: Status = None,
               region: Code = None, icb: Code = None) -> Response:
    """The cases the user may read as CSV."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    found = list_cases(register, gate, user, org_codes=area_org_codes(store, gate.on, region, icb), status=status)
    return _labelled(Response(cases_csv(found), media_type="text/csv; charset=utf-8",
                              headers={"Content-Disposition": 'attachment; filename="support-cases.csv"'}), gate)


@router.get("/support-cases/work", response_model=RegionWork, responses=ERRORS)
def work(request: Request, register: Reg, store: ReadStore, hub: Hub, region: Code = None,
         icb: Code = None, on: OnParam = None) -> Response:
    """Suggested cases and exit reviews from the latest oversight run, and overdue milestones and reviews,
    from the cases the user may read."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    result = region_work(register, store, on or gate.on, region, icb, hub.memo, user)
    return _labelled(JSONResponse(result.model_dump(mode="json")), gate)


class Explanation(BaseModel):
    """What the rules would say on another date or under another model: for information, never enforced."""

    on: dt.date
    model: str
    decisions: list[Decision]
    note: str


class AccessView(BaseModel):
    """What the user may do to an organisation's cases: decided today under the model in force."""

    org_code: str
    decided_on: dt.date
    model: str
    decisions: list[Decision]
    explanation: Explanation | None = None


@router.get("/support-cases/access", response_model=AccessView, responses=ERRORS)
def access(request: Request, register: Reg, store: ReadStore,
           org: Annotated[str, Query(min_length=3, max_length=16, pattern=r"^[A-Za-z0-9]+$")],
           on: OnParam = None, model: ModelParam = None) -> Response:
    """Your rights over ``org``'s cases as the server enforces them, and (with ``on`` or ``model``) what another
    date or model would say, labelled as an explanation."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    code = get_organisation(store, org).code
    out = AccessView(org_code=code, decided_on=gate.on, model=gate.model.name,
                     decisions=[gate.decide(user, code, a) for a in ACTIONS])
    if on is not None or model is not None:
        day = on or gate.on
        try:
            other = [decide(store, user, code, a, day, model) for a in ACTIONS]
        except OpmodelError as exc:  # no model covers that date: nothing to explain it by
            return _labelled(JSONResponse({"detail": str(exc)}, 404), gate)
        out.explanation = Explanation(on=day, model=other[0].model, decisions=other, note=(
            f"For information only: access is decided on the server's date ({gate.on.isoformat()}) under the model "
            f"in force ({gate.model.name}), whatever on= or model= say."))
    return _labelled(JSONResponse(out.model_dump(mode="json")), gate)


@router.get("/support-cases/{case_id:caseid}", response_model=CaseView, responses=ERRORS)
def read(case_id: int, request: Request, register: Reg, store: ReadStore, on: OnParam = None,
         model: ModelParam = None) -> Response:
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    return _view_headers(_case(gate, _guard(gate, lambda: get_case(register, gate, user, case_id))), on, model)


@router.patch("/support-cases/{case_id:caseid}", response_model=CaseView, responses=PATCH_ERRORS)
def change(case_id: int, request: Request, register: Reg, store: ReadStore, body: CaseUpdate,
           if_match: IfMatchRequired, on: OnParam = None, model: ModelParam = None) -> Response:
    """Change the case's fields; ``If-Match`` must carry the version you read (409 when stale)."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    expected = _version(if_match)
    assert expected is not None
    return _case(gate, _guard(gate, lambda: update_case(register, gate, user, case_id, expected, body)))


class _Kind(BaseModel):
    model_config = {"extra": "forbid"}


class FindingBody(_Kind):
    kind: Literal["finding"]
    data: FindingItem


class ActionBody(_Kind):
    kind: Literal["action"]
    data: ActionItem


class SupportOfferBody(_Kind):
    kind: Literal["support_offer"]
    data: SupportOfferItem


class EnforcementBody(_Kind):
    kind: Literal["enforcement"]
    data: EnforcementItem


class ExitCriterionBody(_Kind):
    kind: Literal["exit_criterion"]
    data: ExitCriterionItem


class ReviewBody(_Kind):
    kind: Literal["review"]
    data: ReviewItem


ItemBody = Annotated[FindingBody | ActionBody | SupportOfferBody | EnforcementBody | ExitCriterionBody | ReviewBody,
                     Body(discriminator="kind")]


@router.post("/support-cases/{case_id:caseid}/items", status_code=201, response_model=CaseView,
             responses=WRITE_ERRORS)
def new_item(case_id: int, request: Request, register: Reg, store: ReadStore, body: ItemBody,
             if_match: IfMatch = None, on: OnParam = None, model: ModelParam = None) -> Response:
    """Add a finding, action (``contract: true`` for an ICB's contract action), offer, enforcement step,
    exit criterion or review. Without ``If-Match`` the item is added to the current version (adding
    overwrites nothing); with it, only to that version."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    data = body.data.model_dump(mode="json", exclude_unset=True)
    out = _guard(gate, lambda: add_item(register, gate, user, case_id, body.kind, data, _version(if_match)))
    if isinstance(out, JSONResponse):
        return _labelled(out, gate)
    case, item_id = out
    resp = _case(gate, case, 201)
    resp.headers["Location"] = f"/api/v1/support-cases/{case_id}/items/{item_id}"
    return resp


@router.patch("/support-cases/{case_id:caseid}/items/{item_id:caseid}", response_model=CaseView,
              responses=PATCH_ERRORS)
def change_item(case_id: int, item_id: int, request: Request, register: Reg, store: ReadStore,
                body: Annotated[dict[str, Any], Body(description="Any of the item kind's fields, e.g. "
                                                     "{\"status\": \"done\"} for an action.")],
                if_match: IfMatchRequired, on: OnParam = None, model: ModelParam = None) -> Response:
    """Change fields of an item; ``If-Match`` must carry the case version you read (409 when stale)."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    return _case(gate, _guard(gate, lambda: update_item(register, gate, user, case_id, item_id, body,
                                                        _version(if_match))))


class EvidenceBody(BaseModel):
    model_config = {"extra": "forbid"}

    evidence: EvidenceText = Field(description="One piece of evidence (at most 2,000 characters; an action holds "
                                               "at most 100).")


@router.post("/support-cases/{case_id:caseid}/items/{item_id:caseid}/evidence", status_code=201,
             response_model=CaseView, responses=WRITE_ERRORS)
def evidence(case_id: int, item_id: int, request: Request, register: Reg, store: ReadStore, body: EvidenceBody,
             if_match: IfMatch = None, on: OnParam = None, model: ModelParam = None) -> Response:
    """Add evidence to an action (a trust's users may do this on their own cases); every acknowledged piece
    is kept, however many arrive at once."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    return _case(gate, _guard(gate, lambda: add_evidence(register, gate, user, case_id, item_id, body.evidence,
                                                         _version(if_match))), 201)


@router.get("/support-cases/{case_id:caseid}/history", response_model=list[HistoryEvent], responses=ERRORS)
def history(case_id: int, request: Request, register: Reg, store: ReadStore, on: OnParam = None,
            model: ModelParam = None) -> Response:
    """Every change to the case, oldest first: ``seq, actor, actor_org, at, action, change`` (``before``/``after``
    for fields, ``added``/``removed`` for list entries) and the ``decided_on`` date and ``model`` it was
    authorised under."""
    user = _auth(request, register)
    if isinstance(user, JSONResponse):
        return user
    gate = Gate(store)
    out = _guard(gate, lambda: case_history(register, gate, user, case_id))
    if isinstance(out, JSONResponse):
        return _labelled(out, gate)
    return _view_headers(_labelled(JSONResponse([e.model_dump(mode="json") for e in out]), gate), on, model)
