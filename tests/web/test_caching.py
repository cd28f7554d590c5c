"""The response cache: reused until the server writes, then rebuilt; 304 only for a matching ETag."""

from __future__ import annotations

from fastapi.testclient import TestClient

from opmodel.web.hub import StoreHub


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
