"""The England consistency page: performance, quality and access for every region or ICB (issue 22)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from opmodel.web.deps import Hub, ReadStore, templates
from opmodel.web.views_quality import consistency_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Templates = Annotated[Jinja2Templates, Depends(templates)]


@router.get("/consistency", response_class=HTMLResponse)
def consistency(request: Request, store: ReadStore, tpl: Templates, h: Hub,
                across: Annotated[Literal["region", "icb"], Query()] = "region") -> Response:
    return tpl.TemplateResponse(request, "consistency.jinja", {"vm": consistency_page(store, across, h.memo)})
