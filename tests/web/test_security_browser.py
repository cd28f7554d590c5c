"""Issue 16 item 5 in a real browser: the pages work under their Content-Security-Policy
(the NHS.UK components start, nothing is blocked), and no page can be framed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from tests.web.browser import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.browser


def test_pages_run_under_the_policy_without_violations(live_server: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            blocked: list[str] = []
            page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
            for url in ("/", "/organisations/RJ1", "/league", "/metrics/ae_4hr", "/api/docs"):
                page.goto(live_server + url)
                page.wait_for_load_state("load")
                classes: Any = page.evaluate("document.body.className")
                assert "js-enabled" in classes and "nhsuk-frontend-supported" in classes, url
            # The vendored NHS.UK CSS names the Frutiger web font on assets.nhs.uk (licensed, not
            # vendored); the policy keeps the dashboard off the network, so it falls back to Arial.
            assert [m for m in blocked if "assets.nhs.uk/fonts/" not in m] == []
            framed = browser.new_page()
            framed.set_content(f'<iframe id="f" src="{live_server}/"></iframe>')
            framed.wait_for_timeout(1000)
            inner = framed.frames[-1]
            assert inner is not framed.main_frame
            assert "nhsuk-header" not in inner.content()  # refused: frame-ancestors 'none', X-Frame-Options
        finally:
            browser.close()
