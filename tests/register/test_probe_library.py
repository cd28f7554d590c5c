"""The probe's reproductions below the HTTP layer (issue 23): the library, the migration and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, select, text
from typer.testing import CliRunner

from opmodel.cli.main import app
from opmodel.errors import InputError, UnknownCodeError
from opmodel.register import (
    DATABASE_URL_ENV,
    Gate,
    Register,
    UserView,
    add_evidence,
    add_item,
    add_user,
    authenticate,
    case_history,
    create_case,
    decide,
    get_case,
    get_user,
    open_register,
    renew_user,
    revoke_user,
)
from opmodel.register.database import MIGRATIONS
from opmodel.register.models import Role
from opmodel.register.tables import history, users
from opmodel.store import Store, open_store
from opmodel.web.views_register import new_case_defaults

NATIONAL = UserView(id=0, name="national", org_code="X24", role=Role.EDITOR)


def test_probe_2_decide_never_opens_a_file_for_a_model_name(reg_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import opmodel.accountability.library as library

    def no_files(*_: object) -> None:
        raise AssertionError("a model file was opened")

    monkeypatch.setattr(library, "load_model", no_files)
    for name in ("/etc/passwd", "/no/such/file", str(library.MODELS_DIR / "nhs-2022.yaml")):
        with pytest.raises(UnknownCodeError) as err:
            decide(reg_store, NATIONAL, "RJ1", "read", dt.date.today(), name)
        assert err.value.suggestions == ["nhs-2022", "nhs-2025", "nhs-2027-proposed"]
    assert decide(reg_store, NATIONAL, "RJ1", "read", dt.date.today(), "nhs-2022").model == "nhs-2022"


def test_probe_1_a_gate_decides_under_the_model_in_force_on_its_date(reg_store: Store) -> None:
    icb = UserView(id=0, name="sel", org_code="QKK", role=Role.EDITOR)
    assert Gate(reg_store).model.name == "nhs-2025" and Gate(reg_store).on == dt.date.today()
    assert not Gate(reg_store).decide(icb, "RJ1", "write").allowed
    with pytest.raises(TypeError):  # no model can be handed to a gate: it is always the one in force
        Gate(reg_store, dt.date(2023, 6, 1), "nhs-2022")  # type: ignore[call-arg]


def test_probe_4_history_before_issue_23_is_migrated_to_changes(tmp_path: Path, reg_store: Store) -> None:
    """A register made before r0002 (whole evidence lists in every event) opens, migrates and reads."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)  # migrated to r0001 only: what a register of the last round holds
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as con:
        cfg.attributes["connection"] = con
        command.upgrade(cfg, "r0001")
        con.commit()
        now = dt.datetime.now(dt.UTC)
        con.execute(text("INSERT INTO register_users (name, org_code, role, token_hash, created_at) "
                         "VALUES ('old', 'X24', 'editor', 'h', :now)"), {"now": now})
        con.execute(text("INSERT INTO support_cases (org_code, programme, status, opened_on, lead_org, version, "
                         "created_by, created_at, updated_at) VALUES ('RJ1', 'pip', 'open', '2025-10-01', 'X24', "
                         "4, 'old', :now, :now)"), {"now": now})
        con.execute(text("INSERT INTO support_case_items (case_id, kind, data, created_by, created_at, updated_at) "
                         "VALUES (1, 'action', :d, 'old', :now, :now)"),
                    {"d": json.dumps({"title": "t", "owner": "o", "due_on": "2026-01-01", "status": "not_started",
                                      "evidence": ["a", "b", "c"], "contract": False}), "now": now})
        events = [("open", None, {"before": None, "after": {"org_code": "RJ1"}}),
                  ("add_evidence", 1, {"before": {"evidence": []}, "after": {"evidence": ["a"]}}),
                  ("add_evidence", 1, {"before": {"evidence": ["a"]}, "after": {"evidence": ["a", "b"]}}),
                  ("update_action", 1, {"before": {"status": "not_started", "evidence": ["a", "b"]},
                                        "after": {"status": "done", "evidence": ["b", "c"]}})]
        for seq, (action, item, change) in enumerate(events, 1):
            con.execute(text(
                "INSERT INTO support_case_history (case_id, seq, actor, actor_org, at, action, item_id, change) "
                "VALUES (1, :seq, 'old', 'X24', :now, :action, :item, :change)"),
                {"seq": seq, "now": now, "action": action, "item": item, "change": json.dumps(change)})
        con.commit()
    engine.dispose()
    migrated = open_register(url=url)
    with migrated.read() as con:
        assert con.execute(text("SELECT version_num FROM register_alembic_version")).scalar() == "r0002"
        expires = con.execute(select(users.c.expires_at)).scalar()
    assert expires is not None  # old tokens now expire (90 days from the migration)
    events_now = case_history(migrated, Gate(reg_store), NATIONAL, 1)
    assert [e.change for e in events_now] == [
        {"before": None, "after": {"org_code": "RJ1"}},
        {"added": {"evidence": ["a"]}},
        {"added": {"evidence": ["b"]}},
        {"before": {"status": "not_started"}, "after": {"status": "done"}, "added": {"evidence": ["c"]},
         "removed": {"evidence": ["a"]}}]
    assert all(e.model is None and e.decided_on is None for e in events_now)  # unknown then, not invented
    migrated.close()


def test_probe_4_evidence_per_action_and_items_per_case_are_bounded(register_db: Register, reg_store: Store) -> None:
    user, _ = add_user(register_db, reg_store, "bounds", "X24")
    g = Gate(reg_store)
    case = create_case(register_db, g, user, {"org_code": "RJ1", "programme": "pip"})
    case, item = add_item(register_db, g, user, case.id, "action", {"title": "t", "owner": "o",
                                                                    "due_on": "2027-01-01"})
    for i in range(100):
        add_evidence(register_db, g, user, case.id, item, f"e{i}")
    with pytest.raises(InputError, match="at most 100 pieces of evidence") as err:
        add_evidence(register_db, g, user, case.id, item, "one too many")
    assert err.value.problems[0].field == "evidence"
    with pytest.raises(InputError) as err:
        add_evidence(register_db, g, user, case.id, item, "x\x00y")
    assert "NUL" in err.value.problems[0].message
    assert get_case(register_db, g, user, case.id).version == 102


def test_probe_7_tokens_expire_revoke_and_renew(register_db: Register, reg_store: Store) -> None:
    user, token = add_user(register_db, reg_store, "temp", "Y56", days=30)
    assert user.expires_at is not None
    assert 29 <= (user.expires_at - dt.datetime.now(dt.UTC)).days <= 30
    with register_db.read() as con:
        stored = con.execute(select(users.c.token_hash).where(users.c.name == "temp")).scalar()
    assert stored and token not in stored and len(stored) == 64
    assert authenticate(register_db, token) is not None
    revoke_user(register_db, "temp")
    assert authenticate(register_db, token) is None
    renewed, new = renew_user(register_db, "temp", days=7)
    assert authenticate(register_db, token) is None and authenticate(register_db, new) == renewed
    with pytest.raises(Exception, match="from 1 to 366 days"):
        add_user(register_db, reg_store, "forever", "Y56", days=10_000)


def test_new_case_form_defaults_follow_the_segment() -> None:
    """Why 9: a segment-4 trust was offered "segment 3 mandated support"; it now gets no wrong pre-selection."""
    assert new_case_defaults([("2025-26-Q3", 4)])["programme"] == ""
    assert new_case_defaults([("2025-26-Q3", 5)])["programme"] == "pip"
    assert new_case_defaults([("2024-25-Q4", 5)])["programme"] == "rsp"
    assert new_case_defaults([("2025-26-Q3", 3)])["programme"] == "segment_3_support"
    assert new_case_defaults([("2025-26-Q3", 3)], headline_segment=5)["programme"] == "pip"  # the lead's hook
    assert new_case_defaults([])["programme"] == ""


# --- the command line ---------------------------------------------------------------------------------------

@pytest.fixture
def run(store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--store", str(store_path), *args], catch_exceptions=False)

    return invoke


def test_probe_7_users_revoke_renew_and_expires_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    r = run("users", "add", "short", "--org", "Y56", "--expires", "7", "--format", "json")
    d = json.loads(r.stdout)
    assert d["expires_on"] == (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).date().isoformat()
    day = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    assert json.loads(run("users", "add", "dated", "--org", "Y56", "--expires", day, "--format", "json").stdout
                      )["expires_on"] in (day, (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat())
    assert run("users", "add", "bad", "--org", "Y56", "--expires", "soon").exit_code == 2
    assert run("users", "revoke", "short").exit_code == 0
    listed = {u["name"]: u["status"] for u in json.loads(run("users", "list", "--format", "json").stdout)}
    assert listed == {"short": "revoked", "dated": "active"}
    assert run("users", "revoke", "nobody").exit_code == 1
    renewed = json.loads(run("users", "renew", "short", "--format", "json").stdout)
    assert renewed["status"] == "active" and renewed["token"].startswith("opm_") and renewed["token"] != d["token"]


def test_probe_9_cases_open_as_a_named_user_and_list_by_region(run, store_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("users", "add", "london", "--org", "Y56")
    run("users", "add", "sel-icb", "--org", "QKK")
    r = run("cases", "open", "RJ1", "--programme", "pip", "--as", "london", "--lead-name", "A Director",
            "--format", "json")
    assert r.exit_code == 0, r.output
    case = json.loads(r.stdout)
    assert (case["org_code"], case["lead_org"], case["opened_on"]) == ("RJ1", "Y56", dt.date.today().isoformat())
    refused = run("cases", "open", "RJ1", "--programme", "pip", "--as", "sel-icb")
    assert refused.exit_code == 1 and "write refused" in refused.stderr and "nhs-2025" in refused.stderr
    assert run("cases", "open", "RJ1", "--programme", "special", "--as", "london").exit_code == 1
    run("users", "add", "east", "--org", "Y61")
    assert run("cases", "open", "RGT", "--programme", "rsp", "--as", "east").exit_code == 0
    london = json.loads(run("cases", "list", "--region", "Y56", "--format", "json").stdout)
    assert [c["org_code"] for c in london] == ["RJ1"]
    assert [c["org_code"] for c in json.loads(run("cases", "list", "--region", "Y61", "--format", "json").stdout)] \
        == ["RGT"]
    run("users", "revoke", "london")
    gone = run("cases", "open", "RJ1", "--programme", "pip", "--as", "london")
    assert gone.exit_code == 1 and "revoked or expired" in gone.stderr
    reg = open_register(store_path)
    try:
        events = case_history(reg, Gate(open_store(store_path)), NATIONAL, case["id"])
    finally:
        reg.close()
    assert events[0].actor == "london" and events[0].model == "nhs-2025"


def test_probe_9_cases_list_does_not_open_the_store_when_it_need_not(run, monkeypatch: pytest.MonkeyPatch
                                                                     ) -> None:  # type: ignore[no-untyped-def]
    """Why 9: `cases list` took 14 s on an empty register; with no user or area it never opens the store."""
    import opmodel.cli.register as cli_register

    def no_store() -> None:
        raise AssertionError("the store was opened")

    monkeypatch.setattr(cli_register, "open_cli_store", no_store)
    r = run("cases", "list", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []


def test_probe_5_and_6_cli_show_big_ids_and_export_safe_csv(run, store_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("users", "add", "london", "--org", "Y56")
    run("cases", "open", "RJ1", "--programme", "pip", "--as", "london", "--lead-name", "=HYPERLINK(\"x\")")
    for big in ("9223372036854775808", "2147483648"):
        r = run("cases", "show", big)
        assert r.exit_code == 1 and "No support case" in r.stderr
        r = run("access", "london", big)
        assert r.exit_code == 1 and "No support case" in r.stderr
    out = run("cases", "export").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["lead_name"] == "'=HYPERLINK(\"x\")"
    r = run("access", "london", "RJ1", "--model", "/etc/passwd")
    assert r.exit_code == 1 and "Unknown operating model" in r.stderr and "root" not in r.output


def test_history_events_are_linear_in_the_evidence_added(register_db: Register, reg_store: Store) -> None:
    """Why 4: history stored every list before and after, growing as n²; now each event holds its entry."""
    user, _ = add_user(register_db, reg_store, "linear", "X24")
    g = Gate(reg_store)
    case = create_case(register_db, g, user, {"org_code": "RJ1", "programme": "pip"})
    case, item = add_item(register_db, g, user, case.id, "action", {"title": "t", "owner": "o",
                                                                    "due_on": "2027-01-01"})

    def size() -> int:
        with register_db.read() as con:
            return sum(len(json.dumps(r.change)) for r in con.execute(select(history.c.change)))

    for i in range(40):
        add_evidence(register_db, g, user, case.id, item, f"evidence {i:03d} " + "x" * 90)
    first = size()
    for i in range(40, 80):
        add_evidence(register_db, g, user, case.id, item, f"evidence {i:03d} " + "x" * 90)
    second = size() - first
    assert second < 1.1 * first  # the second forty cost what the first did (quadratic: ~3x)
    assert get_user(register_db, "linear").name == "linear"


def test_the_user_guide_documents_every_limit() -> None:
    """The maxima are documented (issue 23, item 3): each figure in ``LIMITS`` is in the guide's table."""
    from opmodel.register import LIMITS

    guide = (Path(__file__).resolve().parents[2] / "docs" / "user-guide.md").read_text(encoding="utf-8")
    table = guide.split("### Limits", 1)[1].split("\n## ", 1)[0]
    for name, value in LIMITS.items():
        assert f"{value:,}" in table, f"{name} = {value:,} is not in the user guide's limits table"
