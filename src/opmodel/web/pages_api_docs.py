"""The API reference page, generated from the OpenAPI document and served like every other page.

FastAPI's built-in Swagger UI loads its JavaScript from a CDN; the dashboard must not
touch the network, so the reference is rendered here in the NHS.UK design system.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from opmodel.web.deps import templates

__all__ = ["operations", "router"]

router = APIRouter(include_in_schema=False)
Templates = Annotated[Jinja2Templates, Depends(templates)]


def operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of an OpenAPI document as rows: method, path, summary, parameters, statuses."""
    out = []
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            params = [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                       "description": p.get("description") or p.get("schema", {}).get("description", "")}
                      for p in op.get("parameters", [])]
            out.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "tag": (op.get("tags") or ["other"])[0], "parameters": params,
                        "responses": sorted(op.get("responses", {}))})
    return sorted(out, key=lambda o: (o["tag"], o["path"], o["method"]))


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, tpl: Templates) -> Response:
    doc = request.app.openapi()
    return tpl.TemplateResponse(request, "api_docs.jinja", {"doc": doc, "ops": operations(doc)})


@router.get("/openapi.json")
def openapi_redirect() -> Response:
    """Where tools look for the OpenAPI document by habit; it lives under the versioned API."""
    return RedirectResponse("/api/v1/openapi.json", 308)


@router.get("/docs")
def docs_redirect() -> Response:
    return RedirectResponse("/api/docs", 308)
