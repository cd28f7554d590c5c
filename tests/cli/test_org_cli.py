"""The ``opmodel org`` and ``opmodel data`` commands: formats, contracts and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tests.conftest import SHARED_DATA, Cli


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stdout + getattr(result, "stderr", "")
    return result


def test_org_show_json_contract(cli: Cli) -> None:
    d = json.loads(_ok(cli("org", "show", "RJ1", "--on", "2025-06-01", "--json")).stdout)
    assert {"code", "name", "kind", "open_date", "close_date", "parents"} <= set(d)
    assert [p["code"] for p in d["parents"]] == ["QKK", "Y56", "X24"]
    assert all({"code", "name", "kind"} <= set(p) for p in d["parents"])


def test_org_list_formats(cli: Cli) -> None:
    icbs = json.loads(_ok(cli("org", "list", "--kind", "icb", "--on", "2026-06-01", "--format", "json")).stdout)
    assert len(icbs) == 36
    rows = list(csv.DictReader(io.StringIO(_ok(cli("org", "list", "--kind", "icb", "--on", "2025-06-01",
                                                  "--format", "csv")).stdout)))
    assert len(rows) == 42 and rows[0]["kind"] == "icb"
    table = _ok(cli("org", "list", "--kind", "region")).stdout
    assert "North West" in table and "7 row(s)" in table


def test_org_changes_json_contract(cli: Cli) -> None:
    out = json.loads(_ok(cli("org", "changes", "--from", "2026-03-01", "--to", "2026-06-01",
                             "--format", "json")).stdout)
    moves = [c for c in out if c["change"] == "parent_changed" and c["code"] == "G6V2S"]
    assert moves == [{"code": "G6V2S", "name": "North London NHS Foundation Trust", "kind": "trust",
                      "change": "parent_changed", "date": "2026-04-01", "old_parent": "QMJ",
                      "new_parent": "Z9B2Z"}]
    assert {"opened", "closed", "parent_changed"} == {c["change"] for c in out}


def test_org_tree_json(cli: Cli) -> None:
    root = json.loads(_ok(cli("org", "tree", "QKK", "--on", "2025-06-01", "--json")).stdout)
    assert "RJ1" in {c["code"] for c in root["children"]}


def test_unknown_code_exits_non_zero_with_suggestions(cli: Cli) -> None:
    result: Any = cli("org", "show", "RJ7X")
    assert result.exit_code == 1
    assert "Unknown organisation code 'RJ7X'" in result.stderr and "RJ7" in result.stderr


def test_bad_date_is_a_usage_error(cli: Cli) -> None:
    result: Any = cli("org", "show", "RJ1", "--on", "1 June 2025")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_load_ods_rejects_bad_file_and_names_the_line(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "etr.csv"
    lines = (SHARED_DATA / "ods-org-hierarchy/etr_snapshot_2026-06.csv").read_text().splitlines()
    lines[2] = '"RZZ","BROKEN NHS TRUST"'
    bad.write_text("\n".join(lines) + "\n")
    result: Any = cli("data", "load-ods", str(bad), "--as-of", "2026-07-01")
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr and "line 3" in result.stderr


def test_load_ods_same_snapshot_again_reports_unchanged(cli: Cli) -> None:
    from opmodel.structure.defaults import DATA_DIR

    out = _ok(cli("data", "load-ods", str(DATA_DIR / "etr_2026-06.csv"), "--as-of", "2026-04-01")).stdout
    assert "nothing changed" in out


def test_overview_prints_the_national_structure(cli: Cli) -> None:
    out = _ok(cli("overview", "--on", "2026-06-01")).stdout
    assert "7 regions, 36 ICBs" in out and "Z9B2Z" in out
