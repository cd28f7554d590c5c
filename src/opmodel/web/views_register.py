"""What the register's API and pages share: the open register, the signed-in user, filters and workflow.

The register is opened once per app (``app.state.register``; tests may set it
first to choose the database). Users sign in with their bearer token: the API
reads ``Authorization: Bearer``; the browser keeps the token in an HttpOnly
cookie and every form carries a CSRF token derived from it (issue 15).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
from typing import Any

from fastapi import Request
from pydantic import BaseModel

from opmodel.register import (
    CaseView,
    Overdue,
    Register,
    Suggestion,
    UserView,
    authenticate,
    list_cases,
    open_register,
    overdue,
    suggest,
)
from opmodel.store import Store
from opmodel.structure import list_organisations

__all__ = [
    "COOKIE",
    "RegionWork",
    "area_org_codes",
    "csrf_token",
    "get_register",
    "region_work",
    "segment_history",
    "user_from_request",
]

COOKIE = "opmodel_register_token"
_open_lock = threading.Lock()


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


def user_from_request(request: Request, register: Register, cookie: bool = False) -> UserView | None:
    """The user whose token the request carries (bearer header; the sign-in cookie when ``cookie``)."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if token is None and cookie:
        token = request.cookies.get(COOKIE)
    return authenticate(register, token) if token else None


def csrf_token(request: Request) -> str:
    """A per-sign-in CSRF token: an HMAC of the session cookie (a cross-site page cannot read either)."""
    secret = request.cookies.get(COOKIE, "")
    return hmac.new(secret.encode(), b"opmodel-csrf", hashlib.sha256).hexdigest()[:32]


def area_org_codes(store: Store, on: dt.date, region: str | None = None, icb: str | None = None) -> set[str] | None:
    """Organisations in a region or an ICB on ``on`` (trusts and, for a region, its ICBs); None: no filter."""
    if region is None and icb is None:
        return None
    codes: set[str] = set()
    for kind in ("trust", "icb"):
        for o in list_organisations(store, kind=kind, on=on):
            if (region and o.get("region") == region.upper()) or (icb and o.get("icb") == icb.upper()):
                codes.add(o["code"])
    return codes


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
                memo: Any = None) -> RegionWork:
    codes = area_org_codes(store, on, region, icb)
    cases: list[CaseView] = list_cases(register, None, None, org_codes=codes)
    history = segment_history(store, memo)
    if codes is not None:
        history = [(p, {k: v for k, v in segs.items() if k in codes}) for p, segs in history]
    from opmodel.web.views_oversight import headline_sources

    sources = headline_sources(store, history[-1][0], **({} if memo is None else {"memo": memo})) if history else {}
    return RegionWork(area=region or icb, on=on,
                      suggestions=suggest([c for c in cases if c.status == "open"], history, sources),
                      overdue=overdue(cases, on))
