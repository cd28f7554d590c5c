"""The home page's map and an ICB page's map in chromium: accessible names, data table, axe-core (issue 26)."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.web.browser import CHROMIUM_ARGS, axe_violations, chromium_path

pytestmark = pytest.mark.browser


def in_browser(profile: Path, journey: Callable[[Page], None]) -> None:
    """Run ``journey`` with its own Playwright in a worker thread: the other browser tests keep a
    session-wide sync Playwright whose event loop occupies this thread (as the register's do)."""

    def run() -> None:
        with sync_playwright() as pw:
            context: Any = pw.chromium.launch_persistent_context(
                str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900}, bypass_csp=True)  # axe-core is injected inline
            try:
                page: Page = context.new_page()
                page.set_default_timeout(60_000)
                journey(page)
            finally:
                context.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


@pytest.mark.parametrize(("path", "fig", "count"), [("/?on=2026-06-01", "#england-map", 37),
                                                    ("/?on=2025-06-01", "#england-map", 42),
                                                    ("/icbs/QKK?on=2025-06-01", "#area-map", 6)])
def test_map_and_its_data_table_pass_axe(live_server: str, tmp_path: Path, path: str, fig: str, count: int) -> None:
    def journey(page: Page) -> None:
        page.goto(live_server + path)
        areas = page.locator(f"{fig} svg path[role=img]")
        expect(areas).to_have_count(count)
        name = areas.first.evaluate("e => e.querySelector('title').textContent")
        assert re.search(r"\([A-Z0-9]{3,5}\): ", name), name  # name, ODS code, value
        page.locator(f"{fig} summary").click()
        expect(page.locator(f"{fig} table tbody tr").first).to_be_visible()
        assert axe_violations(page) == []

    in_browser(tmp_path / "chromium", journey)
