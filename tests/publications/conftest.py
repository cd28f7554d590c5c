"""A local HTTP server in the shape of NHS England's statistics pages, serving files from ../shared/data.

Landing page -> one page per financial year -> file links, as on
www.england.nhs.uk/statistics/statistical-work-areas/... . The server listens on a free port on
127.0.0.1, honours ``Range`` requests (for resumed downloads) and records every request (path,
headers, time) so tests can check the User-Agent and the one-request-a-second spacing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from opmodel.publications import Series
from tests.conftest import SHARED_DATA

AE_NEW = SHARED_DATA / "nhse-ae-monthly-2025-26"
DM01_ZIP = SHARED_DATA / "nhse-newer-2026-publications" / "dm01_monthly__DM01-MARCH-2026-full-extract_32W3L.zip"
UPLOADS = "/statistics/wp-content/uploads/sites/2"
AE_LANDING = "/statistics/statistical-work-areas/ae-waiting-times-and-activity/"
AE_YEAR = AE_LANDING + "ae-attendances-and-emergency-admissions-2025-26/"
AE_OLD_YEAR = AE_LANDING + "ae-attendances-and-emergency-admissions-2024-25/"
DM01_LANDING = ("/statistics/statistical-work-areas/diagnostics-waiting-times-and-activity/"
                "monthly-diagnostics-waiting-times-and-activity/")
DM01_YEAR = DM01_LANDING + "monthly-diagnostics-data-2025-26/"
RTT_LANDING = "/statistics/statistical-work-areas/rtt-waiting-times/"


def _page(title: str, body: str) -> bytes:
    """A page in the shape of NHS England's: header, breadcrumbs, an article with the links, footer."""
    return f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{title} | NHS England</title>
</head><body><header class="nhsuk-header"><a href="/">NHS England</a><nav><a href="/statistics/">Statistics</a>
<a href="#maincontent">Skip to main content</a></nav></header>
<main id="maincontent"><nav class="breadcrumb"><a href="/">Home</a> / <a href="/statistics/">Statistics</a></nav>
<article><h1>{title}</h1>{body}</article></main>
<footer><a href="/accessibility/">Accessibility</a><a href="mailto:england.contactus@nhs.net">Contact</a></footer>
</body></html>""".encode()


AE_LANDING_HTML = _page("A&amp;E Attendances and Emergency Admissions", f"""
<p>The weekly and monthly A&amp;E attendances and emergency admissions collection ...</p>
<h2>Latest statistics</h2>
<ul><li><a href="{AE_YEAR}">A&amp;E Attendances and Emergency Admissions 2025-26</a></li>
<li><a href="{AE_OLD_YEAR}">A&amp;E Attendances and Emergency Admissions 2024-25</a></li></ul>
<p><a href="{AE_LANDING}ae-attendances-and-emergency-admissions-methodology/">Methodology</a></p>""")

AE_YEAR_HTML = _page("A&amp;E Attendances and Emergency Admissions 2025-26", f"""
<h2>March 2026</h2>
<p><a href="{UPLOADS}/2026/04/March-2026-AE-by-provider-G49lw.xls">A&amp;E by provider March 2026 (XLS, 220KB)</a></p>
<p><a href="{UPLOADS}/2026/04/March-2026-CSV-G49lw.csv">Monthly A&amp;E March 2026 (CSV, 29KB)</a></p>
<h2>December 2025</h2>
<p><a href="{UPLOADS}/2026/01/December-2025-CSV-K7F4Sp.csv">Monthly A&amp;E December 2025 (CSV, 29KB)</a></p>
<p><a href="{UPLOADS}/2026/01/Statistical-Note-December-2025.pdf">Statistical note (PDF, 300KB)</a></p>""")

AE_OLD_YEAR_HTML = _page("A&amp;E Attendances and Emergency Admissions 2024-25", """
<p>Figures for 2024-25 are final.</p>""")

DM01_LANDING_HTML = _page("Monthly Diagnostics Waiting Times and Activity", f"""
<ul><li><a href="{DM01_YEAR}">Monthly Diagnostics Data 2025-26</a></li></ul>""")

DM01_YEAR_HTML = _page("Monthly Diagnostics Data 2025-26", f"""
<p><a href="{UPLOADS}/2026/05/DM01-MARCH-2026-full-extract_32W3L.zip">DM01 March 2026 full extract (ZIP, 1.3MB)</a>
</p>""")

#: The RTT page after a redesign: the data now sit behind an interactive dashboard, no file links.
RTT_REDESIGNED_HTML = _page("Referral to Treatment (RTT) Waiting Times", """
<div id="rtt-app" data-source="/api/rtt/v2/"></div>
<p><a href="/statistics/rtt-dashboard/">Explore the RTT dashboard</a></p>""")


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float


@dataclass
class Site:
    base: str
    routes: dict[str, tuple[bytes, str]]
    hits: list[Hit] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def files_requested(self) -> list[str]:
        return [h.path for h in self.hits if h.path.startswith(UPLOADS)]


def _routes() -> dict[str, tuple[bytes, str]]:
    html = "text/html; charset=utf-8"
    return {
        AE_LANDING: (AE_LANDING_HTML, html), AE_YEAR: (AE_YEAR_HTML, html), AE_OLD_YEAR: (AE_OLD_YEAR_HTML, html),
        DM01_LANDING: (DM01_LANDING_HTML, html), DM01_YEAR: (DM01_YEAR_HTML, html),
        RTT_LANDING: (RTT_REDESIGNED_HTML, html),
        f"{UPLOADS}/2026/04/March-2026-CSV-G49lw.csv": ((AE_NEW / "March-2026-CSV-G49lw.csv").read_bytes(), "text/csv"),
        f"{UPLOADS}/2026/01/December-2025-CSV-K7F4Sp.csv": ((AE_NEW / "December-2025-CSV-K7F4Sp.csv").read_bytes(),
                                                            "text/csv"),
        f"{UPLOADS}/2026/05/DM01-MARCH-2026-full-extract_32W3L.zip": (DM01_ZIP.read_bytes(), "application/zip"),
    }


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site("", _routes())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            state.hits.append(Hit(path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()))
            if path not in state.routes:
                self.send_error(404)
                return
            body, kind = state.routes[path]
            start = 0
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes=") and rng[6:].rstrip("-").isdigit():
                start = int(rng[6:].rstrip("-"))
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            self.wfile.write(body[start:])

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # a free port: safe under pytest-xdist
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def series_at(site: Site) -> dict[str, Series]:
    """The shipped A&E, DM01 and RTT series pointed at the local site (patterns unchanged)."""
    from opmodel.publications import get_series

    return {"ae": get_series("ae_monthly").model_copy(update={"url": site.url(AE_LANDING)}),
            "dm01": get_series("diagnostics_dm01").model_copy(update={"url": site.url(DM01_LANDING)}),
            "rtt": get_series("rtt").model_copy(update={"url": site.url(RTT_LANDING)})}


def fetched_dir(tmp_path: Path) -> Path:
    return tmp_path / "downloads"
