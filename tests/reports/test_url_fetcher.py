"""Issue 23, Why 8: WeasyPrint ran with its default URL fetcher, which opens any file or URL a document names.

Board packs carry text from the register and from loaded files, so they render with a fetcher that
serves only ``data:`` URLs and files inside the package.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

import opmodel
from opmodel.reports import pdf
from opmodel.reports.pdf import package_url_fetcher

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://169.254.169.254/latest/meta-data/",
                                 "https://example.com/x.png", "ftp://example.com/x", "file:///proc/self/environ",
                                 f"file://{Path(opmodel.__file__).parent}/../../../etc/passwd"])
def test_the_fetcher_refuses_anything_outside_the_package(url: str) -> None:
    with pytest.raises(ValueError, match="board packs load no"):
        package_url_fetcher()(url)


def test_the_fetcher_serves_data_urls_and_package_files() -> None:
    fetcher = package_url_fetcher()
    resp = fetcher("data:image/png;base64," + base64.b64encode(PNG).decode())
    assert resp.read() == PNG
    resp.close()
    css = Path(pdf.__file__).with_name("html") / "board_pack.css"
    resp = fetcher(css.as_uri())
    assert resp.read() == css.read_bytes()
    resp.close()


def test_a_document_naming_a_server_file_renders_without_it(tmp_path: Path) -> None:
    """WeasyPrint with our fetcher: the secret file's bytes never reach the PDF, the image is skipped."""
    from weasyprint import HTML

    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    html = f'<html><body><p>x</p><img src="{secret.as_uri()}"><img src="data:image/png;base64,' \
           f'{base64.b64encode(PNG).decode()}"></body></html>'
    fetched: list[str] = []
    fetcher = package_url_fetcher()
    inner = fetcher.fetch

    def spy(url: str, headers: object = None) -> object:
        fetched.append(url)
        return inner(url, headers)

    fetcher.fetch = spy  # type: ignore[method-assign]
    out = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert out[:5] == b"%PDF-" and secret.as_uri() in fetched  # asked for, and refused
    default = HTML(string=html).write_pdf()
    assert len(default) > len(out)  # the default fetcher would have embedded the server's file


def test_render_pdf_uses_the_package_fetcher(monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint

    seen: dict[str, object] = {}

    class Capture:
        def __init__(self, **kwargs: object) -> None:
            seen.update(kwargs)

        def write_pdf(self, **_: object) -> bytes:
            return b"%PDF-"

    monkeypatch.setattr(weasyprint, "HTML", Capture)
    monkeypatch.setattr(pdf, "render_html", lambda report, title="": "<html></html>")
    pdf.render_pdf(object())  # type: ignore[arg-type]
    assert type(seen["url_fetcher"]).__name__ == "PackageFetcher"
