"""The home page's map and an ICB page's map in chromium: accessible names, data table, axe-core (issue 26)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.web.browser import CHROMIUM_ARGS, axe_violations, chromium_path

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def map_page(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    profile: Path = tmp_path_factory.mktemp("chromium-maps")
    with sync_playwright() as pw:
        context: Any = pw.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900}, bypass_csp=True)
        page: Page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()


@pytest.mark.parametrize(("path", "fig", "count"), [("/?on=2026-06-01", "#england-map", 37),
                                                    ("/?on=2025-06-01", "#england-map", 42),
                                                    ("/icbs/QKK?on=2025-06-01", "#area-map", 6)])
def test_map_and_its_data_table_pass_axe(map_page: Page, live_server: str, path: str, fig: str, count: int) -> None:
    map_page.goto(live_server + path)
    areas = map_page.locator(f"{fig} svg path[role=img]")
    expect(areas).to_have_count(count)
    name = areas.first.evaluate("e => e.querySelector('title').textContent")
    assert "(" in name and ")" in name
    map_page.locator(f"{fig} summary").click()
    expect(map_page.locator(f"{fig} table tbody tr").first).to_be_visible()
    assert axe_violations(map_page) == []
