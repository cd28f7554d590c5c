"""Dates in the API read as the CLI reads them, and an empty answer is 404 not 400 (issue 16 item 16)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_start_accepts_a_month_as_the_cli_does(client: TestClient) -> None:
    month = client.get("/api/v1/metrics/ae_4hr/values", params={"org": "RJ1", "start": "2025-05", "end": "2025-05"})
    day = client.get("/api/v1/metrics/ae_4hr/values",
                     params={"org": "RJ1", "start": "2025-05-01", "end": "2025-05-01"})
    assert month.status_code == 200, month.text
    assert month.json()["items"] == day.json()["items"]
    assert [round(r["value"], 1) for r in month.json()["items"]] == [79.1]


@pytest.mark.parametrize("bad", ["0", "1700000000", "2025/05/01", "yesterday", "2025-13"])
def test_on_refuses_what_is_not_a_date(client: TestClient, bad: str) -> None:
    r = client.get("/api/v1/organisations/RJ1", params={"on": bad})
    assert r.status_code == 422, (bad, r.text)
    assert "YYYY-MM-DD" in r.text


def test_on_accepts_a_month(client: TestClient) -> None:
    r = client.get("/api/v1/organisations/RJ1", params={"on": "2025-06"})
    assert r.status_code == 200
    assert r.json()["on"] == "2025-06-01"


def test_spc_with_no_values_is_404_and_says_what_is_held(client: TestClient) -> None:
    r = client.get("/api/v1/organisations/X24/spc/OF0005")
    assert r.status_code in (404,), r.text
    r = client.get("/api/v1/organisations/RJ1/spc/amb_c1_mean")
    assert r.status_code == 404
    assert "no values of amb_c1_mean for RJ1" in r.json()["detail"]


def test_pages_show_dates_as_typed_and_tiers_by_name(private_client: TestClient) -> None:
    """Issue 16 item 17: date inputs showed 11/30/2026 under the hint 2026-04-01; labels read "Icb:"."""
    for url in ("/operating-model?org=RJ1&on=2025-10-01", "/organisations/RJ1?on=2025-10-01", "/icbs/QKK"):
        html = private_client.get(url).text
        assert 'type="date"' not in html, url
        assert "Icb" not in html and "· icb" not in html, url
    html = private_client.get("/operating-model?org=RJ1&on=2025-10-01").text
    assert 'value="2025-10-01"' in html and "<strong>ICB</strong>" in html


def test_search_names_kinds_in_words_and_says_closed(private_client: TestClient) -> None:
    html = private_client.get("/search", params={"q": "guys"}).text
    assert "Guy&#39;s and St Thomas&#39; NHS Foundation Trust</a>" in html
    assert "RJ1, NHS trust<" in html and "closed 30 September 2007" in html
