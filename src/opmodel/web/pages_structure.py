"""Server-rendered pages for the registry: England overview, organisation, region, ICB and search."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from opmodel.store import Store
from opmodel.web import extensions
from opmodel.web.deps import Hub, OnQuery, ReadStore, templates
from opmodel.web.hub import StoreHub
from opmodel.web.views_reports import org_glance
from opmodel.web.views_structure import area_view, organisation_view, overview, search

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Templates = Annotated[Jinja2Templates, Depends(templates)]


@router.get("/", response_class=HTMLResponse)
def england(request: Request, store: ReadStore, tpl: Templates, h: Hub, on: OnQuery = None) -> Response:
    day = on or dt.date.today()
    vm = h.memo(("overview-view", day), lambda: overview(store, day))  # issue 25: once per data version
    ctx = {"vm": vm, "extra": extensions.overview_sections(store, day, h.memo)}
    return tpl.TemplateResponse(request, "overview.jinja", ctx)


# The profile is tried on the event loop first (StoreHub.serve): once its views and sections are kept it
# is written in about a millisecond, without a thread hand-over (issue 25). The ICB and region pages keep
# no sections yet (5-6 ms of writing each); on the loop they gained throughput but left 1% of requests
# waiting over 2 s under 50 clients, so they stay on threads.
@router.get("/organisations/{code}", response_class=HTMLResponse)
async def organisation(request: Request, tpl: Templates, h: Hub, code: str, on: OnQuery = None) -> Response:
    return await h.serve(lambda store: _organisation(request, store, tpl, h, code, on))


def _organisation(request: Request, store: Store, tpl: Jinja2Templates, h: StoreHub, code: str,
                  on: dt.date | None) -> Response:
    day = on or dt.date.today()
    vm = h.memo(("organisation-view", code, day), lambda: organisation_view(store, code, day))  # issue 25
    if vm.details.code != code:
        return RedirectResponse(f"/organisations/{vm.details.code}" + (f"?on={on}" if on else ""), 308)
    ctx = {"vm": vm, "extra": extensions.organisation_sections(store, vm.details.code, vm.details.kind, day,
                                                         h.memo)}
    ctx["glance"] = org_glance(store, vm.details.code, vm.details.kind, h.memo)  # board pack's first page
    return tpl.TemplateResponse(request, "organisation.jinja", ctx)


def _area_page(request: Request, store: Store, tpl: Jinja2Templates, h: StoreHub, code: str, on: dt.date | None,
               area: str) -> Response:
    """A region or ICB page: the same view, sections and template for both kinds of area."""
    day = on or dt.date.today()
    vm = h.memo(("area-view", code, day, area), lambda: area_view(store, code, day, area))  # issue 25
    ctx = {"vm": vm, "area": area, "extra": extensions.area_sections(store, vm.details.code, area, day, h.memo)}
    return tpl.TemplateResponse(request, "area.jinja", ctx)


@router.get("/regions/{code}", response_class=HTMLResponse)
def region(request: Request, store: ReadStore, tpl: Templates, h: Hub, code: str, on: OnQuery = None) -> Response:
    return _area_page(request, store, tpl, h, code, on, "region")


@router.get("/icbs/{code}", response_class=HTMLResponse)
def icb(request: Request, store: ReadStore, tpl: Templates, h: Hub, code: str, on: OnQuery = None) -> Response:
    return _area_page(request, store, tpl, h, code, on, "icb")


@router.get("/search", response_class=HTMLResponse)
def find(request: Request, store: ReadStore, tpl: Templates,
         q: Annotated[str, Query(max_length=100)] = "") -> Response:
    vm = search(store, q)
    if vm.exact is not None and request.query_params.get("go") != "list":
        return RedirectResponse(vm.exact.href, 303)
    return tpl.TemplateResponse(request, "search.jinja", {"vm": vm})
