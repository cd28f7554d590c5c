"""The operating model explorer: a date and a function give the chain tier by tier; diff; checks."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from opmodel.web.deps import Hub, OnQuery, ReadStore, templates
from opmodel.web.views_accountability import (
    chain_diagram,
    explorer_view,
    model_checks,
    model_diff,
    model_names,
    models_diagram,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Templates = Annotated[Jinja2Templates, Depends(templates)]
Name = Annotated[str, Query(max_length=60)]


@router.get("/operating-model", response_class=HTMLResponse)
def explorer(request: Request, store: ReadStore, tpl: Templates, h: Hub, on: OnQuery = None,
             function: Annotated[str | None, Query(max_length=60)] = None,
             org: Annotated[str, Query(max_length=10)] = "RJ1", a: Name = "nhs-2022", b: Name = "nhs-2025",
             ) -> Response:
    vm = explorer_view(store, on or dt.date.today(), function or None, org or "RJ1")
    ctx = {"vm": vm, "diff": model_diff(a, b, h.memo), "a": a, "b": b, "names": model_names(),
           "findings": model_checks(store, h.memo), "chain_svg": chain_diagram(vm),
           "models_svg": models_diagram(a, b, vm.function or "elective_care", h.memo)}
    return tpl.TemplateResponse(request, "operating_model.jinja", ctx)
