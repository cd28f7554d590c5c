"""League tables: filter, sort and download (NHS Oversight Framework results, methodology §2)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from opmodel.web.deps import Hub, ReadStore, templates
from opmodel.web.views_oversight import SORTS, SortKey, league_csv, league_view

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Templates = Annotated[Jinja2Templates, Depends(templates)]
PeriodQ = Annotated[str | None, Query(max_length=20)]
TextQ = Annotated[str | None, Query(max_length=40)]
SortQ = Annotated[SortKey, Query()]
OrderQ = Annotated[Literal["asc", "desc"], Query()]


@router.get("/league", response_class=HTMLResponse)
def league_page(request: Request, store: ReadStore, tpl: Templates, h: Hub, period: PeriodQ = None,
                peer_group: TextQ = None, region: TextQ = None, sort: SortQ = "rank", order: OrderQ = "asc"
                ) -> Response:
    vm = league_view(store, period or None, peer_group or None, region or None, sort, order, memo=h.memo)
    params = {"period": vm.period, "peer_group": vm.peer_group, "region": vm.region}
    return tpl.TemplateResponse(request, "league.jinja", {"vm": vm, "params": params, "sorts": SORTS})


@router.get("/league.csv")
def league_download(store: ReadStore, h: Hub, period: PeriodQ = None, peer_group: TextQ = None,
                    region: TextQ = None, sort: SortQ = "rank", order: OrderQ = "asc") -> Response:
    vm = league_view(store, period or None, peer_group or None, region or None, sort, order, memo=h.memo)
    name = f"league-{vm.period}" + (f"-{vm.peer_group}" if vm.peer_group else "") + (
        f"-{vm.region}" if vm.region else "") + ".csv"
    return Response(league_csv(vm), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
