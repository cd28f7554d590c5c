"""The REST API for the registry: org show parity with the CLI, pagination, ETags, errors."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient


def test_organisation_returns_exactly_what_org_show_json_prints(client: TestClient, cli: object) -> None:
    shown = cli("org", "show", "RJ1", "--on", "2025-06-01", "--json")  # type: ignore[operator]
    assert shown.exit_code == 0
    r = client.get("/api/v1/organisations/RJ1", params={"on": "2025-06-01"})
    assert r.status_code == 200
    assert r.json() == json.loads(shown.stdout)
    assert list(r.json()) == list(json.loads(shown.stdout))


def test_unknown_organisation_is_404_with_suggestions(client: TestClient) -> None:
    r = client.get("/api/v1/organisations/RJ!")
    assert r.status_code == 404
    body = r.json()
    assert body["code"] == "RJ!"
    assert "RJ1" in body["suggestions"]


def test_bad_date_is_a_clear_422(client: TestClient) -> None:
    r = client.get("/api/v1/organisations/RJ1", params={"on": "2025-13-01"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "on"]


def test_organisation_list_is_paginated_and_next_walks_it(client: TestClient) -> None:
    first = client.get("/api/v1/organisations", params={"kind": "icb", "on": "2026-06-01", "limit": 20}).json()
    assert first["total"] == 36
    assert len(first["items"]) == 20
    second = client.get(first["next"]).json()
    assert len(second["items"]) == 16
    assert second["next"] is None
    codes = [o["code"] for o in first["items"] + second["items"]]
    assert len(set(codes)) == 36


def test_limit_is_bounded(client: TestClient) -> None:
    assert client.get("/api/v1/organisations", params={"limit": 0}).status_code == 422
    assert client.get("/api/v1/organisations", params={"limit": 501}).status_code == 422


def test_structure_on_a_date_is_the_tree(client: TestClient) -> None:
    tree = client.get("/api/v1/structure", params={"on": "2026-06-01"}).json()
    assert tree["code"] == "X24"
    assert len(tree["children"]) == 7
    london = next(r for r in tree["children"] if r["code"] == "Y56")
    qkk = next(i for i in london["children"] if i["code"] == "QKK")
    assert "RJ1" in {c["code"] for c in qkk["children"]}


def test_structure_changes_between_dates(client: TestClient) -> None:
    r = client.get("/api/v1/structure/changes",
                   params={"from": "2026-03-01", "to": "2026-06-01", "kind": "icb", "limit": 500}).json()
    changes = [c["change"] for c in r["items"]]
    assert changes.count("opened") == 6
    assert changes.count("closed") == 12


def test_etag_and_if_none_match_give_304(client: TestClient) -> None:
    r = client.get("/api/v1/organisations/RJ1", params={"on": "2025-06-01"})
    etag = r.headers["etag"]
    again = client.get("/api/v1/organisations/RJ1", params={"on": "2025-06-01"},
                       headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/api/v1/organisations/RJ1", params={"on": "2025-06-01"},
                       headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.headers["etag"] == etag


def test_region_icb_and_search_endpoints(client: TestClient) -> None:
    region = client.get("/api/v1/regions/Y56", params={"on": "2026-06-01"}).json()
    assert region["details"]["code"] == "Y56"
    assert client.get("/api/v1/icbs/Y56").status_code == 404
    found = client.get("/api/v1/search", params={"q": "guys st thomas"}).json()
    assert found["results"][0]["code"] == "RJ1"


def test_openapi_documents_the_api(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/organisations/{code}" in doc["paths"]
    assert all(p.startswith("/api/v1/") for p in doc["paths"])
    assert client.get("/api/docs").status_code == 200


def test_writes_are_refused_on_read_endpoints(client: TestClient) -> None:
    assert client.post("/api/v1/organisations/RJ1").status_code == 405
    assert client.delete("/api/v1/organisations/RJ1").status_code == 405
