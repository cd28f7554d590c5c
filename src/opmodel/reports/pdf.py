"""Render a :class:`Report` to HTML and to a tagged A4 PDF with WeasyPrint.

PDF/UA-1 variant (tagged structure, title from <title>, language from ``lang``), fonts embedded
(WeasyPrint subsets and embeds every font it uses), charts as vector SVG images with alt text and
a data table for each in the appendix (issue 17, requirement 4).

WeasyPrint fetches whatever a document links to; a board pack carries text from the register and
loaded files, so it renders with :func:`package_url_fetcher`, which serves only ``data:`` URLs
and files inside the ``opmodel`` package and refuses everything else (other files, http, ftp),
whatever the document says (issue 23, item 6).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from opmodel.reports.charts import chart_svg, sparkline_svg, svg_data_uri
from opmodel.reports.formatting import fmt_value
from opmodel.reports.model import Report

__all__ = ["exceptions", "fill_charts", "package_url_fetcher", "render_html", "render_pdf"]

_HTML_DIR = Path(__file__).with_name("html")
#: The only folder a board pack may load files from: the installed package.
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def package_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher for ``data:`` URLs and ``file:`` URLs under the package, nothing else."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    class PackageFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not path.is_relative_to(_PACKAGE_DIR):
                    raise ValueError(f"board packs load no file outside the opmodel package: {url[:120]}")
            elif scheme != "data":
                raise ValueError(f"board packs load no {scheme}: URLs: {url[:120]}")
            return super().fetch(url, headers)

    return PackageFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_HTML_DIR)),
                             autoescape=jinja2.select_autoescape(["html", "jinja"]), trim_blocks=True,
                             lstrip_blocks=True)
    env.globals.update(fmt=fmt_value, spark=lambda v: svg_data_uri(sparkline_svg(v)), svg_uri=svg_data_uri,
                       num=lambda v: "–" if v is None else f"{v:.2f}")
    return env


def exceptions(report: Report) -> set[str]:
    """Measures a board should look at first: special cause concern, or a target it will consistently miss."""
    return {k.metric for k in report.kpis
            if (k.variation_icon or "").startswith("concern") or k.assurance_icon == "consistently_fail"}


def fill_charts(report: Report) -> Report:
    """Render each SPC section's vector chart once (idempotent)."""
    for c in report.charts:
        if c.svg is None:
            c.svg = chart_svg(c)
    return report


def render_html(report: Report, title: str = "Integrated performance report") -> str:
    """The board pack as one self-contained HTML document (charts inline as data URIs)."""
    fill_charts(report)
    return _env().get_template("board_pack.html.jinja").render(r=report, template_title=title,
                                                                 exceptions=exceptions(report))


def render_pdf(report: Report, path: Path | None = None, title: str = "Integrated performance report") -> bytes:
    """The board pack as PDF bytes (written to ``path`` too when given)."""
    from weasyprint import CSS, HTML

    fetcher = package_url_fetcher()
    css = CSS(filename=str(_HTML_DIR / "board_pack.css"), url_fetcher=fetcher)
    pdf: bytes = HTML(string=render_html(report, title), base_url=str(_HTML_DIR), url_fetcher=fetcher).write_pdf(
        stylesheets=[css], pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True)
    if path is not None:
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(pdf)
        tmp.replace(path)
    return pdf
