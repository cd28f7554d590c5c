"""Helpers for the browser tests: Debian's chromium through Playwright, and axe-core."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: WCAG 2.0/2.1/2.2 A and AA rules (the level the issue asks for).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    """Debian's chromium; the tests fail (never skip) when it is missing so CI cannot pass silently."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError("chromium is not installed: run `python3 quickstart.py system-packages` "
                           "(apt-get install chromium)")
    return found


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page and return the WCAG A/AA violations (id, impact, targets)."""
    page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""",
        AXE_TAGS,
    )
    return result
