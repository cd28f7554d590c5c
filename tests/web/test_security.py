"""Issue 16 items 4, 5 and 17: security headers, the upload token as configured, archive limits, redirects."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from opmodel.errors import OpmodelError
from opmodel.web import WebSettings, create_app

from ..conftest import SHARED_DATA
from .conftest import TOKEN

AE_APRIL = SHARED_DATA / "nhse-ae-monthly-2024-25" / "Monthly-AE-April-2025.csv"


@pytest.mark.parametrize("url", ["/", "/organisations/RJ1", "/api/v1/organisations/RJ1", "/static/site.js",
                                 "/no-such-page", "/api/v1/organisations/ZZZ99"])
def test_every_response_carries_the_security_headers(client: TestClient, url: str) -> None:
    for _ in range(2):  # the first answer is rendered, the second comes from the cache
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "server" not in r.headers


@pytest.mark.parametrize("url", ["/", "/organisations/RJ1", "/api/docs"])
def test_every_inline_script_is_allowed_by_its_hash(client: TestClient, url: str) -> None:
    """The policy forbids inline script except by hash, so each one the pages have must be listed."""
    from opmodel.web.security import script_hash

    r = client.get(url)
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", r.text, flags=re.S)
    assert inline, "the NHS.UK template marks the body as JavaScript-enabled with an inline script"
    for source in inline:
        assert script_hash(source) in r.headers["content-security-policy"]


def test_a_token_read_with_a_trailing_newline_still_authorises(store_path: Path) -> None:
    app = create_app(WebSettings(store_path=store_path, token=TOKEN + "\n"))
    with TestClient(app) as c:
        r = c.post("/api/v1/metric-files", files={"file": ("notes.csv", b"hello,world\n1,2\n", "text/csv")},
                   headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 422  # past the token check: the file itself is refused


def test_a_token_with_a_line_break_inside_is_refused_at_start() -> None:
    with pytest.raises(OpmodelError, match="one word"):
        WebSettings(token="abc\ndef")
    assert WebSettings(token="  \n").token is None


def _bomb(unpacked: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Monthly-AE-April-2025.csv", b"0" * unpacked)
    return buf.getvalue()


def test_a_compression_bomb_is_refused_before_it_is_read(store_path: Path) -> None:
    app = create_app(WebSettings(store_path=store_path, token=TOKEN, max_unpacked_bytes=20 * 1024 * 1024))
    bomb = _bomb(40 * 1024 * 1024)
    assert len(bomb) < 100_000
    with TestClient(app) as c:
        r = c.post("/api/v1/metric-files", files={"file": ("ae.zip", bomb, "application/zip")},
                   headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 413, r.text
    detail = r.json()["detail"]
    assert "ae.zip" in detail and "unpack" in detail


def test_a_real_publication_zip_is_accepted_by_the_archive_check(store_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(AE_APRIL, AE_APRIL.name)
    app = create_app(WebSettings(store_path=store_path, token=TOKEN))
    with TestClient(app) as c:
        r = c.post("/api/v1/metric-files", files={"file": ("ae.zip", buf.getvalue(), "application/zip")},
                   headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code != 413, r.text


@pytest.mark.parametrize(("old", "new"), [("/openapi.json", "/api/v1/openapi.json"), ("/docs", "/api/docs")])
def test_usual_api_addresses_redirect(client: TestClient, old: str, new: str) -> None:
    r = client.get(old, follow_redirects=False)
    assert r.status_code in (301, 307, 308)
    assert r.headers["location"] == new
    assert client.get(old).status_code == 200


def test_a_readers_archive_limit_is_a_422_naming_the_uploaded_file(store_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The readers raise an ``InputError`` (subclass) for archives past their own limits; the API
    answers 422 with the name the user uploaded, not the server's temporary path."""
    from opmodel.errors import InputError
    from opmodel.web import api_uploads

    def refuse(store: object, paths: list[Path], dry_run: bool = False) -> None:
        raise InputError.one(paths[0], None, None, "unpacks to more than the reader accepts")

    monkeypatch.setattr(api_uploads, "load_files", refuse)
    app = create_app(WebSettings(store_path=store_path, token=TOKEN))
    with TestClient(app) as c:
        before = app.state.hub.version
        r = c.post("/api/v1/metric-files", files={"file": ("rtt.zip", _bomb(1000), "application/zip")},
                   headers={"Authorization": f"Bearer {TOKEN}"})
        assert app.state.hub.version == before
    assert r.status_code == 422
    assert r.json()["problems"][0]["file"] == "rtt.zip"
    assert "more than the reader accepts" in r.json()["problems"][0]["message"]
