"""``/api/v1/population`` and the ICB page's population-health section."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_api_icb_profile_by_either_code(client: TestClient) -> None:
    a = client.get("/api/v1/population/icbs/QKK", params={"on": "2025-06-01"})
    b = client.get("/api/v1/population/icbs/E54000030", params={"on": "2025-06-01"})
    assert a.status_code == b.status_code == 200
    assert a.json()["org_code"] == b.json()["org_code"] == "QKK"
    d = a.json()
    assert d["core20_share"] is not None and len(d["core20plus5"]) == 6
    assert any(i["indicator_id"] == "qof_hypertension" and i["trend"] for i in d["indicators"])


def test_api_compare_and_catalogue(client: TestClient) -> None:
    r = client.get("/api/v1/population/indicators/qof_hypertension/compare",
                   params={"level": "region", "on": "2026-06-01"})
    assert r.status_code == 200 and len(r.json()["rows"]) == 7
    cat = client.get("/api/v1/population/indicators").json()
    assert {"qof_hypertension", "core20_share"} <= {c["indicator_id"] for c in cat}
    assert all(c["third_party"] for c in cat if c["indicator_id"].startswith("qof_"))


def test_api_errors(client: TestClient) -> None:
    assert client.get("/api/v1/population/icbs/ZZZ").status_code == 404
    assert client.get("/api/v1/population/indicators/nope/compare").status_code == 404
    assert client.get("/api/v1/population/indicators/qof_hypertension/compare",
                      params={"year": 1999}).status_code == 404  # nothing held for that year


def test_icb_page_section_for_a_merged_icb(client: TestClient) -> None:
    html = client.get("/icbs/S1Y5D", params={"on": "2026-06-01"}).text
    assert 'id="population-health"' in html and "Population health and inequalities" in html
    assert "NHS Central East Integrated Care Board</strong> accountable for population health" in html
    assert "formed from" in html and "third-party" in html
    spine = html[html.index('id="population-spine"'):]
    assert re.search(r'<svg[^>]*role="img"', spine) and "<desc>" in spine and "Data table for this chart" in spine
    assert 'id="population-table"' in html and 'id="core20plus5"' in html
    assert "population-weighted mean of predecessors" in html


def test_region_page_has_no_population_section(client: TestClient) -> None:
    assert 'id="population-health"' not in client.get("/regions/Y56").text
