"""POST /api/v1/metric-files: token, size and format checks, and a store left unchanged on rejection."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from opmodel.store import Store
from opmodel.web import WebSettings, create_app
from opmodel.web.hub import StoreHub

from ..conftest import SHARED_DATA
from .conftest import TOKEN

AE_APRIL = SHARED_DATA / "nhse-ae-monthly-2024-25" / "Monthly-AE-April-2025.csv"
URL = "/api/v1/metric-files"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _counts(client: TestClient) -> tuple[int, int]:
    hub: StoreHub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.reader() as store:
        return (int(store.scalar("SELECT count(*) FROM metric_values")),
                int(store.scalar("SELECT count(*) FROM metric_sources")))


def test_upload_needs_the_bearer_token(private_client: TestClient) -> None:
    files = {"file": (AE_APRIL.name, AE_APRIL.read_bytes(), "text/csv")}
    missing = private_client.post(URL, files=files)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = private_client.post(URL, files=files, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_uploads_are_refused_when_no_token_was_configured(store_path: Path) -> None:
    with TestClient(create_app(WebSettings(store_path=store_path))) as client:
        r = client.post(URL, files={"file": ("x.csv", b"a,b\n", "text/csv")}, headers=AUTH)
    assert r.status_code == 403
    assert "OPMODEL_API_TOKEN" in r.json()["detail"]


def test_oversized_upload_is_413_and_writes_nothing(private_client: TestClient) -> None:
    before = _counts(private_client)
    big = b"x" * (3 * 1024 * 1024)  # the private app accepts 2 MB
    r = private_client.post(URL, files={"file": ("big.csv", big, "text/csv")}, headers=AUTH)
    assert r.status_code == 413
    assert "bytes" in r.json()["detail"]
    assert _counts(private_client) == before


def test_unrecognised_file_is_422_naming_the_file(private_client: TestClient) -> None:
    before = _counts(private_client)
    r = private_client.post(URL, files={"file": ("notes.csv", b"hello,world\n1,2\n", "text/csv")}, headers=AUTH)
    assert r.status_code == 422
    body = r.json()
    assert body["detail"] == "Rejected; nothing was written."
    assert body["problems"][0]["file"] == "notes.csv"
    assert _counts(private_client) == before


def test_malformed_publication_is_422_with_line_and_field_and_writes_nothing(private_client: TestClient) -> None:
    before = _counts(private_client)
    lines = AE_APRIL.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    col = next(i for i, h in enumerate(header) if "Attendances" in h or "attendances" in h.lower())
    row[col] = "lots"
    broken = "\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n"
    r = private_client.post(URL, files={"file": ("Monthly-AE-April-2025.csv", broken.encode(), "text/csv")},
                            headers=AUTH)
    assert r.status_code == 422, r.text
    problem = r.json()["problems"][0]
    assert problem["file"] == "Monthly-AE-April-2025.csv"
    assert problem["line"] is not None
    assert _counts(private_client) == before


def test_not_multipart_is_400(private_client: TestClient) -> None:
    r = private_client.post(URL, content=b"{}", headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400
    assert "multipart" in r.json()["detail"]


def test_a_publication_loads_once_and_reloading_changes_nothing(private_client: TestClient) -> None:
    hub: StoreHub = private_client.app.state.hub  # type: ignore[attr-defined]
    with hub.writer() as store:
        _forget(store, AE_APRIL.name)
    before = _counts(private_client)
    r = private_client.post(URL, files={"file": (AE_APRIL.name, AE_APRIL.read_bytes(), "text/csv")}, headers=AUTH)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["committed"] is True
    assert report["files"][0]["status"] == "loaded"
    assert report["files"][0]["path"] == AE_APRIL.name
    assert report["inserted"] > 500
    assert _counts(private_client)[0] == before[0] + report["inserted"]
    again = private_client.post(URL, files={"file": (AE_APRIL.name, AE_APRIL.read_bytes(), "text/csv")},
                                headers=AUTH)
    assert again.json()["files"][0]["status"] == "unchanged"
    assert _counts(private_client)[0] == before[0] + report["inserted"]


def _forget(store: Store, file_name: str) -> None:
    """Remove one seeded publication so that uploading it inserts rows again."""
    ids = [r["source_id"] for r in store.rows("SELECT source_id FROM metric_sources WHERE file_name = ?",
                                              [file_name])]
    assert ids
    store.execute("DELETE FROM metric_revisions WHERE old_source_id IN (SELECT unnest($1::BIGINT[])) "
                  "OR new_source_id IN (SELECT unnest($1::BIGINT[]))", [ids])
    store.execute("DELETE FROM metric_values WHERE source_id IN (SELECT unnest(?::BIGINT[]))", [ids])
    store.execute("DELETE FROM metric_sources WHERE source_id IN (SELECT unnest(?::BIGINT[]))", [ids])
