"""The reliability probe's reproductions (issue 23, "Why"), over HTTP on SQLite and PostgreSQL.

Each test is named for the finding it reproduces (``probe_N``: item N of the issue's Why list) and
fails on the code before issue 23: the caller chose the access rules, ``model=`` read files, sizes
were unbounded, big ids were 500s, CSV cells ran as formulas, tokens lived for ever in the cookie,
and the HTTP details were off.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from opmodel.register import Register, add_user, open_register
from opmodel.register.tables import history, users
from opmodel.web import WebSettings, create_app
from tests.register.fixtures import BACKENDS, pg_cluster, register_url

__all__ = ["pg_cluster"]



def _today() -> str:
    """Today as the server decides it, read when asked: a run that passes midnight has two days."""
    return dt.date.today().isoformat()

BIG_IDS = ["2147483648", "9223372036854775807", "9223372036854775808", "1" + "0" * 30, "9" * 60]


class Probe:
    def __init__(self, app: FastAPI, client: TestClient, register: Register, tokens: dict[str, str]) -> None:
        self.app, self.client, self.register, self.tokens = app, client, register, tokens

    def h(self, who: str, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **more}

    def open_case(self, who: str = "region", org: str = "RJ1", url: str = "/api/v1/support-cases", **body: Any
                  ) -> Any:
        return self.client.post(url, json={"org_code": org, "programme": "pip", **body}, headers=self.h(who))

    def case_with_action(self, who: str = "region") -> tuple[int, int]:
        cid = self.open_case(who).json()["id"]
        r = self.client.post(f"/api/v1/support-cases/{cid}/items", headers=self.h(who), json={
            "kind": "action", "data": {"title": "Cut waits", "owner": "COO", "due_on": "2027-03-31"}})
        assert r.status_code == 201, r.text
        return cid, int(r.headers["location"].rsplit("/", 1)[1])

    def browser(self, base_url: str = "http://testserver") -> TestClient:
        return TestClient(self.app, base_url=base_url)


@pytest.fixture(scope="module", params=BACKENDS)
def probe(request: pytest.FixtureRequest, seeded_store_file: Path,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Probe]:
    tmp = tmp_path_factory.mktemp("probe")
    shutil.copy(seeded_store_file, tmp / "store.duckdb")
    app = create_app(WebSettings(store_path=tmp / "store.duckdb"))
    reg = open_register(url=register_url(request.param, request, tmp))
    app.state.register = reg
    with TestClient(app) as client:
        with app.state.hub.reader() as store:
            tokens = {who: add_user(reg, store, f"{who}-{request.param}", org, role)[1]
                      for who, org, role in (("region", "Y56", "editor"), ("icb", "QKK", "editor"),
                                             ("trust", "RJ1", "editor"), ("east", "Y61", "editor"),
                                             ("national", "X24", "editor"), ("viewer", "X24", "viewer"))}
        yield Probe(app, client, reg, tokens)
    reg.close()


# --- 1. The caller chose the rules that grant access ------------------------------------------------------

@pytest.mark.parametrize("query", ["", "?model=nhs-2022", "?on=2023-06-01", "?on=2023-06-01&model=nhs-2022"])
def test_probe_1_icb_editor_gets_403_for_rj1_with_or_without_on_and_model(probe: Probe, query: str) -> None:
    """QKK performance-managed RJ1 under nhs-2022; today (nhs-2025) it does not, whatever the URL says."""
    r = probe.open_case("icb", url=f"/api/v1/support-cases{query}")
    assert r.status_code == 403, r.text
    assert r.json()["decision"]["model"] == "nhs-2025" and r.json()["decision"]["on"] == _today()
    assert "write refused" in r.json()["reason"]


@pytest.mark.parametrize("query", ["", "?model=nhs-2022", "?on=2023-06-01", "?on=2023-06-01&model=nhs-2022"])
def test_probe_1_icb_editor_cannot_patch_rj1_either(probe: Probe, query: str) -> None:
    cid = probe.open_case().json()["id"]
    r = probe.client.patch(f"/api/v1/support-cases/{cid}{query}", json={"summary": "ICB takes over"},
                           headers=probe.h("icb", **{"If-Match": '"1"'}))
    assert r.status_code == 403, r.text
    assert probe.client.get(f"/api/v1/support-cases/{cid}", headers=probe.h("region")).json()["summary"] is None


def test_probe_1_history_records_the_date_and_model_access_was_decided_under(probe: Probe) -> None:
    r = probe.open_case(url="/api/v1/support-cases?on=2023-06-01&model=nhs-2022")
    assert r.status_code == 201 and r.json()["opened_on"] == _today()  # not backdated to ?on=
    events = probe.client.get(f"/api/v1/support-cases/{r.json()['id']}/history", headers=probe.h("region")).json()
    assert [(e["decided_on"], e["model"]) for e in events] == [(_today(), "nhs-2025")]
    assert r.headers["access-decided-on"] == _today() and r.headers["access-model"] == "nhs-2025"


def test_probe_1_reads_may_explain_another_model_labelled_but_decide_today(probe: Probe) -> None:
    r = probe.client.get("/api/v1/support-cases/access?org=RJ1&on=2023-06-01", headers=probe.h("icb"))
    assert r.status_code == 200
    body = r.json()
    today = {d["action"]: d["allowed"] for d in body["decisions"]}
    then = {d["action"]: d["allowed"] for d in body["explanation"]["decisions"]}
    assert (body["decided_on"], body["model"]) == (_today(), "nhs-2025") and not today["write"]
    assert body["explanation"]["model"] == "nhs-2022" and then["write"]
    assert "For information only" in body["explanation"]["note"]


# --- 2. model= read files on the server ----------------------------------------------------------------------

def test_probe_2_model_accepts_only_a_registered_name_and_opens_nothing(probe: Probe,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import opmodel.accountability.library as library

    def no_files(*_: object) -> None:
        raise AssertionError("a model file was opened on request")

    monkeypatch.setattr(library, "load_model", no_files)
    shipped = str(Path(library.MODELS_DIR) / "nhs-2022.yaml")
    answers = []
    for who in ("region", "viewer"):
        for name in ("/etc/passwd", "/no/such/file", shipped, "x" * 300, "../../etc/hosts"):
            r = probe.client.get("/api/v1/support-cases", params={"model": name}, headers=probe.h(who))
            assert r.status_code == 422, (name, r.text)
            answers.append(r.json())
    assert all(a == answers[0] for a in answers)  # the same answer whatever the string: nothing to learn
    assert "root:" not in json.dumps(answers) and "expected a mapping" not in json.dumps(answers)
    assert "nhs-2025" in answers[0]["detail"][0]["msg"]


# --- 3. Lost writes: item changes need If-Match (the race itself: tests/register/test_probe_races.py) ----------

def test_probe_3_changing_an_item_needs_if_match_and_a_current_one(probe: Probe) -> None:
    cid, item = probe.case_with_action()
    url = f"/api/v1/support-cases/{cid}/items/{item}"
    assert probe.client.patch(url, json={"status": "done"}, headers=probe.h("region")).status_code == 428
    stale = probe.client.patch(url, json={"status": "done"}, headers=probe.h("region", **{"If-Match": '"1"'}))
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    ok = probe.client.patch(url, json={"status": "done"}, headers=probe.h("region", **{"If-Match": '"2"'}))
    assert ok.status_code == 200 and ok.json()["version"] == 3


# --- 4. Unbounded sizes ------------------------------------------------------------------------------------

def test_probe_4_two_megabytes_of_evidence_is_refused(probe: Probe) -> None:
    cid, item = probe.case_with_action()
    url = f"/api/v1/support-cases/{cid}/items/{item}/evidence"
    for size in (2 * 1024 * 1024, 10 * 1024 * 1024):
        r = probe.client.post(url, json={"evidence": "x" * size}, headers=probe.h("trust"))
        assert r.status_code == 413 and r.json()["problems"][0]["field"] == "body", r.text[:300]
    r = probe.client.post(url, json={"evidence": "x" * 2001}, headers=probe.h("trust"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "evidence"]
    case = probe.client.get(f"/api/v1/support-cases/{cid}", headers=probe.h("trust")).json()
    assert case["version"] == 2 and case["items"][0]["data"]["evidence"] == []  # nothing written


def test_probe_4_a_review_with_20000_attendees_is_refused(probe: Probe) -> None:
    cid = probe.open_case().json()["id"]
    url = f"/api/v1/support-cases/{cid}/items"

    def review(n: int) -> Any:
        return probe.client.post(url, headers=probe.h("region"), json={"kind": "review", "data": {
            "held_on": "2026-01-05", "attendees": [f"P{i}" for i in range(n)], "decision": "Continue"}})

    assert review(20_000).status_code in (413, 422)
    r = review(51)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "attendees"
    assert review(50).status_code == 201


def test_probe_4_case_dates_outside_2000_2099_are_refused(probe: Probe) -> None:
    for day in ("0001-01-01", "9999-12-31"):
        r = probe.open_case(opened_on=day)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "opened_on"], r.text
    r = probe.open_case(next_review_on="2100-01-01")
    assert r.status_code == 422
    r = probe.open_case(opened_on=(dt.date.today() + dt.timedelta(days=1)).isoformat())
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "opened_on"


# --- 5. 500s -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("big", BIG_IDS)
def test_probe_5_ids_beyond_the_database_are_404_everywhere(probe: Probe, big: str) -> None:
    _, item = probe.case_with_action()
    c, h = probe.client, probe.h("national")
    base = "/api/v1/support-cases"
    answers = [c.get(f"{base}/{big}", headers=h), c.get(f"{base}/{big}/history", headers=h),
               c.patch(f"{base}/{big}", json={"summary": "x"}, headers={**h, "If-Match": '"1"'}),
               c.post(f"{base}/{big}/items", json={"kind": "finding", "data": {"text": "x"}}, headers=h),
               c.patch(f"{base}/{big}/items/{item}", json={"status": "done"}, headers={**h, "If-Match": '"1"'}),
               c.post(f"{base}/{big}/items/{item}/evidence", json={"evidence": "x"}, headers=h),
               c.post(f"{base}/1/items/{big}/evidence", json={"evidence": "x"}, headers=h),
               c.patch(f"{base}/1/items/{big}", json={"status": "done"}, headers={**h, "If-Match": '"1"'})]
    assert [a.status_code for a in answers] == [404] * len(answers), [a.text[:120] for a in answers]
    page = probe.browser()
    _sign_in(page, probe.tokens["national"])
    assert page.get(f"/support-cases/{big}").status_code == 404


def _hostile() -> list[tuple[str, str, dict[str, Any]]]:
    """~260 requests the probe's kind sends: odd ids, types, encodings, NULs, huge and empty values."""
    base = "/api/v1/support-cases"
    odd = ["0", "-1", "1.5", "1e3", "%00", "%2e%2e", "１２", "0x10", "", " ", "null", "true", "[]", "9" * 25,
           "2147483647", "2147483648", "%F0%9F%92%A5", "../1", "1;DROP TABLE support_cases", "'1'"]
    values: list[Any] = [None, True, -1, 1e308, "", " ", "\x00", "a\x00b", "x" * 5000, "=1+1", "💥" * 100, [], {},
                         ["\x00"], {"$gt": ""}, "2025-02-30", "2025-13-01", "0000-00-00"]
    out: list[tuple[str, str, dict[str, Any]]] = []
    for o in odd:
        out += [("GET", f"{base}/{o}", {}), ("GET", f"{base}/{o}/history", {}),
                ("PATCH", f"{base}/{o}", {"json": {"summary": "x"}, "headers": {"If-Match": (o or '"1"').encode()}}),
                ("POST", f"{base}/1/items/{o}/evidence", {"json": {"evidence": "x"}})]
    for v in values:
        out += [("POST", base, {"json": {"org_code": v, "programme": "pip"}}),
                ("POST", base, {"json": {"org_code": "RJ1", "programme": "pip", "lead_name": v}}),
                ("POST", base, {"json": {"org_code": "RJ1", "programme": "pip", "opened_on": v}}),
                ("POST", f"{base}/1/items", {"json": {"kind": "action", "data": {"title": v, "owner": "o",
                                                                                  "due_on": "2027-01-01"}}}),
                ("POST", f"{base}/1/items", {"json": {"kind": v, "data": {"text": "x"}}}),
                ("POST", f"{base}/1/items/1/evidence", {"json": {"evidence": v}}),
                ("PATCH", f"{base}/1/items/1", {"json": {"evidence": v}, "headers": {"If-Match": '"1"'}}),
                ("GET", base, {"params": {"org": v if isinstance(v, str) else str(v)}}),
                ("GET", base, {"params": {"on": v if isinstance(v, str) else str(v)}}),
                ("GET", base, {"params": {"region": v if isinstance(v, str) else str(v), "status": "x"}})]
    out += [("POST", base, {"content": b"\xff\xfe\x00", "headers": {"Content-Type": "application/json"}}),
            ("POST", base, {"content": b"[" * 50_000, "headers": {"Content-Type": "application/json"}}),
            ("POST", base, {"content": b'{"org_code": "RJ1"', "headers": {"Content-Type": "application/json"}}),
            ("POST", base, {"data": {"org_code": "RJ1"}}), ("DELETE", f"{base}/1", {}), ("PUT", base, {}),
            ("PATCH", f"{base}/export.csv", {}), ("POST", f"{base}/export.csv", {}), ("TRACE", base, {})]
    return out


def test_probe_5_hostile_requests_with_a_register_token_never_answer_5xx(probe: Probe) -> None:
    probe.case_with_action("national")
    requests = _hostile()
    assert len(requests) >= 260
    bad = []
    for method, url, kw in requests:
        headers = {**probe.h("national"), **kw.pop("headers", {})}
        r = probe.client.request(method, url, headers=headers, **kw)
        if r.status_code >= 500:
            bad.append((method, url, r.status_code, r.text[:200]))
    assert bad == []


# --- 6. CSV formula injection -----------------------------------------------------------------------------

def test_probe_6_export_csv_writes_formulas_as_text(probe: Probe) -> None:
    probe.open_case(lead_name='=HYPERLINK("http://evil.example","click")', summary="+SUM(1,2)")
    r = probe.client.get("/api/v1/support-cases/export.csv", headers=probe.h("region"))
    rows = list(csv.DictReader(io.StringIO(r.text)))
    leads = [row["lead_name"] for row in rows if "HYPERLINK" in row["lead_name"]]
    assert leads and all(v.startswith("'=HYPERLINK") for v in leads)
    assert all(not row["lead_name"].startswith(("=", "+", "-", "@")) for row in rows)


# --- 7. Tokens ----------------------------------------------------------------------------------------------

def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([A-Za-z0-9_-]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def _sign_in(c: TestClient, token: str, next: str = "/support-cases") -> Any:
    return c.post("/sign-in", data={"token": token, "next": next, "csrf": _csrf(c.get("/sign-in").text)},
                  follow_redirects=False)


def _new_user(probe: Probe, name: str, org: str = "Y56") -> str:
    with probe.app.state.hub.reader() as store:
        return add_user(probe.register, store, f"{name}-{probe.register.dialect}", org)[1]


def test_probe_7_a_revoked_token_gets_401_and_its_sessions_end(probe: Probe) -> None:
    from opmodel.register import revoke_user

    token = _new_user(probe, "leaver")
    page = probe.browser()
    assert _sign_in(page, token).status_code == 303
    assert page.get("/support-cases").status_code == 200
    auth = {"Authorization": f"Bearer {token}"}
    assert probe.client.get("/api/v1/support-cases", headers=auth).status_code == 200
    revoke_user(probe.register, f"leaver-{probe.register.dialect}")
    assert probe.client.get("/api/v1/support-cases", headers=auth).status_code == 401
    assert page.get("/support-cases", follow_redirects=False).status_code == 303  # back to sign-in
    assert _sign_in(page, token).status_code == 401


def test_probe_7_an_expired_token_gets_401(probe: Probe) -> None:
    token = _new_user(probe, "expired")
    auth = {"Authorization": f"Bearer {token}"}
    assert probe.client.get("/api/v1/support-cases", headers=auth).status_code == 200
    with probe.register.write() as con:
        con.execute(update(users).where(users.c.name == f"expired-{probe.register.dialect}")
                    .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert probe.client.get("/api/v1/support-cases", headers=auth).status_code == 401


def test_probe_7_the_cookie_is_a_session_not_the_token_and_secure_over_https(probe: Probe) -> None:
    token = probe.tokens["region"]
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        page = probe.browser(base)
        r = _sign_in(page, token)
        cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("opmodel_session="))
        assert r.status_code == 303
        value = cookie.split(";")[0].split("=", 1)[1]
        assert token not in cookie and value != token and len(value) >= 40
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        assert ("secure" in cookie.lower().split("; ")) is secure
        with probe.register.read() as con:
            stored = {r.token_hash for r in con.execute(select(users.c.token_hash))}
        assert value not in stored


def test_probe_7_sign_in_and_sign_out_need_their_csrf_tokens(probe: Probe) -> None:
    page = probe.browser()
    form = page.get("/sign-in").text
    assert page.post("/sign-in", data={"token": probe.tokens["region"], "csrf": "forged-" * 4},
                     follow_redirects=False).status_code == 403
    fresh = probe.browser()  # a cross-site form has no sign-in cookie at all
    assert fresh.post("/sign-in", data={"token": probe.tokens["region"], "csrf": _csrf(form)},
                      follow_redirects=False).status_code == 403
    assert _sign_in(page, probe.tokens["region"]).status_code == 303
    assert page.post("/sign-out", data={"csrf": "forged"}, follow_redirects=False).status_code == 403
    assert page.get("/support-cases").status_code == 200  # still signed in
    csrf = _csrf(page.get("/support-cases").text)
    assert page.post("/sign-out", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    page.cookies.clear()


def test_probe_7_no_attacker_text_from_the_query_string(probe: Probe) -> None:
    cid = probe.open_case().json()["id"]
    page = probe.browser()
    _sign_in(page, probe.tokens["region"])
    bait = "Your+account+is+locked:+call+0800+000+000"
    html = page.get(f"/support-cases/{cid}?errors={bait}").text
    assert "0800" not in html and "account is locked" not in html
    html = page.get(f"/sign-in?next=//evil.example/{bait}").text
    assert "evil.example" not in html and "0800" not in html
    refused = page.post(f"/support-cases/{cid}/close", data={"csrf": _csrf(page.get(f"/support-cases/{cid}").text),
                                                            "version": 1, "exit_evidence": ""}, follow_redirects=False)
    assert refused.status_code == 422 and "exit evidence" in refused.text and "location" not in refused.headers


# --- 8. Smaller: lead bodies, HTTP details, cache keys -------------------------------------------------------

def test_probe_8_only_national_names_another_lead_body(probe: Probe) -> None:
    r = probe.open_case("region", lead_org="X24")
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "lead_org"
    assert probe.open_case("region", lead_org="Y56").json()["lead_org"] == "Y56"
    assert probe.open_case("national", lead_org="Y56").json()["lead_org"] == "Y56"  # RJ1's performance manager
    r = probe.open_case("national", lead_org="QKK")  # an ICB may not change RJ1's cases under nhs-2025
    assert r.status_code == 422 and "QKK may not change RJ1's cases" in r.json()["problems"][0]["message"]


def test_probe_8_wrong_methods_are_405_with_allow_and_options_lists_them(probe: Probe) -> None:
    r = probe.client.patch("/api/v1/support-cases/export.csv", headers=probe.h("region"))
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, OPTIONS"
    r = probe.client.options("/api/v1/support-cases/1")
    assert r.status_code == 204 and r.headers["allow"] == "GET, HEAD, OPTIONS, PATCH"
    r = probe.client.delete("/api/v1/support-cases/1", headers=probe.h("region"))
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, OPTIONS, PATCH"
    r = probe.client.put("/organisations/RJ1")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, OPTIONS"
    assert probe.client.options("/no/such/page").status_code == 404


@pytest.mark.parametrize("url", ["/", "/organisations/RJ1", "/sign-in", "/api/v1/organisations/RJ1"])
def test_probe_8_head_answers_like_get_without_a_body(probe: Probe, url: str) -> None:
    got, head = probe.client.get(url), probe.client.head(url)
    assert head.status_code == got.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_probe_8_empty_parameters_are_refused_by_the_api(probe: Probe) -> None:
    r = probe.client.get("/api/v1/support-cases?on=", headers=probe.h("region"))
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "query.on"
    assert probe.client.get("/api/v1/organisations?on=&kind=trust").status_code == 422
    assert probe.client.get("/organisations/RJ1?on=").status_code == 200  # a cleared date box on a page


def test_probe_8_422_bodies_are_as_documented(probe: Probe) -> None:
    doc = probe.client.get("/api/v1/openapi.json").json()
    h = probe.h("region")
    answers = {
        ("post", "/api/v1/support-cases"): [probe.open_case(programme="x"), probe.open_case(lead_org="X24")],
        ("get", "/api/v1/support-cases"): [probe.client.get("/api/v1/support-cases?on=", headers=h),
                                           probe.client.get("/api/v1/support-cases?model=x", headers=h)],
    }
    for (method, path), responses in answers.items():
        schema = doc["paths"][path][method]["responses"]["422"]["content"]["application/json"]["schema"]
        validator = jsonschema_rs.validator_for({**schema, "components": doc["components"]})
        for r in responses:
            assert r.status_code == 422
            assert validator.is_valid(r.json()), (path, r.json())


def test_probe_8_repeated_parameters_are_cached_as_fastapi_reads_them(probe: Probe) -> None:
    a = probe.client.get("/api/v1/organisations/RJ1?on=2023-06-01&on=2026-06-01").json()
    b = probe.client.get("/api/v1/organisations/RJ1?on=2026-06-01&on=2023-06-01").json()
    assert a["on"] == "2026-06-01" and b["on"] == "2023-06-01"  # the last value wins, and neither is reused


# --- 9. Workflow ---------------------------------------------------------------------------------------------

def test_probe_9_work_lists_only_cases_the_user_may_read(probe: Probe) -> None:
    cid, _ = probe.case_with_action()
    with probe.register.write() as con:  # make its action overdue
        from opmodel.register.tables import case_items

        con.execute(update(case_items).where(case_items.c.case_id == cid).values(
            data={"title": "Cut waits", "owner": "COO", "due_on": "2025-01-31", "status": "not_started",
                  "evidence": [], "contract": False}))
    mine = probe.client.get("/api/v1/support-cases/work?region=Y56", headers=probe.h("region")).json()
    theirs = probe.client.get("/api/v1/support-cases/work?region=Y56", headers=probe.h("east")).json()
    assert cid in {o["case_id"] for o in mine["overdue"]}
    assert theirs["overdue"] == []


def test_probe_history_holds_what_changed_not_whole_lists(probe: Probe) -> None:
    cid, item = probe.case_with_action()
    url = f"/api/v1/support-cases/{cid}/items/{item}/evidence"
    for i in range(30):
        assert probe.client.post(url, json={"evidence": f"minutes {i} " + "x" * 200},
                                 headers=probe.h("trust")).status_code == 201
    with probe.register.read() as con:
        sizes = [len(json.dumps(r.change)) for r in con.execute(
            select(history.c.change).where(history.c.case_id == cid, history.c.action == "add_evidence"))]
    assert len(sizes) == 30 and max(sizes) < 300  # each event holds its own entry only (was all before it)
    assert max(sizes) - min(sizes) < 10
