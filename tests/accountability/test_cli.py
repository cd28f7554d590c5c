"""``opmodel model`` and ``opmodel who``: formats, the JSON contract and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from opmodel.accountability import model_json_schema
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stdout + getattr(result, "stderr", "")
    return result


def test_who_json_contract_2023_and_2025(cli: Cli) -> None:
    for day, pm, esc in (("2023-06-01", "QKK", "Y56"), ("2025-10-01", "Y56", "X24")):
        d = json.loads(_ok(cli("who", "RJ1", "--function", "elective_care", "--on", day, "--format", "json")).stdout)
        assert (d["org"], d["date"]) == ("RJ1", day)
        assert d["model"] == ("nhs-2022" if day < "2025" else "nhs-2025")
        assert isinstance(d["functions"], list)
        [f] = [x for x in d["functions"] if x["function"] == "elective_care"]
        assert f["performance_managed_by"] == pm and f["escalation"][0] == esc
        assert [c["code"] for c in f["chain"]] == ["RJ1", "QKK", "Y56", "X24"]
        assert all({"code", "tier", "role"} <= set(c) for c in f["chain"])
        assert f["sources"] and all({"source", "section", "title"} <= set(s) for s in f["sources"])


def test_who_table_cites_each_link(cli: Cli) -> None:
    out = _ok(cli("who", "RJ1", "--function", "elective_care", "--on", "2025-10-01")).stdout
    assert "performance managed by: Y56 (region)" in out and "commissioned by: QKK" in out
    assert "strategic commissioner" in out and "Sources" in out and "[1] " in out


def test_who_with_a_users_model_file(cli: Cli, tmp_path: Path) -> None:
    text = (ROOT / "src/opmodel/accountability/models/nhs-2025.yaml").read_text().replace(
        "name: nhs-2025", "name: local-variant")
    path = tmp_path / "local.yaml"
    path.write_text(text)
    d = json.loads(_ok(cli("who", "RJ1", "--on", "2025-10-01", "--model", str(path), "--format", "json")).stdout)
    assert d["model"] == "local-variant" and len(d["functions"]) == 12


def test_who_errors_exit_1(cli: Cli, tmp_path: Path) -> None:
    r = cli("who", "RJ1", "--function", "elective", "--on", "2025-10-01")
    assert r.exit_code == 1 and "Unknown function 'elective'" in r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntitle: y\n")
    r = cli("who", "RJ1", "--model", str(bad))
    assert r.exit_code == 1 and "bad.yaml, line 1" in r.stderr and "nothing was written" in r.stderr


def test_model_check_passes_on_shipped_and_fails_naming_the_element(cli: Cli, tmp_path: Path) -> None:
    out = _ok(cli("model", "check")).stdout
    assert "no findings" in out and "nhs-2022" in out and "nhs-2025" in out
    text = (ROOT / "src/opmodel/accountability/models/nhs-2022.yaml").read_text().replace(
        "    line: escalation\n    powers:\n      - statutory intervention",
        "    line: escalation\n    escalates_to: region\n    powers:\n      - statutory intervention")
    path = tmp_path / "cycle.yaml"
    path.write_text(text)
    r = cli("model", "check", str(path))
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln == "    escalates_to: region"
                and "national-escalation-providers" in "\n".join(text.splitlines()[i - 8:i]))
    assert r.exit_code == 1
    assert f"{path}:{line}: oversight.national-escalation-providers.escalates_to: escalation cycle" in r.stdout
    assert "finding(s)" in r.stderr
    js = json.loads(cli("model", "check", str(path), "--format", "json").stdout)
    assert js and all({"check", "path", "line", "message"} <= set(f) for f in js)


def test_model_list_show_and_diff(cli: Cli) -> None:
    rows = json.loads(_ok(cli("model", "list", "--format", "json")).stdout)
    assert [r["name"] for r in rows] == ["nhs-2022", "nhs-2025", "nhs-2027-proposed"]
    assert [r["status"] for r in rows] == ["in_force", "transition", "proposed"]
    shown = json.loads(_ok(cli("model", "show", "nhs-2025", "--format", "json")).stdout)
    assert shown["effective"] == {"from": "2025-06-26", "to": "2027-03-31"}
    assert "oversight" in shown and "support_ladder" in shown
    table = _ok(cli("model", "show", "nhs-2022")).stdout
    assert "icb-oversees-providers" in table and "RSP" in table
    out = _ok(cli("model", "diff", "nhs-2022", "nhs-2025")).stdout
    assert "performance management (first-line oversight) of provider: icb → region" in out
    r = cli("model", "show", "nhs-2019")
    assert r.exit_code == 1 and "nhs-2022" in r.stderr


def test_exported_json_schema_is_current(cli: Cli) -> None:
    on_disk = json.loads((ROOT / "docs/schema/operating-model.schema.json").read_text())
    assert on_disk == model_json_schema(), "run: opmodel model schema > docs/schema/operating-model.schema.json"
    assert json.loads(_ok(cli("model", "schema")).stdout) == on_disk
    assert set(on_disk["required"]) >= {"name", "effective", "tiers", "functions", "roles", "oversight",
                                        "support_ladder"}


def test_who_and_diff_write_svg(cli: Cli, tmp_path: Path) -> None:
    chain = tmp_path / "chain.svg"
    _ok(cli("who", "RJ1", "--function", "primary_care", "--on", "2025-10-01", "--svg", str(chain)))
    text = chain.read_text()
    assert text.startswith("<svg") and "delegates" in text and "QKK" in text
    side = tmp_path / "side.svg"
    _ok(cli("model", "diff", "nhs-2025", "nhs-2027-proposed", "--svg", str(side)))
    assert "nhs-2027-proposed (proposed)" in side.read_text()


def test_who_json_adds_model_status(cli: Cli) -> None:
    for day, status in (("2025-05-01", "in_force"), ("2025-10-01", "transition"), ("2027-06-01", "proposed")):
        d = json.loads(_ok(cli("who", "RJ1", "--function", "elective_care", "--on", day, "--format", "json")).stdout)
        assert d["model_status"] == status and d["model"]
        assert "performance_managed_by" in d["functions"][0]
    out = _ok(cli("who", "RJ1", "--function", "elective_care", "--on", "2027-06-01")).stdout
    assert "PROPOSED" in out
