"""Register pages: token sign-in, case lists per region or ICB, the case page and its forms.

Forms post back to the server, which validates them with the same models as the
API and answers a refused form by rendering the page again with the problems in
an NHS.UK error summary (422, or 409 when the case changed meanwhile): nothing a
request puts in the query string is ever shown as a message. Signing in opens a
server-side session (the cookie is a random id, HttpOnly, SameSite=Strict, Secure
over HTTPS); signing in and out and every form carry a CSRF token (issue 23).
Access is decided on the server's date under the model in force.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from opmodel.errors import InputError
from opmodel.register import (
    AccessDenied,
    Gate,
    Register,
    StaleVersion,
    UserView,
    add_evidence,
    add_item,
    case_history,
    create_case,
    end_session,
    get_case,
    list_cases,
    start_session,
    update_case,
)
from opmodel.store import Store
from opmodel.structure import get_organisation
from opmodel.web.deps import Hub, ReadStore, templates
from opmodel.web.views_register import (
    COOKIE,
    SIGN_IN_COOKIE,
    area_org_codes,
    csrf_ok,
    csrf_token,
    get_register,
    new_case_defaults,
    region_work,
    segment_history,
    set_cookie,
    sign_in_token,
    user_from_request,
)

__all__ = ["HISTORY_SHOWN", "router"]

router = APIRouter(include_in_schema=False)
Templates = Annotated[Jinja2Templates, Depends(templates)]
Reg = Annotated[Register, Depends(get_register)]
CodeQuery = Annotated[str | None, Query(max_length=16, pattern=r"^[A-Za-z0-9]+$")]
#: The case page shows the latest events; the API's history endpoint has every one.
HISTORY_SHOWN = 200
_SAFE_NEXT = re.compile(r"^/[A-Za-z0-9/_.~%?=&-]{0,400}$")


def _signed_in(request: Request, register: Register) -> UserView | None:
    return user_from_request(request, register, cookie=True)


def _to_sign_in(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", 303)


def _safe_next(target: str) -> str:
    """Only a path on this site (never ``//host`` or ``/\\host``, which browsers read as another site)."""
    return target if _SAFE_NEXT.match(target) and not target.startswith("//") else "/support-cases"


def _ctx(request: Request, user: UserView | None, **more: Any) -> dict[str, Any]:
    return {"user": user, "csrf": csrf_token(request), **more}


def _page_error(request: Request, tpl: Jinja2Templates, status: int, title: str, message: str) -> Response:
    return tpl.TemplateResponse(request, "error.jinja", {"title": title, "message": message, "suggestions": []},
                                status_code=status)


def _refused(request: Request, tpl: Jinja2Templates, exc: AccessDenied) -> Response:
    return _page_error(request, tpl, 403, "You cannot do that", exc.decision.reason)


def _expired(request: Request, tpl: Jinja2Templates) -> Response:
    return _page_error(request, tpl, 403, "Form expired",
                       "The form's security token did not match; open the page again.")


def _sign_in_page(request: Request, tpl: Jinja2Templates, next: str, error: str | None, status: int) -> Response:
    token = sign_in_token(request)
    resp = tpl.TemplateResponse(request, "_register_sign_in.jinja",
                                {"next": _safe_next(next), "error": error, "sign_in_csrf": token}, status_code=status)
    set_cookie(request, resp, SIGN_IN_COOKIE, token, max_age=3600, path="/sign-in")
    return resp


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, tpl: Templates,
                 next: Annotated[str, Query(max_length=400)] = "/support-cases") -> Response:
    return _sign_in_page(request, tpl, next, None, 200)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, tpl: Templates, register: Reg, token: Annotated[str, Form(max_length=200)] = "",
            next: Annotated[str, Form(max_length=400)] = "/support-cases",
            csrf: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Check the sign-in form's double-submit token, then trade the bearer token for a session."""
    cookie = request.cookies.get(SIGN_IN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), csrf.encode()):
        return _sign_in_page(request, tpl, next, "The sign-in form expired; enter your token again.", 403)
    session = start_session(register, token.strip()) if token.strip() else None
    if session is None:
        return _sign_in_page(request, tpl, next, "That token is not recognised, has expired or was revoked.", 401)
    resp = RedirectResponse(_safe_next(next), 303)
    max_age = max(1, int((session.expires_at - dt.datetime.now(dt.UTC)).total_seconds()))
    set_cookie(request, resp, COOKIE, session.cookie, max_age=max_age)
    resp.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return resp


@router.post("/sign-out")
def sign_out(request: Request, tpl: Templates, register: Reg,
             csrf: Annotated[str, Form(max_length=64)] = "") -> Response:
    """End the session (deleted server-side, so a copied cookie is worthless); needs the session's CSRF token."""
    cookie = request.cookies.get(COOKIE, "")
    if cookie and _signed_in(request, register) is not None:
        if not csrf_ok(request, csrf):
            return _expired(request, tpl)
        end_session(register, cookie)
    resp = RedirectResponse("/", 303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


@router.get("/support-cases", response_class=HTMLResponse)
def cases_page(request: Request, tpl: Templates, register: Reg, store: ReadStore, hub: Hub,
               region: CodeQuery = None, icb: CodeQuery = None, org: CodeQuery = None) -> Response:
    """Cases the signed-in user may read, per region or ICB, with suggested cases and overdue work."""
    user = _signed_in(request, register)
    if user is None:
        return _to_sign_in(request)
    day = dt.date.today()
    codes = area_org_codes(store, day, region, icb)
    if org:
        codes = {org.upper()}
    found = list_cases(register, Gate(store), user, org_codes=codes)
    work = region_work(register, store, day, region, icb, hub.memo, user) if (region or icb) else None
    area = get_organisation(store, region or icb or "") if (region or icb) else None
    return tpl.TemplateResponse(request, "cases.jinja", _ctx(request, user, cases=found, work=work, area=area,
                                                             org=org.upper() if org else None))


def _run_ref(period: str) -> str:
    """The oversight run a case was triggered by: its framework and quarter (runs are keyed by both)."""
    from opmodel.oversight import framework_for, parse_period

    return f"{framework_for(parse_period(period))}/{period}"


def _segments_of(store: Store, hub: Any, code: str) -> list[tuple[str, int | None]]:
    return [(p, segs.get(code)) for p, segs in segment_history(store, hub.memo, quarters=8) if code in segs]


@router.get("/support-cases/new", response_class=HTMLResponse)
def new_case_form(request: Request, tpl: Templates, register: Reg, store: ReadStore, hub: Hub,
                  org: Annotated[str, Query(max_length=16, pattern=r"^[A-Za-z0-9]+$")]) -> Response:
    user = _signed_in(request, register)
    if user is None:
        return _to_sign_in(request)
    o = get_organisation(store, org)
    decision = Gate(store).decide(user, o.code, "write")
    form = new_case_defaults(_segments_of(store, hub, o.code))  # headline segments (issue 20): published first
    form["trigger_run"] = _run_ref(form["trigger_period"]) if form["trigger_period"] else ""
    return tpl.TemplateResponse(request, "case_new.jinja", _ctx(request, user, org=o, decision=decision, form=form,
                                                                errors=[]),
                                status_code=200 if decision.allowed else 403)


@router.post("/support-cases/new", response_class=HTMLResponse)
def new_case(request: Request, tpl: Templates, register: Reg, store: ReadStore,
             org_code: Annotated[str, Form(max_length=16, pattern=r"^[A-Za-z0-9]+$")],
             programme: Annotated[str, Form()] = "",
             lead_name: Annotated[str, Form()] = "", trigger_segment: Annotated[str, Form()] = "",
             trigger_period: Annotated[str, Form()] = "", trigger_run: Annotated[str, Form()] = "",
             summary: Annotated[str, Form()] = "",
             next_review_on: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "") -> Response:
    user = _signed_in(request, register)
    if user is None:
        return _to_sign_in(request)
    if not csrf_ok(request, csrf):
        return _expired(request, tpl)
    o = get_organisation(store, org_code)
    form = {"programme": programme, "lead_name": lead_name, "trigger_segment": trigger_segment,
            "trigger_period": trigger_period, "trigger_run": trigger_run, "summary": summary,
            "next_review_on": next_review_on}
    gate = Gate(store)
    body = {"org_code": o.code, **{k: v for k, v in form.items() if v}}
    try:
        case = create_case(register, gate, user, body)
    except AccessDenied as exc:
        return _refused(request, tpl, exc)
    except InputError as exc:
        errors = [{"text": f"{p.field or p.file}: {p.message}", "href": f"#{p.field or 'programme'}"}
                  for p in exc.problems]
        return tpl.TemplateResponse(request, "case_new.jinja", _ctx(
            request, user, org=o, decision=gate.decide(user, o.code, "write"), form=form, errors=errors),
            status_code=422)
    return RedirectResponse(f"/support-cases/{case.id}", 303)


def _case_page(request: Request, tpl: Jinja2Templates, register: Register, store: Store, hub: Any,
               user: UserView, case_id: int, errors: list[str], status: int = 200) -> Response:
    from opmodel.web.views_metrics import org_spc_charts

    gate = Gate(store)
    try:
        case = get_case(register, gate, user, case_id)
        events = case_history(register, gate, user, case_id)
    except AccessDenied as exc:
        return _refused(request, tpl, exc)
    can = {a: gate.decide(user, case.org_code, a, case.programme.value).allowed
           for a in ("write", "evidence", "contract_action")}
    org = get_organisation(store, case.org_code)
    spc = org_spc_charts(store, case.org_code, hub.memo)
    return tpl.TemplateResponse(request, "case.jinja", _ctx(
        request, user, case=case, events=events[-HISTORY_SHOWN:], events_total=len(events), can=can, org=org,
        spc=spc, segments=_segments_of(store, hub, case.org_code), errors=errors), status_code=status)


@router.get("/support-cases/{case_id:caseid}", response_class=HTMLResponse)
def case_page(case_id: int, request: Request, tpl: Templates, register: Reg, store: ReadStore, hub: Hub) -> Response:
    """The case, its plan and history, beside the organisation's SPC charts and segment history."""
    user = _signed_in(request, register)
    if user is None:
        return _to_sign_in(request)
    return _case_page(request, tpl, register, store, hub, user, case_id, [])


def _form_action(request: Request, register: Register, store: Store, hub: Any, tpl: Jinja2Templates,
                 case_id: int, csrf: str, do: Any) -> Response:
    """Run a form's change; on refusal show the case page again with the problem (no redirect with text)."""
    user = _signed_in(request, register)
    if user is None:
        return _to_sign_in(request)
    if not csrf_ok(request, csrf):
        return _expired(request, tpl)
    try:
        do(Gate(store), user)
    except AccessDenied as exc:
        return _refused(request, tpl, exc)
    except StaleVersion as exc:
        return _case_page(request, tpl, register, store, hub, user, case_id, [str(exc)], 409)
    except InputError as exc:
        msgs = [f"{p.field or p.file}: {p.message}" for p in exc.problems]
        return _case_page(request, tpl, register, store, hub, user, case_id, msgs, 422)
    return RedirectResponse(f"/support-cases/{case_id}", 303)


@router.post("/support-cases/{case_id:caseid}/milestones")
def add_milestone(case_id: int, request: Request, tpl: Templates, register: Reg, store: ReadStore, hub: Hub,
                  title: Annotated[str, Form()] = "", owner: Annotated[str, Form()] = "",
                  due_on: Annotated[str, Form()] = "", contract: Annotated[str, Form()] = "",
                  version: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
                  csrf: Annotated[str, Form()] = "") -> Response:
    data: dict[str, Any] = {"title": title, "owner": owner, "due_on": due_on or None, "contract": contract == "yes"}
    return _form_action(request, register, store, hub, tpl, case_id, csrf,
                        lambda g, u: add_item(register, g, u, case_id, "action", data, version))


@router.post("/support-cases/{case_id:caseid}/items/{item_id:caseid}/evidence")
def add_evidence_form(case_id: int, item_id: int, request: Request, tpl: Templates, register: Reg,
                      store: ReadStore, hub: Hub, evidence: Annotated[str, Form()] = "",
                      version: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
                      csrf: Annotated[str, Form()] = "") -> Response:
    return _form_action(request, register, store, hub, tpl, case_id, csrf,
                        lambda g, u: add_evidence(register, g, u, case_id, item_id, evidence, version))


@router.post("/support-cases/{case_id:caseid}/close")
def close_case(case_id: int, request: Request, tpl: Templates, register: Reg, store: ReadStore, hub: Hub,
               exit_evidence: Annotated[str, Form()] = "", version: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
               csrf: Annotated[str, Form()] = "") -> Response:
    body = {"status": "closed", "exit_evidence": exit_evidence.strip() or None}
    return _form_action(request, register, store, hub, tpl, case_id, csrf,
                        lambda g, u: update_case(register, g, u, case_id, version, body))
