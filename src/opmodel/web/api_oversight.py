"""``/api/v1/oversight``: periods, league tables, segment mix and one organisation's explained result."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from opmodel.errors import UnknownCodeError
from opmodel.web.deps import Hub, ReadStore
from opmodel.web.pagination import PageParams, page_params, paginate
from opmodel.web.schemas import COMMON_RESPONSES, Message
from opmodel.web.views_oversight import (
    PERIOD_PATTERN,
    LeaguePage,
    OrgOversight,
    SegmentSummary,
    SortKey,
    league_view,
    org_oversight,
    periods_available,
    segment_summary,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["oversight"],
                   responses={**COMMON_RESPONSES, 400: {"model": Message, "description": "No oversight inputs."}})
PeriodQ = Annotated[str | None, Query(pattern=PERIOD_PATTERN,
                                      description="Quarter, e.g. 2025-26-Q3; default the latest.")]


@router.get("/oversight/periods", response_model=list[str], summary="Quarters with oversight results")
def periods(store: ReadStore, h: Hub) -> list[str]:
    return periods_available(store, h.memo)


@router.get("/oversight/league", response_model=LeaguePage,
            summary="League table of a quarter: filter by peer group and region, sort, paginate")
def league(request: Request, store: ReadStore, h: Hub, pages: Annotated[PageParams, Depends(page_params)],
           period: PeriodQ = None,
           peer_group: Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$", description="Peer group id.")] = None,
           region: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9]{1,10}$", description="Region code.")] = None,
           sort: Annotated[SortKey, Query(description="Sort key.")] = "rank",
           order: Annotated[Literal["asc", "desc"], Query()] = "asc") -> LeaguePage:
    vm = league_view(store, period, peer_group, region, sort, order, memo=h.memo)
    page = paginate(request, vm.rows, pages)
    return LeaguePage(items=page.items, total=page.total, limit=page.limit, offset=page.offset, next=page.next,
                      period=vm.period, coverage=vm.coverage,
                      result_sources=dict(sorted(Counter(r.result_source for r in vm.rows).items())))


@router.get("/oversight/summary", response_model=SegmentSummary | None,
            summary="Latest quarter's segment mix by peer group and region, and movement since the last")
def summary(store: ReadStore, h: Hub) -> SegmentSummary | None:
    return segment_summary(store, h.memo)


@router.get("/organisations/{code}/oversight", response_model=OrgOversight,
            summary="An organisation's segment, why, distance to each boundary, and metrics against peers")
def organisation_oversight(store: ReadStore, h: Hub, code: str, period: PeriodQ = None) -> OrgOversight:
    found = org_oversight(store, code, period, memo=h.memo)
    if found is None:
        raise UnknownCodeError("organisation with an oversight result", code, [])
    return found
