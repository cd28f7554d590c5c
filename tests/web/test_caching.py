"""The response cache: reused until the server writes, then rebuilt; 304 only for a matching ETag."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from opmodel.web.caching import ResponseCache
from opmodel.web.hub import StoreHub

from .conftest import TOKEN

T = TypeVar("T")


def test_cache_is_invalidated_by_a_write(private_client: TestClient) -> None:
    url = "/api/v1/organisations/RJ1"
    first = private_client.get(url)
    assert first.json()["name"].startswith("Guy")
    hub: StoreHub = private_client.app.state.hub  # type: ignore[attr-defined]
    before = hub.version
    with hub.writer() as store:
        store.execute("UPDATE organisations SET name = 'RENAMED TRUST' WHERE code = 'RJ1'")
    assert hub.version == before + 1
    second = private_client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert second.json()["name"] == "RENAMED TRUST"
    assert second.headers["etag"] != first.headers["etag"]


def test_errors_are_not_cached(private_client: TestClient) -> None:
    url = "/api/v1/organisations/ZZZ99"
    assert private_client.get(url).status_code == 404
    hub: StoreHub = private_client.app.state.hub  # type: ignore[attr-defined]
    with hub.writer() as store:
        store.execute("INSERT INTO organisations(code, name, kind, source) "
                      "VALUES ('ZZZ99', 'NEW TRUST', 'trust', 'test')")
    assert private_client.get(url).status_code == 200


def test_head_and_wildcard_if_none_match(private_client: TestClient) -> None:
    r = private_client.get("/", headers={"If-None-Match": "*"})
    assert r.status_code == 304
    assert "no-cache" in r.headers["cache-control"]


def test_host_header_cannot_poison_the_next_link(private_client: TestClient) -> None:
    """Issue 16 item 1: a forged Host must not end up in the link every later client is given."""
    url = "/api/v1/organisations?limit=2&kind=trust"
    forged = private_client.get(url, headers={"Host": "evil.example"})
    assert forged.status_code == 200
    later = private_client.get(url).json()
    assert later["next"] is not None
    assert "evil.example" not in later["next"]
    assert later["next"].startswith("/api/v1/organisations?")
    assert private_client.get(later["next"]).status_code == 200


def test_unknown_query_parameters_share_one_cache_entry(private_client: TestClient) -> None:
    """Issue 16 item 3: ``?cb=N`` cannot grow the cache, nor leak into ``next``."""
    cache = _cache(private_client)
    private_client.get("/api/v1/organisations?limit=2&kind=trust")
    before = len(cache)
    for n in range(30):
        body = private_client.get(f"/api/v1/organisations?limit=2&kind=trust&cb={n}").json()
        assert "cb=" not in body["next"]
    assert len(cache) == before


def test_cache_is_bounded_by_bytes() -> None:
    """Issue 16 item 3: the cache holds at most ``max_bytes`` of bodies, whatever the count."""

    import httpx

    async def page(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": scope["path"].encode() * 1000})

    cache = ResponseCache(page, version=lambda: 0, max_bytes=50_000)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=cache), base_url="http://t") as c:
            for n in range(200):
                assert (await c.get(f"/p{n:04d}")).status_code == 200

    _in_own_loop(run)
    assert 0 < cache.size_bytes <= 50_000
    assert len(cache) < 200


def test_concurrent_misses_render_the_page_once() -> None:
    """Issue 16 item 2: fifty clients asking for a page that is not cached wait for one rendering."""
    import asyncio

    import httpx

    calls = 0

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    cache = ResponseCache(slow, version=lambda: 0)

    async def run() -> list[int]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=cache), base_url="http://t") as c:
            return [r.status_code for r in await asyncio.gather(*(c.get("/organisations/RJ1") for _ in range(50)))]

    assert _in_own_loop(run) == [200] * 50
    assert calls == 1


def test_rejected_upload_keeps_the_cache(private_client: TestClient) -> None:
    """Issue 16 item 2: a 422 upload changes nothing, so cached pages stay valid (no stampede)."""
    hub: StoreHub = private_client.app.state.hub  # type: ignore[attr-defined]
    assert private_client.get("/organisations/RJ1").status_code == 200
    before = hub.version
    r = private_client.post("/api/v1/metric-files", files={"file": ("notes.csv", b"hello,world\n1,2\n", "text/csv")},
                            headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 422
    assert hub.version == before


def test_a_failed_write_does_not_clear_the_cache(private_client: TestClient) -> None:
    hub: StoreHub = private_client.app.state.hub  # type: ignore[attr-defined]
    before = hub.version
    try:
        with hub.writer() as store:
            store.execute("SELECT 1")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert hub.version == before


def _cache(client: TestClient) -> ResponseCache:
    stack = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(stack, ResponseCache):
        stack = stack.app
    return stack


def _in_own_loop(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` in a fresh event loop on its own thread (the browser tests' Playwright keeps
    a loop running on the main thread for the session)."""
    import asyncio
    import threading

    out: list[T] = []
    thread = threading.Thread(target=lambda: out.append(asyncio.run(main())))
    thread.start()
    thread.join(60)
    assert out, "the coroutine did not finish"
    return out[0]
