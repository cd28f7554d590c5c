"""Browser journey through the support register in Debian's chromium (Playwright), with axe-core checks.

A region editor opens a case for a segment-4 trust from its profile and adds
milestones; the trust's user adds evidence; the region closes the case with the
exit evidence (issue 15, "Done when"). Today the nhs-2025 model is in force, so the
London region (Y56) performance-manages Barking, Havering and Redbridge (RF4), which
the shipped 2025-26 Q3 results put in segment 4.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from opmodel.register import add_user, open_register
from opmodel.web import WebSettings, create_app
from tests.web.browser import CHROMIUM_ARGS, axe_violations, chromium_path
from tests.web.conftest import serve_in_thread

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def register_server(seeded_store_file: Path, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[tuple[str, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("register-live")
    shutil.copy(seeded_store_file, tmp / "live.duckdb")
    app = create_app(WebSettings(store_path=tmp / "live.duckdb"))
    reg = open_register(url=f"sqlite:///{tmp / 'register.sqlite'}")
    app.state.register = reg
    with app.state.hub.reader() as store:
        tokens = {"region": add_user(reg, store, "London editor", "Y56")[1],
                  "trust": add_user(reg, store, "RF4 board secretary", "RF4")[1]}
    with serve_in_thread(app) as url:
        yield url, tokens
    reg.close()


def _in_own_thread(journey: Callable[[Page], None], profile: Path) -> None:
    """Run ``journey`` with its own Playwright in a worker thread: the other browser tests keep a
    session-wide sync Playwright whose event loop occupies this thread."""

    def run() -> None:
        with sync_playwright() as pw:
            context: Any = pw.chromium.launch_persistent_context(
                str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900},
                bypass_csp=True)  # axe-core is injected as an inline script; the CSP would block it
            try:
                page: Page = context.new_page()
                page.set_default_timeout(90_000)  # cold profile pages render SPC charts on a shared 2-core machine
                journey(page)
            finally:
                context.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


def _sign_in(page: Page, base: str, token: str, next_: str) -> None:
    page.goto(f"{base}/sign-in?next={next_}")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def test_region_opens_trust_adds_evidence_region_closes(register_server: tuple[str, dict[str, str]],
                                                        tmp_path: Path) -> None:
    base, tokens = register_server
    _in_own_thread(lambda page: _journey(page, base, tokens), tmp_path / "chromium-register")


def _journey(page: Page, base: str, tokens: dict[str, str]) -> None:
    # the region editor, from the trust's profile
    _sign_in(page, base, tokens["region"], "/organisations/RF4")
    expect(page.locator("#segment-badge")).to_contain_text("Segment 4")
    page.get_by_role("link", name="Open a support case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open a support case for")
    expect(page.locator("#access-reason")).to_contain_text("Y56 performance-manages RF4")
    expect(page.get_by_label("Trigger segment")).to_have_value("4")
    expect(page.get_by_label("Programme")).to_have_value("")  # issue 23: no wrong programme for segment 4
    assert axe_violations(page) == []
    page.get_by_label("Programme").select_option("other")
    page.get_by_label("Named lead").fill("Regional director of strategic transformation")
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator("#case-status")).to_contain_text("open")
    for title, due in (("Board-approved recovery plan", "2026-12-31"), ("Elective waits back to plan", "2027-03-31")):
        page.get_by_label("Milestone").fill(title)
        page.get_by_label("Owner").fill("Chief operating officer")
        page.get_by_label("Due (YYYY-MM-DD)").fill(due)
        page.get_by_role("button", name="Add the milestone").click()
    expect(page.locator("#milestones > li")).to_have_count(2)
    case_url = page.url
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    # the trust's user adds evidence to the first milestone, and cannot close the case
    _sign_in(page, base, tokens["trust"], case_url.removeprefix(base))
    expect(page.locator("#signed-in-as")).to_have_text("RF4 board secretary")
    expect(page.locator("#close-form")).to_have_count(0)
    page.locator("#milestones > li").first.get_by_label("Add evidence").fill("Board minutes, 4 December 2026")
    page.locator("#milestones > li").first.get_by_role("button", name="Add evidence").click()
    expect(page.locator("#milestones > li").first.locator(".app-evidence")).to_contain_text("Board minutes")
    page.get_by_role("button", name="Sign out").click()

    # the region closes the case with the exit evidence
    _sign_in(page, base, tokens["region"], case_url.removeprefix(base))
    page.get_by_label("Exit evidence").fill("Segment 3 for two quarters; recovery plan milestones met")
    page.get_by_role("button", name="Close the case").click()
    expect(page.locator("#case-status")).to_contain_text("closed")
    expect(page.locator("#exit-evidence")).to_contain_text("recovery plan milestones met")
    expect(page.locator("#history-list > li")).to_have_count(5)
    expect(page.locator("#history-list")).to_contain_text("RF4 board secretary (RF4): add evidence")
