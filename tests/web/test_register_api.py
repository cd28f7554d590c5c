"""``/api/v1/support-cases`` and the register pages over HTTP, on SQLite and PostgreSQL (JSON contract, issue 15)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opmodel.register import add_user, open_register
from opmodel.web import WebSettings, create_app
from tests.register.fixtures import BACKENDS, pg_cluster, register_url

__all__ = ["pg_cluster"]


class Api:
    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens

    def h(self, who: str, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **more}

    def open_case(self, who: str = "region", org: str = "RJ1", **body: Any) -> Any:
        return self.client.post("/api/v1/support-cases", json={"org_code": org, "programme": "pip", **body},
                                headers=self.h(who))


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, seeded_store_file: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("register-web")
    shutil.copy(seeded_store_file, tmp / "store.duckdb")
    app = create_app(WebSettings(store_path=tmp / "store.duckdb"))
    reg = open_register(url=register_url(request.param, request, tmp))
    app.state.register = reg
    with TestClient(app) as client:
        with app.state.hub.reader() as store:
            tokens = {who: add_user(reg, store, f"{who}-{request.param}", org)[1]
                      for who, org in (("region", "Y56"), ("icb", "QKK"), ("trust", "RJ1"), ("east", "Y61"))}
        yield Api(client, tokens)
    reg.close()


def test_create_answers_201_with_the_contract_fields(api: Api) -> None:
    r = api.open_case()
    assert r.status_code == 201
    body = r.json()
    assert {"id", "version", "org_code", "programme", "status", "opened_on", "lead_org"} <= set(body)
    assert (body["version"], body["org_code"], body["programme"], body["status"], body["lead_org"]) == \
        (1, "RJ1", "pip", "open", "Y56")
    assert r.headers["etag"] == '"1"'


def test_refusal_is_403_with_a_reason(api: Api) -> None:
    r = api.open_case("east")
    assert r.status_code == 403
    assert r.json()["reason"].startswith("write refused: Y61 has no oversight or contract line to RJ1")
    # ?on= does not choose the rules: the region may write today, so an old date changes nothing
    r = api.client.post(
        "/api/v1/support-cases?on=2023-06-01", json={"org_code": "RJ1", "programme": "rsp"}, headers=api.h("region"))
    assert r.status_code == 201 and r.json()["opened_on"] == dt.date.today().isoformat()
    assert r.headers["access-decided-on"] == dt.date.today().isoformat() and r.headers["access-model"] == "nhs-2025"


def test_missing_or_bad_token_is_401(api: Api) -> None:
    assert api.client.get("/api/v1/support-cases").status_code == 401
    r = api.client.get("/api/v1/support-cases", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_invalid_body_is_422_naming_the_field(api: Api) -> None:
    r = api.client.post("/api/v1/support-cases", json={"org_code": "RJ1", "programme": "x"}, headers=api.h("region"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "programme"]


def test_if_match_update_and_stale_409(api: Api) -> None:
    cid = api.open_case().json()["id"]
    url = f"/api/v1/support-cases/{cid}"
    assert api.client.patch(url, json={"summary": "a"}, headers=api.h("region")).status_code == 428
    ok = api.client.patch(url, json={"summary": "a"}, headers=api.h("region", **{"If-Match": '"1"'}))
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.client.patch(url, json={"summary": "b"}, headers=api.h("region", **{"If-Match": '"1"'}))
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert api.client.get(url, headers=api.h("trust")).json()["summary"] == "a"


def test_items_evidence_and_history(api: Api) -> None:
    cid = api.open_case().json()["id"]
    r = api.client.post(f"/api/v1/support-cases/{cid}/items", headers=api.h("region"),
                        json={"kind": "action", "data": {"title": "Cut waits", "owner": "COO", "due_on": "2026-03-31"}})
    assert r.status_code == 201
    item = int(r.headers["location"].rsplit("/", 1)[1])
    r = api.client.post(f"/api/v1/support-cases/{cid}/items/{item}/evidence", json={"evidence": "report"},
                        headers=api.h("trust"))
    assert r.status_code == 201 and r.json()["version"] == 3
    r = api.client.post(f"/api/v1/support-cases/{cid}/items", headers=api.h("icb"),
                        json={"kind": "action", "data": {"title": "Contract query", "owner": "ICB",
                                                         "due_on": "2026-01-31", "contract": True}})
    assert r.status_code == 201
    r = api.client.get(f"/api/v1/support-cases/{cid}/history", headers=api.h("icb"))
    events = r.json()
    assert r.status_code == 200 and all({"actor", "at", "change"} <= set(e) for e in events)
    assert [e["actor"].split("-")[0] for e in events] == ["region", "region", "trust", "icb"]
    assert api.client.get(f"/api/v1/support-cases/{cid}/history", headers=api.h("east")).status_code == 403


def test_list_filters_and_csv(api: Api) -> None:
    api.open_case()
    r = api.client.get("/api/v1/support-cases?region=Y56&status=open", headers=api.h("region"))
    assert r.status_code == 200 and r.json() and {c["org_code"] for c in r.json()} == {"RJ1"}
    assert api.client.get("/api/v1/support-cases?region=Y61", headers=api.h("region")).json() == []
    assert api.client.get("/api/v1/support-cases", headers=api.h("east")).json() == []
    csv = api.client.get("/api/v1/support-cases/export.csv", headers=api.h("region"))
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith("id,version,org_code,programme")


def test_work_list_suggests_from_the_latest_oversight_run(api: Api) -> None:
    r = api.client.get("/api/v1/support-cases/work?region=Y56", headers=api.h("region"))
    assert r.status_code == 200
    body = r.json()
    assert all(s["segment"] in (4, 5) for s in body["suggestions"] if s["kind"] == "open_case")
    assert "RJ1" not in {s["org_code"] for s in body["suggestions"] if s["kind"] == "open_case"}


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([A-Za-z0-9_-]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def sign_in(c: TestClient, token: str, next: str = "/support-cases", **kw: Any) -> Any:
    """Sign in as a browser does: open the form (its CSRF cookie and field), then post the token."""
    form = c.get("/sign-in")
    return c.post("/sign-in", data={"token": token, "next": next, "csrf": _csrf(form.text)}, **kw)


def test_pages_sign_in_csrf_and_validation(api: Api) -> None:
    c = api.client
    assert c.get("/support-cases", follow_redirects=False).status_code == 303
    assert sign_in(c, "wrong").status_code == 401
    assert c.post("/sign-in", data={"token": api.tokens["region"]}).status_code == 403  # no CSRF token
    r = sign_in(c, api.tokens["region"], "/support-cases/new?org=RJ1")
    assert r.status_code == 200 and "Open a support case for" in r.text
    token = _csrf(r.text)
    bad = c.post("/support-cases/new", data={"org_code": "RJ1", "programme": "pip", "csrf": "0" * 32},
                 follow_redirects=False)
    assert bad.status_code == 403
    invalid = c.post("/support-cases/new", data={"org_code": "RJ1", "programme": "pip", "csrf": token,
                                                  "next_review_on": "next week"})
    assert invalid.status_code == 422 and "next_review_on" in invalid.text
    made = c.post("/support-cases/new", data={"org_code": "RJ1", "programme": "pip", "csrf": token},
                  follow_redirects=False)
    assert made.status_code == 303
    page = c.get(made.headers["location"])
    assert page.status_code == 200 and 'id="segment-history"' in page.text and 'id="history-list"' in page.text
    form = c.get("/support-cases/new?org=RF4").text
    assert 'name="trigger_run" value="nof-2025-26/2025-26-Q3"' in form
    # RJZ: NHS England published segment 3 (the reconstruction says 4): the form starts from the headline
    rjz = c.get("/support-cases/new?org=RJZ").text
    assert '<option value="segment_3_support" selected>' in rjz and 'value="3"' in rjz
    c.post("/sign-out", data={"csrf": token})
    c.cookies.clear()


def test_profile_and_area_pages_link_to_support_cases(api: Api) -> None:
    assert 'href="/support-cases/new?org=RJ1"' in api.client.get("/organisations/RJ1").text
    assert 'href="/support-cases?region=Y56"' in api.client.get("/regions/Y56").text
    assert 'href="/support-cases?icb=QKK"' in api.client.get("/icbs/QKK").text
