"""Server-rendered pages: content, heading order, labelled controls and links (no browser)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

PAGES = ["/", "/?on=2025-06-01", "/organisations/RJ1", "/regions/Y56", "/icbs/QKK", "/search?q=leeds&go=list",
         "/organisations/NOPE", "/organisations/RV9", "/league", "/operating-model?on=2023-01-01&function=cancer",
         "/metrics", "/metrics/ae_4hr", "/api/docs"]


class _Audit(HTMLParser):
    """Collects headings, form controls and labels to check WCAG basics without a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.images_without_alt = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"] or "")
        if tag == "img" and "alt" not in a:
            self.images_without_alt += 1


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_ordered_headings_and_labelled_controls(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code in (200, 404)
    assert r.headers["content-type"].startswith("text/html")
    audit = _Audit()
    audit.feed(r.text)
    assert audit.headings.count(1) == 1, "one h1 per page"
    assert audit.headings[0] == 1 or (audit.headings[0] == 2 and 1 in audit.headings)
    for prev, nxt in zip(audit.headings, audit.headings[1:], strict=False):
        assert nxt <= prev + 1, f"heading level jumps from h{prev} to h{nxt}"
    for c in audit.controls:
        assert c.get("id") in audit.label_for or c.get("aria-label") or c.get("aria-labelledby"), c
    assert audit.images_without_alt == 0
    assert 'lang="en"' in r.text


def test_rj1_profile_shows_icb_region_and_history(client: TestClient) -> None:
    html = client.get("/organisations/RJ1", params={"on": "2025-06-01"}).text
    assert "Guy&#39;s and St Thomas&#39; NHS Foundation Trust" in html
    assert "NHS South East London Integrated Care Board" in html
    assert 'href="/icbs/QKK?on=2025-06-01"' in html
    assert 'href="/regions/Y56?on=2025-06-01"' in html
    assert "1 July 2022" in html


def test_rj1_profile_shows_its_segment(client: TestClient) -> None:
    """Issue 7's "done when": RJ1's segment, NHS England's published one first (issue 20), the reconstruction
    computed from the shipped derived Q3 statistics (issue 11) beside it."""
    html = client.get("/organisations/RJ1").text
    badge = re.search(r'<p[^>]*id="segment-badge"[^>]*>(.*?)</p>', html, re.S)
    assert badge is not None and "Segment 1" in badge.group(1) and "ranked 10 of 134 acute trusts" in badge.group(1)
    assert "Oversight segment, 2025-26-Q3" in html
    head = re.search(r'<p id="headline-source">(.*?)</p>', html, re.S)
    assert head is not None and "Published by NHS England" in head.group(1) and "1.67" in head.group(1)
    source = re.search(r'<p id="result-source">(.*?)</p>', html, re.S)
    assert source is not None and "provisional" in source.group(1) and "average 1.67, segment 1" in source.group(1)
    api = client.get("/api/v1/organisations/RJ1/oversight").json()
    assert api["explanation"]["final_segment"] == 1 and api["explanation"]["result_source"] == "provisional"
    assert api["headline"]["source"] == "published" and api["headline"]["rank"] == 10


def test_overview_is_the_home_page_with_real_counts(client: TestClient) -> None:
    html = client.get("/", params={"on": "2026-06-01"}).text
    assert "7 regions, 36 integrated care boards" in html
    assert "North West" in html


def test_search_redirects_on_an_exact_code_and_lists_otherwise(client: TestClient) -> None:
    r = client.get("/search", params={"q": "rj1"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/organisations/RJ1"
    listing = client.get("/search", params={"q": "gusy"})
    assert '<a href="/organisations/RJ1">' in listing.text


def test_lower_case_code_redirects_to_the_canonical_page(client: TestClient) -> None:
    r = client.get("/organisations/rj1", follow_redirects=False)
    assert r.status_code == 308
    assert r.headers["location"] == "/organisations/RJ1"


def test_unknown_organisation_page_is_404_with_suggestions(client: TestClient) -> None:
    r = client.get("/organisations/RJ!")
    assert r.status_code == 404
    assert "Did you mean" in r.text
    assert "RJ1" in r.text


def test_bad_date_on_a_page_is_an_html_error(client: TestClient) -> None:
    r = client.get("/", params={"on": "not-a-date"})
    assert r.status_code == 422
    assert "There is a problem" in r.text


@pytest.mark.parametrize("url", ["/", "/api/docs", "/metrics/ae_4hr", "/organisations/RJ1"])
def test_pages_load_nothing_from_other_hosts(client: TestClient, url: str) -> None:
    html = client.get(url).text
    assert not re.search(r'<(script|link|img)\b[^>]*(src|href)="(https?:)?//', html), url


def test_api_reference_lists_every_operation(client: TestClient) -> None:
    html = client.get("/api/docs").text
    doc = client.get("/api/v1/openapi.json").json()
    for path in doc["paths"]:
        assert f" {path}</code>" in html


def test_assets_are_served_locally(client: TestClient) -> None:
    html = client.get("/").text
    assert "https://" not in re.sub(r'href="https://www\.nationalarchives[^"]*"', "", html.split("<footer")[0])
    css = client.get("/static/nhsuk/nhsuk-frontend.min.css")
    assert css.status_code == 200
    assert len(css.content) > 100_000
    assert client.get("/static/site.js").status_code == 200


def test_an_acute_profile_says_why_no_metric_scores_are_shown(client: TestClient) -> None:
    html = client.get("/organisations/RJ1").text  # acute: computed from shipped statistics (issue 11)
    assert 'id="metric-table"' in html and 'id="no-metric-scores"' not in html
    scored = client.get("/organisations/RWR").text  # a mental health trust: NHS England's own metric file
    assert 'id="metric-table"' in scored and 'id="no-metric-scores"' not in scored


def test_home_and_region_pages_state_one_date_for_segment_counts(client: TestClient) -> None:
    """Issue 16 item 14: both pages say which day's structure the segment counts use, and it is the same day."""
    said = []
    for url in ("/", "/regions/Y56"):
        html = client.get(url).text
        m = re.search(r'<p id="segments-structure-date">(.*?)</p>', html, re.S)
        assert m is not None, url
        said.append(re.search(r"on (\d{1,2} \w+ \d{4})", m.group(1)).group(1))  # type: ignore[union-attr]
    assert said[0] == said[1] == "31 December 2025"


def test_segment_tables_and_oversight_api_state_coverage_and_name_missing_trusts(client: TestClient) -> None:
    """Issue 11 item 7, issue 16 item 15: computed/provisional/published and coverage on every oversight table."""
    home = client.get("/").text
    m = re.search(r'<p id="segments-coverage">(.*?)</p>', home, re.S)
    assert m is not None and "provisional" in m.group(1) and "REN, RGM, RP4, RPY, RRJ" in m.group(1)
    area = client.get("/regions/Y56").text
    m = re.search(r'<p id="segments-coverage">(.*?)</p>', area, re.S)
    assert m is not None and "trusts counted here" in m.group(1) and "provisional" in m.group(1)
    assert 'id="segments-coverage-national"' in area
    league = client.get("/api/v1/oversight/league", params={"limit": 2}).json()
    assert "5 missing of 134: REN, RGM, RP4, RPY, RRJ" in league["coverage"]
    assert sum(league["result_sources"].values()) == league["total"] and "provisional" in league["result_sources"]
    assert all(row["result_source"] in ("computed", "provisional", "published") for row in league["items"])
    summary = client.get("/api/v1/oversight/summary").json()
    assert "REN, RGM, RP4, RPY, RRJ" in summary["coverage"] and summary["result_sources"]
    rj1 = client.get("/api/v1/organisations/RJ1/oversight").json()
    assert rj1["result_source"] == "provisional" and "metrics held on average" in rj1["coverage"]


def test_profile_comparison_names_the_published_rank(client: TestClient) -> None:
    html = client.get("/organisations/RJ1").text
    source = re.search(r'<p id="result-source">(.*?)</p>', html, re.S)
    assert source is not None
    assert "average 1.67, segment 1, rank 10 (computed: rank 7 of 129)" in source.group(1)


@pytest.mark.parametrize("url", ["/organisations/RJ1", "/icbs/QKK", "/regions/Y56"])
def test_profile_icb_and_region_pages_say_what_their_data_is_as_of(client: TestClient, url: str) -> None:
    html = client.get(url).text
    assert 'id="data-as-of"' in html and "data to March 2026" in html and "RTT to April 2026" in html
    assert 'id="as-of-table"' in html and "Loaded into this store on" in html
