"""Errors as users need them: JSON with suggestions for the API, an NHS.UK error page for people."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.templating import Jinja2Templates

from opmodel.errors import InputError, NotFoundError, OpmodelError, UnknownCodeError
from opmodel.store.locking import StoreBusyError

__all__ = ["install_error_handlers"]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, title: str, message: str, suggestions: list[str] | None = None
          ) -> Response:
    tpl: Jinja2Templates = request.app.state.templates
    return tpl.TemplateResponse(request, "error.jinja",
                                {"title": title, "message": message, "suggestions": suggestions or []},
                                status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(UnknownCodeError)
    async def unknown_code(request: Request, exc: UnknownCodeError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc), "code": exc.code, "suggestions": exc.suggestions}, 404)
        return _page(request, 404, f"{exc.what[:1].upper()}{exc.what[1:]} not found", str(exc), exc.suggestions)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        problems: list[dict[str, Any]] = [
            {"file": p.file, "line": p.line, "field": p.field, "message": p.message} for p in exc.problems]
        return JSONResponse({"detail": "Rejected; nothing was written.", "problems": problems}, 422)

    @app.exception_handler(NotFoundError)
    async def not_held(request: Request, exc: NotFoundError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, 404)
        return _page(request, 404, "Nothing held for this", str(exc))
    @app.exception_handler(StoreBusyError)
    async def busy(request: Request, exc: StoreBusyError) -> Response:
        """Another command (a load) held the store longer than a request waits: try again shortly."""
        headers = {"Retry-After": "5"}
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, 503, headers=headers)
        response = _page(request, 503, "The data is being updated", str(exc))
        response.headers.update(headers)
        return response

    @app.exception_handler(OpmodelError)
    async def other(request: Request, exc: OpmodelError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, 400)
        return _page(request, 400, "There is a problem", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        if _is_api(request):
            return JSONResponse({"detail": errors}, 422)
        text = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in errors)
        return _page(request, 422, "There is a problem with the address", text)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) or exc.status_code not in (404, 405):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        return _page(request, exc.status_code, "Page not found", "There is no page at this address.")
