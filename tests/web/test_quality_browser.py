"""The quality pages in Debian's chromium: the profile's "Quality and safety" section, the region's quality
panel and the England consistency page, each read as a user would and checked with axe-core (issue 22)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.web.browser import CHROMIUM_ARGS, axe_violations, chromium_path

pytestmark = pytest.mark.browser


def _in_own_thread(journey: Callable[[Page], None], profile: Path) -> None:
    """Run ``journey`` with its own Playwright in a worker thread (the other browser tests keep a session-wide
    sync Playwright whose event loop occupies this thread), as the register's browser tests do."""

    def run() -> None:
        with sync_playwright() as pw:
            context: Any = pw.chromium.launch_persistent_context(
                str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900}, bypass_csp=True)  # axe-core is injected inline
            try:
                page: Page = context.new_page()
                page.set_default_timeout(90_000)  # a cold profile renders charts on a shared 2-core machine
                journey(page)
            finally:
                context.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


def _profile(page: Page, base: str) -> None:
    page.goto(base + "/organisations/RJ1")
    page.get_by_role("navigation", name="Contents of this page").get_by_role("link", name="Quality and safety").click()
    expect(page.get_by_role("heading", name="Quality and safety")).to_be_visible()
    grid = page.locator("#cqc-grid")
    expect(grid.locator('[data-question="overall"]')).to_have_text("Good")
    expect(grid.locator('[data-question="safe"]')).to_have_text("Requires improvement")
    expect(page.locator("#shmi-summary")).to_contain_text("0.9373")
    expect(page.locator("#shmi-band")).to_have_text("As expected")
    expect(page.locator("#fft-summary")).to_contain_text("95.6%")
    expect(page.locator("#quality-third-party")).to_contain_text("third-party")
    expect(page.locator("#shmi-funnel svg")).to_have_attribute("role", "img")
    page.locator("#shmi-funnel summary").click()
    expect(page.locator("#shmi-funnel table tbody tr")).to_have_count(118)
    assert axe_violations(page) == []


def _pages(page: Page, base: str) -> None:
    for url in ("/regions/Y56", "/consistency", "/consistency?across=icb"):
        page.goto(base + url)
        assert axe_violations(page) == [], url
    page.goto(base + "/regions/Y56")
    expect(page.locator("#area-quality")).to_contain_text("Rated good or outstanding")


def _consistency(page: Page, base: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="Consistency").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consistency of performance, quality and access")
    for leg in ("performance", "quality", "access"):
        # 7 regions, England, the range and the between-region share
        expect(page.locator(f"#table-{leg} tbody tr")).to_have_count(10)
    expect(page.locator("#consistency-chart svg")).to_have_attribute("role", "img")
    # one small map per measure of each leg (issue 26 item 3), every region a titled shape, each with its table
    for leg in ("performance", "quality", "access"):
        measures = page.locator(f"#table-{leg} thead th.nhsuk-table__header--numeric").count()
        maps = page.locator(f"#maps-{leg} + .app-map-grid figure.app-map")
        expect(maps).to_have_count(measures)
        for i in range(measures):
            expect(maps.nth(i).locator('svg path[role="img"]')).to_have_count(7)
    cqc = page.locator("#map-cqc_good_or_outstanding")
    cqc.locator("summary").click()
    expect(cqc.locator("table tbody tr")).to_have_count(8)  # 7 regions and England
    page.get_by_role("link", name="By ICB").click()
    expect(page.locator("#table-access tbody tr")).to_have_count(36 + 3)


def test_profile_quality_section_reads_rj1_and_passes_axe(live_server: str, tmp_path: Path) -> None:
    _in_own_thread(lambda page: _profile(page, live_server), tmp_path / "chromium")


def test_quality_panel_and_consistency_pages_pass_axe(live_server: str, tmp_path: Path) -> None:
    _in_own_thread(lambda page: _pages(page, live_server), tmp_path / "chromium")


def test_consistency_page_shows_every_region_and_the_three_legs(live_server: str, tmp_path: Path) -> None:
    _in_own_thread(lambda page: _consistency(page, live_server), tmp_path / "chromium")
