"""Register pages: token sign-in, case lists per region or ICB, the case page and its forms.

Forms post back to the server, which validates them with the same models as the
API (errors shown in an NHS.UK error summary, status 422) and checks a CSRF token
tied to the sign-in cookie; the cookie is HttpOnly and SameSite=Strict.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
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
    authenticate,
    case_history,
    create_case,
    get_case,
    list_cases,
    update_case,
)
from opmodel.store import Store
from opmodel.structure import get_organisation
from opmodel.web.deps import Hub, ReadStore, templates
from opmodel.web.views_register import (
    COOKIE,
    area_org_codes,
    csrf_token,
    get_register,
    region_work,
    segment_history,
    user_from_request,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Templates = Annotated[Jinja2Templates, Depends(templates)]
Reg = Annotated[Register, Depends(get_register)]


def _signed_in(request: Request, register: Register) -> UserView | None:
    return user_from_request(request, register, cookie=True)


def _to_sign_in(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/sign-in?next={target}", 303)


def _csrf_ok(request: Request, token: str) -> bool:
    return bool(request.cookies.get(COOKIE)) and hmac.compare_digest(token, csrf_token(request))


def _ctx(request: Request, user: UserView | None, **more: Any) -> dict[str, Any]:
    return {"user": user, "csrf": csrf_token(request), **more}


def _refused(request: Request, tpl: Jinja2Templates, exc: AccessDenied) -> Response:
    return tpl.TemplateResponse(request, "error.jinja", {"title": "You cannot do that",
                                                         "message": exc.decision.reason, "suggestions": []},
                                status_code=403)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, tpl: Templates, next: str = "/support-cases") -> Response:
    return tpl.TemplateResponse(request, "_register_sign_in.jinja", {"next": next, "error": None})


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, tpl: Templates, register: Reg, token: Annotated[str, Form()] = "",
            next: Annotated[str, Form()] = "/support-cases") -> Response:
    user = authenticate(register, token.strip()) if token.strip() else None
    if user is None:
        return tpl.TemplateResponse(request, "_register_sign_in.jinja",
                                    {"next": next, "error": "That token is not recognised."}, status_code=401)
    target = next if next.startswith("/") and not next.startswith("//") else "/support-cases"
    resp = RedirectResponse(target, 303)
    resp.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict", path="/")
    return resp


@router.post("/sign-out")
def sign_out() -> Response:
    resp = RedirectResponse("/", 303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


@router.get("/support-cases", response_class=HTMLResponse)
def cases_page(request: Request, tpl: Templates, register: Reg, store: ReadStore, hub: Hub,
               region: str | None = None, icb: str | None = None, org: str | None = None) -> Response:
    """Cases the signed-in user may read, per region or ICB, with suggested cases and overdue work."""
    user = _signed_in(request, register)
    if user is None:
        return _to_sign_in(request)
    day = dt.date.today()
    codes = area_org_codes(store, day, region, icb)
    if org:
        codes = {org.upper()}
    found = list_cases(register, Gate(store, day), user, org_codes=codes)
    work = region_work(register, store, day, region, icb, hub.memo) if (region or icb) else None
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
def new_case_form(request: Request, tpl: Templates, register: Reg, store: ReadStore, hub: Hub, org: str) -> Response:
    user = _signed_in(request, register)
    if user is None:
        return _to_sign_in(request)
    o = get_organisation(store, org)
    decision = Gate(store).decide(user, o.code, "write")
    segs = _segments_of(store, hub, o.code)
    latest = segs[-1] if segs else None
    form = {"programme": "pip" if latest and latest[1] == 5 else "segment_3_support",
            "trigger_segment": latest[1] if latest else "", "trigger_period": latest[0] if latest else "",
            "trigger_run": _run_ref(latest[0]) if latest else ""}
    return tpl.TemplateResponse(request, "case_new.jinja", _ctx(request, user, org=o, decision=decision, form=form,
                                                                errors=[]),
                                status_code=200 if decision.allowed else 403)


@router.post("/support-cases/new", response_class=HTMLResponse)
def new_case(request: Request, tpl: Templates, register: Reg, store: ReadStore,
             org_code: Annotated[str, Form()], programme: Annotated[str, Form()] = "",
             lead_name: Annotated[str, Form()] = "", trigger_segment: Annotated[str, Form()] = "",
             trigger_period: Annotated[str, Form()] = "", trigger_run: Annotated[str, Form()] = "",
             summary: Annotated[str, Form()] = "",
             next_review_on: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "") -> Response:
    user = _signed_in(request, register)
    if user is None:
        return _to_sign_in(request)
    o = get_organisation(store, org_code)
    form = {"programme": programme, "lead_name": lead_name, "trigger_segment": trigger_segment,
            "trigger_period": trigger_period, "trigger_run": trigger_run, "summary": summary,
            "next_review_on": next_review_on}
    gate = Gate(store)
    if not _csrf_ok(request, csrf):
        return tpl.TemplateResponse(request, "error.jinja", {"title": "Form expired", "message":
                                    "The form's security token did not match; open the form again.",
                                    "suggestions": []}, status_code=403)
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


@router.get("/support-cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: int, request: Request, tpl: Templates, register: Reg, store: ReadStore, hub: Hub,
              errors: str | None = None) -> Response:
    """The case, its plan and history, beside the organisation's SPC charts and segment history."""
    from opmodel.web.views_metrics import org_spc_charts

    user = _signed_in(request, register)
    if user is None:
        return _to_sign_in(request)
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
        request, user, case=case, events=events, can=can, org=org, spc=spc,
        segments=_segments_of(store, hub, case.org_code), errors=[errors] if errors else []))


def _form_action(request: Request, register: Register, store: Store, tpl: Jinja2Templates, case_id: int,
                 csrf: str, do: Any) -> Response:
    user = _signed_in(request, register)
    if user is None:
        return _to_sign_in(request)
    if not _csrf_ok(request, csrf):
        return tpl.TemplateResponse(request, "error.jinja", {"title": "Form expired", "message":
                                    "The form's security token did not match; open the page again.",
                                    "suggestions": []}, status_code=403)
    try:
        do(Gate(store), user)
    except AccessDenied as exc:
        return _refused(request, tpl, exc)
    except StaleVersion as exc:
        return RedirectResponse(f"/support-cases/{case_id}?errors=" + str(exc).replace(" ", "+"), 303)
    except InputError as exc:
        msg = "; ".join(f"{p.field or p.file}: {p.message}" for p in exc.problems)
        return RedirectResponse(f"/support-cases/{case_id}?errors=" + msg.replace(" ", "+"), 303)
    return RedirectResponse(f"/support-cases/{case_id}", 303)


@router.post("/support-cases/{case_id}/milestones")
def add_milestone(case_id: int, request: Request, tpl: Templates, register: Reg, store: ReadStore,
                  title: Annotated[str, Form()] = "", owner: Annotated[str, Form()] = "",
                  due_on: Annotated[str, Form()] = "", contract: Annotated[str, Form()] = "",
                  version: Annotated[int, Form()] = 0, csrf: Annotated[str, Form()] = "") -> Response:
    data: dict[str, Any] = {"title": title, "owner": owner, "due_on": due_on or None, "contract": contract == "yes"}
    return _form_action(request, register, store, tpl, case_id, csrf,
                        lambda g, u: add_item(register, g, u, case_id, "action", data, version))


@router.post("/support-cases/{case_id}/items/{item_id}/evidence")
def add_evidence_form(case_id: int, item_id: int, request: Request, tpl: Templates, register: Reg,
                      store: ReadStore, evidence: Annotated[str, Form()] = "",
                      version: Annotated[int, Form()] = 0, csrf: Annotated[str, Form()] = "") -> Response:
    return _form_action(request, register, store, tpl, case_id, csrf,
                        lambda g, u: add_evidence(register, g, u, case_id, item_id, evidence, version))


@router.post("/support-cases/{case_id}/close")
def close_case(case_id: int, request: Request, tpl: Templates, register: Reg, store: ReadStore,
               exit_evidence: Annotated[str, Form()] = "", version: Annotated[int, Form()] = 0,
               csrf: Annotated[str, Form()] = "") -> Response:
    body = {"status": "closed", "exit_evidence": exit_evidence.strip() or None}
    return _form_action(request, register, store, tpl, case_id, csrf,
                        lambda g, u: update_case(register, g, u, case_id, version, body))
