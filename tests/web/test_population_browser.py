"""The ICB page's population-health section in Debian's chromium, with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.web.browser import CHROMIUM_ARGS, axe_violations, chromium_path

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    profile: Path = tmp_path_factory.mktemp("chromium-population")
    with sync_playwright() as pw:
        context: Any = pw.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        p: Page = context.new_page()
        p.set_default_timeout(20_000)
        yield p
        context.close()


@pytest.mark.parametrize("url", ["/icbs/S1Y5D?on=2026-06-01", "/icbs/QYG?on=2025-06-01"])
def test_population_section_is_accessible(page: Page, live_server: str, url: str) -> None:
    page.goto(live_server + url)
    section = page.locator("#population-health")
    expect(section).to_have_text("Population health and inequalities")
    expect(page.locator("#population-spine svg[role=img]")).to_have_count(1)
    page.locator("#population-spine summary").click()
    expect(page.locator("#population-spine table tbody tr").first).to_be_visible()
    assert axe_violations(page) == []
