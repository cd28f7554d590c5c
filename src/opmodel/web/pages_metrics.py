"""Metric pages: the list of metrics held, and one metric's definition, distribution, funnel and trend."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from opmodel.web.deps import Hub, ReadStore, templates
from opmodel.web.views_metrics import metric_page, metrics_index

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Templates = Annotated[Jinja2Templates, Depends(templates)]


@router.get("/metrics", response_class=HTMLResponse)
def metrics(request: Request, store: ReadStore, tpl: Templates, h: Hub) -> Response:
    return tpl.TemplateResponse(request, "metrics.jinja", {"vm": metrics_index(store, h.memo)})


@router.get("/metrics/{metric}", response_class=HTMLResponse)
def metric(request: Request, store: ReadStore, tpl: Templates, h: Hub,
           metric: Annotated[str, Path(max_length=60)]) -> Response:
    return tpl.TemplateResponse(request, "metric.jinja", {"vm": metric_page(store, metric, h.memo)})
