"""``opmodel records generate`` and ``opmodel derive`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import AE_FOLDER


def test_generate_then_derive_into_the_store(cli: Any, tmp_path: Path, small_extract: Path) -> None:
    out = tmp_path / "recs"
    res = cli("records", "generate", str(out), "--ae", str(AE_FOLDER), "--rtt", str(small_extract),
              "--provider", "RJ1", "--month", "2025-05", "--inject-bad", "1", "--quiet")
    assert res.exit_code == 0, res.stdout
    assert "A&E: 18,096 records" in res.stdout and "RTT: 109,902 records" in res.stdout
    res = cli("derive", str(out), "--format", "json")
    assert res.exit_code == 0, res.stdout
    data = json.loads(res.stdout)
    assert data["engine"] == "duckdb" and data["source_id"] is not None
    values = {(v["metric"], v["org_code"], v["period"]): v for v in data["values"]}
    assert values[("ae_4hr_records", "RJ1", "2025-05")]["numerator"] == 18_092 - 3_782
    assert values[("rtt_52wk_records", "RJ1", "2026-04")]["value"] == 689
    rules = {(e["dataset"], e["rule"]) for e in data["exclusions"]}
    assert ("ae_attendances", "unknown_provider") in rules and ("rtt_pathways", "null_clock_start") in rules
    res = cli("records", "derive", str(out), "--no-save")
    assert res.exit_code == 0
    assert "excluded ae_attendances: duplicate_record_id: 2 record(s)" in res.stdout
    assert "(not saved)" in res.stdout


def test_derive_rejects_an_unknown_engine_and_an_empty_folder(cli: Any, tmp_path: Path) -> None:
    res = cli("derive", str(tmp_path), "--engine", "polars")
    assert res.exit_code == 2 and "duckdb or spark" in res.output
    res = cli("derive", str(tmp_path))
    assert res.exit_code != 0 and "no ae_attendances/ or rtt_pathways/" in res.output


def test_validate_reports_a_schema_problem(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "ae_attendances" / "month=2025-05"
    folder.mkdir(parents=True)
    (folder / "part-0.csv").write_text("record_id,provider\n1,RJ1\n")
    res = cli("records", "validate", str(tmp_path))
    assert res.exit_code == 1
    assert "Rejected; nothing was written" in res.output and "field site" in res.output
