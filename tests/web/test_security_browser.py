"""Issue 16 item 5 in a real browser: the pages work under their Content-Security-Policy
(the NHS.UK components start, nothing is blocked), and no page can be framed.

Runs chromium from a child process: the other browser tests keep a Playwright session (with
``bypass_csp``, for axe-core) open on this process's main thread, and Playwright allows one."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.web.browser import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.browser

CHECK = """
import json, sys
from playwright.sync_api import sync_playwright
base, chromium, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
out = {"classes": {}, "blocked": []}
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=chromium, headless=True, args=args)
    page = browser.new_page()
    page.on("console", lambda m: out["blocked"].append(m.text) if "Content Security Policy" in m.text else None)
    for url in ("/", "/organisations/RJ1", "/league", "/metrics/ae_4hr", "/api/docs"):
        page.goto(base + url)
        page.wait_for_load_state("load")
        out["classes"][url] = page.evaluate("document.body.className")
    framed = browser.new_page()
    framed.set_content(f'<iframe id="f" src="{base}/"></iframe>')
    framed.wait_for_timeout(1000)
    inner = framed.frames[-1]
    out["framed"] = inner is not framed.main_frame and "nhsuk-header" in inner.content()
    browser.close()
print(json.dumps(out))
"""


def test_pages_run_under_the_policy_without_violations(live_server: str) -> None:
    run = subprocess.run([sys.executable, "-c", CHECK, live_server, chromium_path(), json.dumps(CHROMIUM_ARGS)],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    for url, classes in out["classes"].items():
        assert "js-enabled" in classes and "nhsuk-frontend-supported" in classes, url
    # The vendored NHS.UK CSS names the Frutiger web font on assets.nhs.uk (licensed, not
    # vendored); the policy keeps the dashboard off the network, so it falls back to Arial.
    assert [m for m in out["blocked"] if "assets.nhs.uk/fonts/" not in m] == []
    assert out["framed"] is False  # refused: frame-ancestors 'none', X-Frame-Options: DENY
