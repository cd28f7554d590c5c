"""``/api/v1`` for metrics and variation: catalogue, values, an organisation's metrics, SPC and funnel charts.

Charts are returned as their Vega-Lite spec and data table (render the spec with
vega-embed or vl-convert); the pages show the same charts as SVG.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from opmodel.metrics import metric_values
from opmodel.web.charts import Chart
from opmodel.web.deps import Hub, ReadStore
from opmodel.web.pagination import Page, PageParams, page_params, paginate
from opmodel.web.params import MonthOrDayParam
from opmodel.web.schemas import COMMON_RESPONSES, Message
from opmodel.web.views_metrics import (
    MetricPage,
    MetricSummary,
    OrgMetric,
    metric_page,
    metrics_index,
    org_metrics,
    spc_chart,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["metrics and variation"],
                   responses={**COMMON_RESPONSES,
                              404: {"model": Message, "description": "Unknown code, or no values held."}})
MetricPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_]{1,60}$", description="Metric id, e.g. ae_4hr.")]
Pages = Annotated[PageParams, Depends(page_params)]


@router.get("/metrics", response_model=list[MetricSummary], summary="Metrics the store holds values for")
def metrics(store: ReadStore, h: Hub) -> list[MetricSummary]:
    return metrics_index(store, h.memo)


@router.get("/metrics/{metric}", response_model=MetricPage,
            summary="A metric's definition, distribution, regional values, funnel plot and England trend")
def metric(store: ReadStore, h: Hub, metric: MetricPath) -> MetricPage:
    return metric_page(store, metric, h.memo, render=False)


@router.get("/metrics/{metric}/values", response_model=Page[dict[str, Any]],
            summary="Values of a metric at a level (trust, icb, region, england), oldest first")
def values(request: Request, store: ReadStore, pages: Pages, metric: MetricPath,
           level: Annotated[Literal["trust", "icb", "region", "england"], Query()] = "trust",
           org: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9]{1,10}$", description="One organisation, or "
                                            "everything under it.")] = None,
           start: Annotated[MonthOrDayParam, Query(description="Periods starting on or after (YYYY-MM or "
                                                   "YYYY-MM-DD).")] = None,
           end: Annotated[MonthOrDayParam, Query(description="Periods starting on or before (YYYY-MM or "
                                                 "YYYY-MM-DD).")] = None,
           ) -> Page[dict[str, Any]]:
    rows = metric_values(store, metric, org=org, level=level, start=start, end=end)
    return paginate(request, rows, pages)


@router.get("/organisations/{code}/metrics", response_model=list[OrgMetric],
            summary="An organisation's latest value of every metric, with its peers' median and quartiles")
def organisation_metrics(store: ReadStore, h: Hub, code: str) -> list[OrgMetric]:
    return org_metrics(store, code, h.memo)


@router.get("/organisations/{code}/spc/{metric}", response_model=Chart,
            summary="XmR (SPC) chart of one metric for one organisation: Vega-Lite spec and data table")
def organisation_spc(store: ReadStore, h: Hub, code: str, metric: MetricPath) -> Chart:
    return spc_chart(store, code, metric, h.memo, render=False)
