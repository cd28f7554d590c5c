"""``/api/v1`` endpoints for the registry: organisations, structure on a date, changes, search."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from opmodel.structure import OrgKind, changes, list_organisations, org_details, tree
from opmodel.web.deps import OnQuery, ReadStore
from opmodel.web.pagination import Page, PageParams, page_params, paginate
from opmodel.web.schemas import COMMON_RESPONSES
from opmodel.web.views_structure import (
    AreaView,
    OrganisationView,
    OrgDetails,
    OrgRow,
    Overview,
    SearchView,
    StructureChangeRow,
    area_view,
    organisation_view,
    overview,
    search,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["structure"], responses=COMMON_RESPONSES)
Pages = Annotated[PageParams, Depends(page_params)]


def _day(on: dt.date | None) -> dt.date:
    return on or dt.date.today()


@router.get("/organisations", response_model=Page[OrgRow], summary="Organisations active on a date")
def organisations(request: Request, store: ReadStore, pages: Pages, on: OnQuery = None,
                  kind: Annotated[OrgKind | None, Query(description="Only this kind.")] = None,
                  region: Annotated[str | None, Query(min_length=1, max_length=10,
                                                      description="Under this region.")] = None,
                  icb: Annotated[str | None, Query(min_length=1, max_length=10,
                                                   description="Under this ICB.")] = None,
                  ) -> Page[OrgRow]:
    rows = [OrgRow(**r) for r in list_organisations(store, kind=kind, region=region, icb=icb, on=_day(on))]
    return paginate(request, rows, pages)


@router.get("/organisations/{code}", response_model=OrgDetails,
            summary="One organisation and its parent chain (what `opmodel org show CODE --json` prints)")
def organisation(store: ReadStore, code: str, on: OnQuery = None) -> dict[str, Any]:
    return org_details(store, code, _day(on))


@router.get("/organisations/{code}/structure", response_model=OrganisationView,
            summary="Where an organisation sits on a date, its parent history and its children")
def organisation_structure(store: ReadStore, code: str, on: OnQuery = None) -> OrganisationView:
    return organisation_view(store, code, _day(on))


@router.get("/regions/{code}", response_model=AreaView, summary="A region: its ICBs and trusts on a date")
def region(store: ReadStore, code: str, on: OnQuery = None) -> AreaView:
    return area_view(store, code, _day(on), "region")


@router.get("/icbs/{code}", response_model=AreaView, summary="An ICB: its trusts on a date")
def icb(store: ReadStore, code: str, on: OnQuery = None) -> AreaView:
    return area_view(store, code, _day(on), "icb")


@router.get("/overview", response_model=Overview, summary="England on a date: regions, ICBs, trusts")
def england(store: ReadStore, on: OnQuery = None) -> Overview:
    return overview(store, _day(on))


@router.get("/structure", summary="The hierarchy below a node on a date (default NHS England)")
def structure(store: ReadStore, on: OnQuery = None,
              root: Annotated[str | None, Query(min_length=1, max_length=10, description="Root code.")] = None,
              ) -> dict[str, Any]:
    return dict(tree(store, root, _day(on)))


@router.get("/structure/changes", response_model=Page[StructureChangeRow],
            summary="Organisations opened, closed or moved between two dates")
def structure_changes(request: Request, store: ReadStore, pages: Pages,
                      start: Annotated[dt.date, Query(alias="from", description="Start date.")],
                      end: Annotated[dt.date, Query(alias="to", description="End date.")],
                      kind: Annotated[OrgKind | None, Query(description="Only this kind.")] = None,
                      ) -> Page[StructureChangeRow]:
    rows = [StructureChangeRow(**c.model_dump(mode="python")) for c in changes(store, start, end)
            if kind is None or c.kind == kind]
    return paginate(request, rows, pages)


@router.get("/search", response_model=SearchView, summary="Find organisations by code or name (typo-tolerant)")
def find(store: ReadStore, q: Annotated[str, Query(max_length=100, description="Code or name.")],
         limit: Annotated[int, Query(ge=1, le=50)] = 10) -> SearchView:
    return search(store, q, limit)
