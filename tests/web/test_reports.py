"""Web: the profile's at-a-glance summary and the board-pack API (issue 17, requirements 2 and 3)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_profile_starts_with_the_glance_and_contents(private_client: TestClient) -> None:
    client = private_client
    html = client.get("/organisations/RJ1").text
    glance, where = html.index('id="at-a-glance"'), html.index('id="where"')
    contents, detail = html.index('id="page-contents"'), html.index('id="segment"')
    assert glance < contents < where < detail, "the summary and contents come before the long detail"
    seg = re.search(r'<p[^>]*id="glance-segment"[^>]*>(.*?)</p>', html, re.S)
    assert seg is not None and "Segment " in seg.group(1) and "ranked " in seg.group(1)
    assert re.search(r"likely rank \d+ to \d+ of \d+; \d+% chance of segment \d", seg.group(1)), seg.group(1)
    table = html[html.index('id="glance-kpis"'):]
    assert "A&amp;E 4-hour performance (all types)" in table and "nhsuk-tag" in table
    for anchor in ("#at-a-glance", "#where", "#segment", "#spc", "#history"):
        assert f'href="{anchor}"' in html
    link = re.search(r'<a[^>]*id="board-pack-link"[^>]*>(.*?)</a>', html, re.S)
    assert link is not None and link.group(1) == "Download board pack (PDF)"
    assert 'href="/api/v1/reports/RJ1?period=2025-26-Q3&amp;format=pdf"' in html


def test_api_returns_the_pdf(client: TestClient) -> None:
    r = client.get("/api/v1/reports/RJ1", params={"period": "2025-26-Q3"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-") and b"%%EOF" in r.content[-64:]
    assert 'filename="RJ1-2025-26-Q3-board-pack.pdf"' in r.headers["content-disposition"]


def test_api_pptx_and_errors(client: TestClient) -> None:
    r = client.get("/api/v1/reports/QKK", params={"period": "2025-26-Q3", "format": "pptx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert r.headers["content-type"].endswith("presentationml.presentation")
    missing = client.get("/api/v1/reports/NOPE1")
    assert missing.status_code == 404 and missing.json()["code"] == "NOPE1"
    bad = client.get("/api/v1/reports/RJ1", params={"period": "2025-Q3"})
    assert bad.status_code == 422
    none = client.get("/api/v1/reports/RJ1", params={"period": "2030-31-Q1"})
    assert none.status_code == 404 and "2025-26-Q3" in none.json()["suggestions"]
