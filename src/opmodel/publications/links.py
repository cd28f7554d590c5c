"""Links on a landing page, parsed with lxml, and the check that a page still has the layout expected.

NHS England's statistics pages list files as plain links ("Monthly A&E March 2026 (CSV, 29KB)")
on a page per series or per financial year. A series names, as regular expressions, the links to
follow and the file links to take (``series.yaml``); a page where nothing matches has changed
layout, and the updater refuses the series by name rather than guess (issue 21, item 3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import lxml.html

from opmodel.errors import OpmodelError

__all__ = ["LayoutChangedError", "Link", "file_name", "matching", "newest_first", "page_links"]


class LayoutChangedError(OpmodelError):
    """A landing page no longer has the links a series expects; nothing is fetched for it."""

    def __init__(self, series: str, url: str, what: str) -> None:
        self.series = series
        self.url = url
        super().__init__(f"{series}: the page {url} has changed layout ({what}); nothing was downloaded or "
                         "loaded for this series (update its entry in series.yaml)")


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def page_links(html: str, base_url: str) -> list[Link]:
    """Every ``<a href>`` on the page as an absolute URL (fragments dropped), in page order, once each."""
    if not html.strip():
        return []
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    seen: set[str] = set()
    out: list[Link] = []
    for a in doc.xpath("//a[@href]"):
        href = str(a.get("href") or "").strip()
        if not href or href.startswith(("mailto:", "javascript:", "#")):
            continue
        url = urldefrag(urljoin(base_url, href))[0]
        if url in seen:
            continue
        seen.add(url)
        out.append(Link(url, " ".join(a.text_content().split())))
    return out


def matching(links: list[Link], pattern: str) -> list[Link]:
    """Links whose address (path) or text matches ``pattern``."""
    rx = re.compile(pattern)
    return [lk for lk in links if rx.search(unquote(urlparse(lk.url).path)) or rx.search(lk.text)]


def newest_first(links: list[Link]) -> list[Link]:
    """Year pages ordered by the latest year they name (2025-26 before 2024-25); page order otherwise."""
    def year(link: Link) -> int:
        found = [int(y) for y in re.findall(r"20\d\d", f"{link.url} {link.text}")]
        return max(found, default=0)
    return sorted(links, key=lambda lk: -year(lk))


def file_name(url: str) -> str:
    """The last segment of a file's address, as saved on disk."""
    name = unquote(urlparse(url).path.rsplit("/", 1)[-1])
    return re.sub(r"[^A-Za-z0-9._ -]+", "_", name) or "download"
