"""HTTP as the standards say it, for every route (issue 23, item 6).

One ASGI middleware, outside the response cache and inside the security headers:

* ``OPTIONS`` on a known path answers 204 with ``Allow`` (every method the path's routes serve,
  plus ``HEAD`` and ``OPTIONS``); a 405 carries the same ``Allow`` (Starlette names only the
  first route's methods, so ``PATCH /support-cases/1`` and ``GET`` on the same path were split).
* ``HEAD`` is served as ``GET`` without the body (pages and API alike; FastAPI routes are GET only).
* Under ``/api/`` an empty query parameter (``?on=``) is refused with 422 naming it, instead of
  meaning "not given": a client that sent it meant something, and the schema says so (minLength 1).
* Register requests (the prefixes given) carry at most ``max_body`` bytes: larger is 413 before
  anything is parsed, whether or not ``Content-Length`` is sent.

:func:`conform_openapi` makes the OpenAPI document say the same: string query parameters have
``minLength: 1`` and a 422 is either FastAPI's validation list or the ``Rejected`` body (file,
line, field, message) the register and uploads answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Mount, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opmodel.web.schemas import Rejected

__all__ = ["DEFAULT_MAX_BODY", "Conformance", "conform_openapi"]

#: The register's largest legitimate body (a review with 50 attendees and a 4,000-character decision)
#: is under 20 KB; 64 KB leaves room and keeps a flood of 10 MB "evidence" out.
DEFAULT_MAX_BODY = 64 * 1024
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _json(status: int, body: dict[str, Any], headers: Sequence[tuple[bytes, bytes]] = ()) -> list[Message]:
    raw = json.dumps(body).encode()
    return [{"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()),
                         *headers]},
            {"type": "http.response.body", "body": raw}]


class Conformance:
    """ASGI middleware: OPTIONS, HEAD, ``Allow`` on 405, empty API parameters and register body limits."""

    def __init__(self, app: ASGIApp, routes: Callable[[], Sequence[BaseRoute]],
                 limited_prefixes: tuple[str, ...] = (), max_body: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.routes = routes
        self.limited_prefixes = limited_prefixes
        self.max_body = max_body
        self._compiled: tuple[int, list[tuple[re.Pattern[str], frozenset[str]]]] | None = None

    def _table(self) -> list[tuple[re.Pattern[str], frozenset[str]]]:
        """Each route's full path as a pattern, with its methods (built once; the app's routes are fixed)."""
        routes = list(self.routes())
        if self._compiled is None or self._compiled[0] != len(routes):
            table: list[tuple[re.Pattern[str], frozenset[str]]] = []
            for rc in iter_route_contexts(routes):
                if isinstance(rc.original_route, Mount):
                    table.append((compile_path(rc.original_route.path.rstrip("/") + "/{rest:path}")[0],
                                  frozenset({"GET"})))
                elif rc.path and rc.methods:
                    table.append((compile_path(rc.path)[0], frozenset(rc.methods)))
            self._compiled = (len(routes), table)
        return self._compiled[1]

    def allowed(self, scope: Scope) -> list[str]:
        """The methods some route serves at this path (empty: no route knows the path)."""
        methods: set[str] = set()
        for pattern, route_methods in self._table():
            if pattern.match(scope["path"]):
                methods |= route_methods
        if "GET" in methods:
            methods.add("HEAD")
        return sorted(methods | {"OPTIONS"}) if methods else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if method == "OPTIONS":
            allow = self.allowed(scope)
            if allow:
                await send({"type": "http.response.start", "status": 204,
                            "headers": [(b"allow", ", ".join(allow).encode())]})
                await send({"type": "http.response.body", "body": b""})
                return
        if path.startswith("/api/"):
            empty = sorted({k for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                                    keep_blank_values=True) if v == ""})
            if empty:
                problems = [{"file": None, "line": None, "field": f"query.{k}",
                             "message": "must not be empty: leave the parameter out to use its default"}
                            for k in empty]
                for m in _json(422, {"detail": "Rejected; nothing was done.", "problems": problems}):
                    await send(m)
                return
        if method in _WRITES and path.startswith(self.limited_prefixes):
            body = await self._bounded_body(scope, receive)
            if body is None:
                problems = [{"file": None, "line": None, "field": "body",
                             "message": f"the request body is over {self.max_body:,} bytes, the most the register "
                                        "accepts (see the documented maxima per field)"}]
                for m in _json(413, {"detail": "Request body too large; nothing was written.",
                                     "problems": problems}):
                    await send(m)
                return
            receive = _replay(body)
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def conforming(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allow = ", ".join(self.allowed(scope)).encode()
                message = {**message, "headers": [(k, v) for k, v in message.get("headers", [])
                                                  if k.lower() != b"allow"] + [(b"allow", allow)]}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, conforming)

    async def _bounded_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is known to exceed the limit."""
        for k, v in scope.get("headers", []):
            if k.lower() == b"content-length" and v.isdigit() and int(v) > self.max_body:
                return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _min_length(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string":
        schema.setdefault("minLength", 1)
    for branch in schema.get("anyOf", []):
        _min_length(branch)


def conform_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` describe what :class:`Conformance` and the error handlers do."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = original()
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        rejected = Rejected.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(rejected.pop("$defs", {}))
        schemas["Rejected"] = rejected
        for item in doc.get("paths", {}).values():
            for op in item.values():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                for p in op.get("parameters", []):
                    if p.get("in") == "query":
                        _min_length(p.get("schema", {}))
                unprocessable = op["responses"].get("422")
                if unprocessable is not None or op.get("parameters"):
                    op["responses"]["422"] = {
                        "description": (unprocessable or {}).get("description", "Invalid request"),
                        "content": {"application/json": {"schema": {"anyOf": [
                            {"$ref": "#/components/schemas/HTTPValidationError"},
                            {"$ref": "#/components/schemas/Rejected"}]}}}}
        if "HTTPValidationError" not in schemas:
            schemas["HTTPValidationError"] = {"type": "object", "properties": {"detail": {"type": "array"}}}
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
