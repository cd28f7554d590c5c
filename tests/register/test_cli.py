"""``opmodel users add``, ``opmodel access`` and ``opmodel cases list|show|export`` (JSON contract, issue 15)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opmodel.cli.main import app
from opmodel.register import DATABASE_URL_ENV, Gate, add_item, create_case, get_user, open_register
from opmodel.store import open_store


@pytest.fixture
def run(store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--store", str(store_path), *args], catch_exceptions=False)

    return invoke


def test_users_add_prints_name_org_and_token_once(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = run("users", "add", "contract-check", "--org", "y56", "--role", "editor", "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["name"] == "contract-check" and d["org_code"] == "Y56" and d["token"].startswith("opm_")
    r = run("users", "list", "--format", "json")
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=90)).date().isoformat()
    assert json.loads(r.stdout) == [{"name": "contract-check", "org_code": "Y56", "role": "editor",
                                     "expires_on": expires, "status": "active"}]
    assert d["token"] not in r.stdout
    again = run("users", "add", "contract-check", "--org", "Y56")
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_users_add_rejects_unknown_org_and_role(run) -> None:  # type: ignore[no-untyped-def]
    r = run("users", "add", "x", "--org", "ZZZ9")
    assert r.exit_code == 1 and "Unknown organisation code 'ZZZ9'" in r.stderr
    assert run("users", "add", "x", "--org", "Y56", "--role", "boss").exit_code == 2


def test_access_explains_under_each_model(run) -> None:  # type: ignore[no-untyped-def]
    run("users", "add", "london", "--org", "Y56")
    r = run("access", "london", "RJ1", "--on", "2023-06-01", "--format", "json")
    d22 = {x["action"]: x for x in json.loads(r.stdout)}
    r = run("access", "london", "RJ1", "--on", "2025-10-01", "--format", "json")
    d25 = {x["action"]: x for x in json.loads(r.stdout)}
    # issue 24: under NOF 2022/23 the region leads mandated support and the RSP, the ICB local support only
    assert d22["write"]["allowed"] and d25["write"]["allowed"]
    assert d22["write"]["model"] == "nhs-2022" and "Y56 leads RJ1's rsp, segment_3_support cases" in d22["write"][
        "reason"]
    run("users", "add", "sel", "--org", "QKK")
    r = run("access", "sel", "RJ1", "--on", "2023-06-01", "--programme", "rsp", "--format", "json")
    rsp = {x["action"]: x for x in json.loads(r.stdout)}
    assert not rsp["write"]["allowed"] and "led by Y56, X24" in rsp["write"]["reason"]
    r = run("access", "sel", "RJ1", "--on", "2023-06-01", "--programme", "other", "--format", "json")
    assert {x["action"]: x for x in json.loads(r.stdout)}["write"]["allowed"]
    text = run("access", "london", "RJ1", "--on", "2025-10-01")
    assert "Y56 leads RJ1's" in text.stdout
    missing = run("access", "london", "99")
    assert missing.exit_code == 1 and "No support case 99" in missing.stderr


def test_cases_list_show_export(run, store_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("users", "add", "london", "--org", "Y56")
    reg = open_register(store_path)
    store = open_store(store_path)
    try:
        user = get_user(reg, "london")
        case = create_case(reg, Gate(store, dt.date(2025, 10, 1)), user, {"org_code": "RJ1", "programme": "pip"})
        add_item(reg, Gate(store, dt.date(2025, 10, 1)), user, case.id, "finding", {"text": "Board capacity"})
    finally:
        store.close()
        reg.close()
    rows = json.loads(run("cases", "list", "--format", "json").stdout)
    assert [(r["id"], r["org_code"], r["version"], r["items"]) for r in rows] == [(case.id, "RJ1", 2, 1)]
    shown = json.loads(run("cases", "show", str(case.id), "--history", "--format", "json").stdout)
    assert shown["items"][0]["data"]["text"] == "Board capacity"
    assert [e["action"] for e in shown["history"]] == ["open", "add_finding"]
    out = tmp_path / "cases.csv"
    assert run("cases", "export", "--out", str(out)).exit_code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{case.id},2,RJ1,pip,open")
    assert json.loads(run("cases", "list", "--as", "london", "--status", "closed", "--format", "json").stdout) == []
