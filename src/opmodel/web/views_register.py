"""What the register's API and pages share: the open register, the signed-in user, filters and workflow.

The register is opened once per app (``app.state.register``; tests may set it
first to choose the database). The API reads ``Authorization: Bearer TOKEN``.
A browser signs in with its token once and then holds only a server-side
session's random id in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS);
every form carries that session's CSRF secret, and the sign-in form its own
double-submit token (issue 23, item 5).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import threading
from typing import Any

from fastapi import Request
from pydantic import BaseModel
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from opmodel.register import (
    CaseView,
    Gate,
    Overdue,
    Register,
    Suggestion,
    UserView,
    area_org_codes,
    authenticate,
    list_cases,
    open_register,
    overdue,
    session_user,
    suggest,
)
from opmodel.store import Store

__all__ = [
    "COOKIE",
    "SIGN_IN_COOKIE",
    "RegionWork",
    "area_org_codes",
    "csrf_ok",
    "csrf_token",
    "get_register",
    "new_case_defaults",
    "region_work",
    "segment_history",
    "set_cookie",
    "sign_in_token",
    "user_from_request",
]

#: The session cookie: a random id the server looks up (never the bearer token).
COOKIE = "opmodel_session"
#: The sign-in form's double-submit CSRF token (before there is a session to carry one).
SIGN_IN_COOKIE = "opmodel_sign_in"
_open_lock = threading.Lock()


class CaseIdConvertor(Convertor[int]):
    """``{case_id:caseid}``: digits only (so ``/support-cases/export.csv`` is another route, and a
    method it lacks is 405), and a number too long for any id becomes 0, which is 404, not an error."""

    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        return int(value) if len(value) <= 12 else 0

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("caseid", CaseIdConvertor())


def get_register(request: Request) -> Register:
    """The app's register, opened on first use beside the app's store (or at ``OPMODEL_DATABASE_URL``)."""
    state = request.app.state
    reg: Register | None = getattr(state, "register", None)
    if reg is None:
        with _open_lock:
            reg = getattr(state, "register", None)
            if reg is None:
                reg = open_register(state.settings.store_path)
                state.register = reg
    return reg


def _session(request: Request, register: Register) -> tuple[UserView, str] | None:
    """The request's live session (user, CSRF secret), looked up once per request."""
    if not hasattr(request.state, "register_session"):
        cookie = request.cookies.get(COOKIE)
        request.state.register_session = session_user(register, cookie) if cookie else None
    found: tuple[UserView, str] | None = request.state.register_session
    return found


def user_from_request(request: Request, register: Register, cookie: bool = False) -> UserView | None:
    """The user whose bearer token the request carries (or, for pages with ``cookie``, whose session)."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if token:
        return authenticate(register, token)
    if cookie:
        found = _session(request, register)
        return found[0] if found else None
    return None


def csrf_token(request: Request) -> str:
    """The signed-in session's CSRF secret, for forms ("" when nobody is signed in)."""
    found: tuple[UserView, str] | None = getattr(request.state, "register_session", None)
    return found[1] if found else ""


def csrf_ok(request: Request, sent: str) -> bool:
    """Whether a form's CSRF field matches the session's secret (constant time)."""
    expected = csrf_token(request)
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def sign_in_token(request: Request) -> str:
    """The sign-in form's CSRF token: the one its cookie already holds, or a fresh one."""
    current = request.cookies.get(SIGN_IN_COOKIE, "")
    return current if 20 <= len(current) <= 64 and current.replace("-", "").replace("_", "").isalnum() \
        else secrets.token_urlsafe(24)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None,
               path: str = "/") -> None:
    """A cookie scripts cannot read, other sites cannot send, and (over HTTPS) never sent in clear."""
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def new_case_defaults(segments: list[tuple[str, int | None]], headline_segment: int | None = None
                      ) -> dict[str, Any]:
    """The new-case form's starting values from the organisation's segment history.

    ``segments`` come from :func:`segment_history`, which holds headline segments (issue 20: NHS
    England's published one where held, else the computed one); ``headline_segment`` overrides the
    latest. Segment 5 pre-selects the PIP (the RSP before 2025/26), segment 3
    segment-3 mandated support; segment 4 and anything else pre-select nothing, so the user
    chooses rather than accepting a wrong programme.
    """
    latest = segments[-1] if segments else None
    segment = headline_segment if headline_segment is not None else (latest[1] if latest else None)
    period = latest[0] if latest else ""
    programme = ""
    if segment == 5:
        programme = "rsp" if period and period < "2025-26" else "pip"
    elif segment == 3:
        programme = "segment_3_support"
    return {"programme": programme, "trigger_segment": segment if segment is not None else "",
            "trigger_period": period}


def segment_history(store: Store, memo: Any = None, quarters: int = 4) -> list[tuple[str, dict[str, int | None]]]:
    """The last ``quarters`` quarters' final segments per organisation, oldest first (for suggestions)."""
    from opmodel.oversight import computed_headline
    from opmodel.web.views_oversight import periods_available, run_for

    kwargs: dict[str, Any] = {} if memo is None else {"memo": memo}
    out: list[tuple[str, dict[str, int | None]]] = []
    for period in periods_available(store, **kwargs)[-quarters:]:
        run = run_for(store, period, **kwargs)
        if run is not None:
            # headline segments: NHS England's published one where held (issue 20)
            out.append((period, {r.org_code: (r.headline or computed_headline(r)).final_segment
                                 for r in run.results}))
    return out


class RegionWork(BaseModel):
    """A region's (or ICB's) to-do list: suggested cases and exit reviews, overdue milestones and reviews."""

    area: str | None
    on: dt.date
    suggestions: list[Suggestion]
    overdue: list[Overdue]


def region_work(register: Register, store: Store, on: dt.date, region: str | None = None, icb: str | None = None,
                memo: Any = None, user: UserView | None = None) -> RegionWork:
    """Suggestions and overdue work from the cases ``user`` may read (all: trusted local callers only)."""
    codes = area_org_codes(store, on, region, icb)
    cases: list[CaseView] = list_cases(register, Gate(store) if user else None, user, org_codes=codes)
    history = segment_history(store, memo)
    if codes is not None:
        history = [(p, {k: v for k, v in segs.items() if k in codes}) for p, segs in history]
    from opmodel.web.views_oversight import headline_sources

    sources = headline_sources(store, history[-1][0], **({} if memo is None else {"memo": memo})) if history else {}
    return RegionWork(area=region or icb, on=on,
                      suggestions=suggest([c for c in cases if c.status == "open"], history, sources),
                      overdue=overdue(cases, on))
