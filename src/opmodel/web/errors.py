"""Errors as users need them: JSON with suggestions for the API, an NHS.UK error page for people.

No error page repeats text from the request's query string except validation messages
naming the parameter; a database that is busy or unreachable is 503 with ``Retry-After``,
never a 500 (issue 23).
"""

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
        if any(e["type"] == "missing" and [str(x).lower() for x in e["loc"]] == ["header", "if-match"]
               for e in errors):
            # RFC 6585: a change that must name the version it was made from, sent without one.
            return JSONResponse({"detail": "Send the case version you read in If-Match (its ETag)."}, 428)
        if _is_api(request):
            return JSONResponse({"detail": errors}, 422)
        text = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in errors)
        return _page(request, 422, "There is a problem with the address", text)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) and exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's answer to a body it cannot decode: invalid input like any other, so 422 as documented
            return JSONResponse({"detail": [{"loc": ["body"], "msg": "The body could not be read as the documented "
                                             "content type (JSON text in UTF-8, or a form).", "type": "body_invalid"}]},
                                422)
        if _is_api(request) or exc.status_code not in (404, 405):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        if exc.status_code == 405:
            response = _page(request, 405, "Method not allowed", "This address does not take that kind of request.")
            response.headers.update(exc.headers or {})
            return response
        return _page(request, exc.status_code, "Page not found", "There is no page at this address.")

    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_busy(request: Request, exc: Exception) -> Response:
        """The register's database was locked past its timeout, or is unreachable: try again shortly."""
        message = "The support register's database is busy or unavailable; nothing was written. Try again shortly."
        headers = {"Retry-After": "5"}
        if _is_api(request):
            return JSONResponse({"detail": message}, 503, headers=headers)
        response = _page(request, 503, "The register is busy", message)
        response.headers.update(headers)
        return response
