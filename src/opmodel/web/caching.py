"""ETags and a response cache for every GET, invalidated when the store changes.

Pages and API answers depend only on the store contents, the route's declared
query parameters and (for "today" defaults) the date, so a rendered response can
be reused until the store changes. The key is built from exactly those parts: the
path, the query parameters as the route that serves the path reads them (``?cb=N``
and other unknown parameters are ignored, so they cannot grow the cache; a repeated
parameter counts once with its last value, as FastAPI reads it, so ``?on=A&on=B``
and ``?on=B&on=A`` are different answers; a list parameter keeps every value in
order), the store version and the day. Nothing in a response depends on the ``Host`` header (links are
relative, see :mod:`opmodel.web.pagination`), so a forged host cannot poison it.

The cache is bounded by the bytes it holds (least recently used first out), not
only by the number of entries, and a page that is not cached is rendered once
while every other request for it waits (single flight): after an upload, fifty
visitors of one page cost one rendering, not fifty.

Each cached response carries a strong ETag (a hash of its body); a request whose
``If-None-Match`` matches gets 304 with no body. Clients are told to revalidate
(``Cache-Control: no-cache``) so an upload is seen at once. Implemented as plain
ASGI middleware so a cache hit costs almost nothing (no rendering, no database).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_MAX_BYTES", "ResponseCache", "declared_query_params", "effective_query", "shaping_params"]

_MAX_BODY = 4 * 1024 * 1024
#: Total bytes of cached bodies; the whole dashboard (every page and API answer for every
#: organisation) is far smaller, so in normal use nothing useful is evicted.
DEFAULT_MAX_BYTES = 128 * 1024 * 1024
#: Query parameters a handler reads without declaring them (``/search?go=list``).
_READ_UNDECLARED = frozenset({"go"})


@dataclass(frozen=True)
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes

    @property
    def cost(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 256


def _etag_matches(header: bytes, etag: bytes) -> bool:
    tags = [t.strip().removeprefix(b"W/") for t in header.split(b",")]
    return b"*" in tags or etag in tags


def _declared(route: object) -> dict[str, bool]:
    """Query parameter name -> whether FastAPI reads every value (a list) or the last one."""
    from fastapi._compat.shared import field_annotation_is_sequence

    names: dict[str, bool] = {}
    todo = [getattr(route, "dependant", None)]
    while todo:
        dependant = todo.pop()
        if dependant is None:
            continue
        for p in dependant.query_params:
            names[p.alias] = field_annotation_is_sequence(p.field_info.annotation)
        todo.extend(dependant.dependencies)
    return names


def declared_query_params(route: object) -> frozenset[str]:
    """The query parameter names a FastAPI route declares, its dependencies' included."""
    return frozenset(_declared(route))


def shaping_params(route: object) -> dict[str, bool]:
    """The query parameters that shape the answer of the route that served a request, each with
    whether all its values count (none for static files and routes that declare nothing)."""
    if getattr(route, "dependant", None) is None:
        return {}
    return {**dict.fromkeys(_READ_UNDECLARED, False), **_declared(route)}


def effective_query(pairs: list[tuple[str, str]], params: dict[str, bool]) -> list[tuple[str, str]]:
    """The query as the handler sees it: only ``params``, a single-valued one by its last value
    (Starlette's ``QueryParams.get``), a list one by all its values in order; sorted by name."""
    last: dict[str, str] = {}
    many: dict[str, list[str]] = {}
    for k, v in pairs:
        if k not in params:
            continue
        if params[k]:
            many.setdefault(k, []).append(v)
        else:
            last[k] = v
    out = [(k, v) for k, v in last.items()] + [(k, v) for k, vs in many.items() for v in vs]
    return sorted(out, key=lambda kv: kv[0])


class ResponseCache:
    """ASGI middleware: cache successful GET responses per (route, declared query, store version, day)."""

    def __init__(self, app: ASGIApp, version: Callable[[], int], max_entries: int = 4096,
                 max_bytes: int = DEFAULT_MAX_BYTES, skip_prefixes: tuple[str, ...] = ("/static",)) -> None:
        self.app = app
        self.version = version
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.skip_prefixes = skip_prefixes
        self.size_bytes = 0
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[tuple[Any, ...], asyncio.Event] = {}
        # Which query parameters shape each path's answer, learnt from the route that served it.
        self._params: OrderedDict[str, dict[str, bool]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _key(self, scope: Scope) -> tuple[Any, ...]:
        """(method, path, the query parameters that shape the answer, store version, day).

        Until a path has been served once, every parameter counts, in the order sent (nothing is
        stored under that key); from then on only those its route reads, as it reads them
        (:func:`effective_query`).
        """
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        with self._lock:
            names = self._params.get(scope["path"])
        if names is not None:
            pairs = effective_query(pairs, names)
        return (scope["method"], scope["path"], tuple(pairs), self.version(), dt.date.today())

    def _learn(self, scope: Scope) -> None:
        with self._lock:
            self._params[scope["path"]] = shaping_params(scope.get("route"))
            self._params.move_to_end(scope["path"])
            while len(self._params) > self.max_entries:
                self._params.popitem(last=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or scope["path"].startswith(self.skip_prefixes)):
            await self.app(scope, receive, send)
            return
        scope = dict(scope)  # routing records the matched route in it (see _learn)
        key = self._key(scope)
        entry = self._get(key)
        while entry is None:
            pending = self._inflight.get(key)
            if pending is None:
                done = self._inflight[key] = asyncio.Event()
                try:
                    entry = await self._render(scope, receive, send, key)
                finally:
                    del self._inflight[key]
                    done.set()
                if entry is None:
                    return  # not cacheable: already sent as it came
            else:
                await pending.wait()
                entry = self._get(key)
                if entry is None:  # the first rendering was not cacheable: render our own
                    await self.app(scope, receive, send)
                    return
        headers = dict(scope["headers"])
        inm = headers.get(b"if-none-match")
        if inm is not None and _etag_matches(inm, entry.etag):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", entry.etag), (b"cache-control", b"no-cache")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else entry.body})

    def _get(self, key: tuple[Any, ...]) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def _put(self, key: tuple[Any, ...], entry: _Entry) -> None:
        if entry.cost > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size_bytes -= old.cost
            self._entries[key] = entry
            self.size_bytes += entry.cost
            while len(self._entries) > self.max_entries or self.size_bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size_bytes -= dropped.cost

    async def _render(self, scope: Scope, receive: Receive, send: Send, key: tuple[Any, ...]) -> _Entry | None:
        """Run the app; keep a 200 response for reuse, pass anything else straight through."""
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def capture(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
                if message["status"] != 200:
                    passthrough = True
                    await send(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > _MAX_BODY:
                    passthrough = True
                    assert start is not None
                    await send(start)
                    await send({"type": "http.response.body", "body": b"".join(chunks),
                                "more_body": message.get("more_body", False)})

        await self.app(scope, receive, capture)
        if passthrough or start is None:
            return None
        self._learn(scope)
        key = self._key(scope)
        body = b"".join(chunks)
        etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
        hdrs = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"etag", b"cache-control")]
        hdrs += [(b"etag", etag), (b"cache-control", b"no-cache")]
        entry = _Entry(status=200, headers=hdrs, body=body, etag=etag)
        self._put(key, entry)
        return entry
