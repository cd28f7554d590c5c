"""Journeys through the dashboard in Debian's chromium (Playwright), with axe-core on every page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.web.browser import CHROMIUM_ARGS, axe_violations, chromium_path

pytestmark = pytest.mark.browser

#: Every page the dashboard has (one of each kind), checked with axe-core.
ALL_PAGES = ["/", "/?on=2025-06-01", "/organisations/RJ1", "/organisations/RJ1?on=2023-01-01", "/regions/Y56",
             "/icbs/QKK", "/search?q=leeds&go=list", "/search", "/organisations/NOPE", "/organisations/RV9",
             "/league", "/league?region=Y56&sort=average&order=desc", "/operating-model",
             "/operating-model?on=2021-01-01", "/metrics", "/metrics/ae_4hr", "/api/docs"]
ALL_PAGES += ["/icbs/S1Y5D?on=2026-06-01", "/icbs/QYG?on=2025-06-01"]  # population section: merged and NW ICBs


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile: Path = tmp_path_factory.mktemp("chromium-profile")
    downloads: Path = tmp_path_factory.mktemp("downloads")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
            accept_downloads=True, downloads_path=str(downloads), viewport={"width": 1280, "height": 900},
            bypass_csp=True)  # axe-core is injected as an inline script; the CSP would block it
        yield context
        context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Page]:
    p: Page = browser_context.new_page()
    p.set_default_timeout(15_000)
    yield p
    p.close()


def test_find_a_trust_by_a_misspelt_name_and_read_where_it_sits(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("searchbox", name="Search organisations by code or name").fill("guys and st thomsa")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Guy's and St Thomas' NHS Foundation Trust").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Guy's and St Thomas' NHS Foundation Trust")
    where = page.locator("#where-list")
    expect(where.locator('[data-kind="icb"]')).to_contain_text("NHS South East London Integrated Care Board")
    expect(where.locator('[data-kind="region"]')).to_contain_text("London")


def test_read_a_trusts_segment_and_why(page: Page, live_server: str) -> None:
    page.goto(live_server + "/search?q=humber+teaching&go=list")
    page.get_by_role("link", name="Humber Teaching NHS Foundation Trust").first.click()
    expect(page.get_by_role("heading", name="Oversight segment, 2025-26-Q3")).to_be_visible()
    expect(page.locator("#segment-badge")).to_contain_text("Segment 1")
    expect(page.locator("#segment-summary")).to_contain_text("average metric score of 1.")
    expect(page.locator("#result-source")).to_contain_text("provisional")
    expect(page.locator("#metric-table tbody tr")).not_to_have_count(0)


def test_open_a_league_table_filter_sort_and_download_it(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("link", name="League tables").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("League tables, 2025-26-Q3")
    page.get_by_label("Region").select_option(label="London")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("#league-table tbody tr")
    expect(rows.first).to_contain_text("London")
    count = rows.count()
    assert count > 3
    page.locator("#league-table thead").get_by_role("link", name="Average score").click()
    expect(page.locator('#league-table th[aria-sort="ascending"]')).to_contain_text("Average score")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download this table as CSV").click()
    download = info.value
    assert download.suggested_filename == "league-2025-26-Q3-Y56.csv"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("headline_source,headline_segment,headline_rank,headline_rank_of,headline_average,")
    assert len(lines) == count + 1
    assert all(",Y56," in line for line in lines[1:])


def test_read_a_trusts_accountability_chain(page: Page, live_server: str) -> None:
    page.goto(live_server + "/organisations/RJ1?on=2025-10-01")
    expect(page.get_by_role("heading", name="Who holds it to account on 1 October 2025")).to_be_visible()
    expect(page.locator("#performance-manager")).to_have_text("Y56")
    cancer = page.locator("#accountability-table tr", has_text="Cancer")
    expect(cancer).to_contain_text("NHS South East London Integrated Care Board (QKK)")
    expect(cancer).to_contain_text("London (Y56): oversees")


def test_switch_date_in_the_model_explorer(page: Page, live_server: str) -> None:
    page.goto(live_server + "/operating-model?on=2025-10-01&org=RJ1")
    expect(page.locator("#model-in-force")).to_contain_text("nhs-2025")
    expect(page.locator("#performance-manager")).to_contain_text("Y56")
    page.get_by_label("Date").fill("2023-01-01")
    page.get_by_label("Function").select_option(label="Cancer")
    page.get_by_role("button", name="Show the chain").click()
    expect(page.locator("#model-in-force")).to_contain_text("nhs-2022")
    expect(page.locator("#performance-manager")).to_contain_text("QKK")
    expect(page.locator("#chain-list li").first).to_contain_text("Provider")
    expect(page.locator("#findings-none")).to_be_visible()


def test_metric_page_has_accessible_charts_with_data_tables(page: Page, live_server: str) -> None:
    page.goto(live_server + "/metrics/ae_4hr")
    chart = page.locator("#funnel-chart svg")
    expect(chart).to_have_attribute("role", "img")
    assert page.locator("#funnel-chart svg > title").count() == 1
    page.locator("#funnel-chart summary").click()
    expect(page.locator("#funnel-chart table tbody tr")).not_to_have_count(0)


def test_switch_date_on_the_overview_shows_the_icb_mergers(page: Page, live_server: str) -> None:
    page.goto(live_server + "/?on=2025-06-01")
    expect(page.locator(".nhsuk-lede-text")).to_contain_text("42 integrated care boards")
    page.get_by_label("Show the structure on").fill("2026-06-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".nhsuk-lede-text")).to_contain_text("36 integrated care boards")
    expect(page.locator("#changes")).to_contain_text("closed")


def test_keyboard_user_can_skip_to_content_and_reach_the_search(page: Page, live_server: str) -> None:
    page.goto(live_server + "/organisations/RJ1")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "maincontent"
    page.keyboard.press("Shift+Tab")
    for _ in range(10):
        if page.evaluate("document.activeElement.getAttribute('name')") == "q":
            break
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.getAttribute('name')") == "q"


@pytest.mark.parametrize("url", ALL_PAGES)
def test_every_page_passes_axe_wcag_aa(page: Page, live_server: str, url: str) -> None:
    page.goto(live_server + url)
    violations = axe_violations(page)
    assert violations == [], violations


def test_icb_population_section_has_a_chart_and_its_data_table(page: Page, live_server: str) -> None:
    page.goto(live_server + "/icbs/S1Y5D?on=2026-06-01")
    expect(page.locator("#population-health")).to_have_text("Population health and inequalities")
    expect(page.locator("#population-spine svg[role=img]")).to_have_count(1)
    page.locator("#population-spine summary").click()
    expect(page.locator("#population-spine table tbody tr").first).to_be_visible()
    assert axe_violations(page) == []
