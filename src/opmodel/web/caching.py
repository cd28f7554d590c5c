"""ETags and a response cache for every GET, invalidated when the store changes.

Pages and API answers depend only on the store contents, the URL and (for
"today" defaults) the date, so a rendered response can be reused until the
server writes to the store. Each cached response carries a strong ETag (a hash
of its body); a request whose ``If-None-Match`` matches gets 304 with no body.
Clients are told to revalidate (``Cache-Control: no-cache``) so an upload is
seen at once. The vendored static files go through the same cache (served from
memory instead of the disk on every request). Implemented as plain ASGI middleware so a cache hit costs almost
nothing (no route matching, no rendering, no database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ResponseCache"]

_MAX_BODY = 4 * 1024 * 1024


@dataclass(frozen=True)
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


def _etag_matches(header: bytes, etag: bytes) -> bool:
    tags = [t.strip().removeprefix(b"W/") for t in header.split(b",")]
    return b"*" in tags or etag in tags


class ResponseCache:
    """ASGI middleware: cache successful GET responses per (URL, store version, day)."""

    def __init__(self, app: ASGIApp, version: Callable[[], int], max_entries: int = 2048,
                 skip_prefixes: tuple[str, ...] = ("/static",)) -> None:
        self.app = app
        self.version = version
        self.max_entries = max_entries
        self.skip_prefixes = skip_prefixes
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or scope["path"].startswith(self.skip_prefixes)):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = (scope["method"], scope["path"], scope["query_string"], headers.get(b"accept", b""),
               self.version(), dt.date.today())
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is None:
            entry = await self._render(scope, receive, send, key)
            if entry is None:
                return
        inm = headers.get(b"if-none-match")
        if inm is not None and _etag_matches(inm, entry.etag):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", entry.etag), (b"cache-control", b"no-cache")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else entry.body})

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
        body = b"".join(chunks)
        etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
        hdrs = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"etag", b"cache-control")]
        hdrs += [(b"etag", etag), (b"cache-control", b"no-cache")]
        entry = _Entry(status=200, headers=hdrs, body=body, etag=etag)
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return entry
