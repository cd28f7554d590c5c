#!/usr/bin/env python3
"""Screenshot the home page's opening map for docs/user-guide.md (docs/images/home-map.png).

Serves the dashboard over a fresh store seeded with the shipped data, on a free loopback port, and
photographs the home page's map section (heading, text and map) on 1 June 2026 (36 ICBs) in
Debian's chromium (Playwright), as the browser tests do.

Run:  .venv/bin/python scripts/screenshot_home_map.py [--on 2026-06-01] [--out docs/images/home-map.png]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from opmodel.store import open_store
from opmodel.web import WebSettings, create_app

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--on", default="2026-06-01")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "home-map.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shot.duckdb"
        open_store(path).close()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        server = uvicorn.Server(uvicorn.Config(create_app(WebSettings(store_path=path)), host="127.0.0.1",
                                               port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as pw:
                chromium = shutil.which("chromium") or shutil.which("chromium-browser")
                browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1000, "height": 1500})
                page.goto(f"http://127.0.0.1:{port}/?on={args.on}")
                top = page.locator("h2#map").bounding_box()
                svg = page.locator("#england-map svg").bounding_box()
                assert top is not None and svg is not None, "the home page has no map"
                y0, y1 = top["y"] - 16, svg["y"] + svg["height"] + 16
                page.screenshot(path=str(args.out), full_page=True,
                                clip={"x": 0, "y": y0, "width": 1000, "height": y1 - y0})
                browser.close()
        finally:
            server.should_exit = True
            thread.join(10)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
