"""``opmodel metrics load | list | show`` against the seeded store (shipped defaults) and real files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from tests.metrics.conftest import AE_DIR, AE_MAY_2025

CONTRACT = {"metric", "org_code", "level", "period_start", "period_end", "numerator", "denominator", "value",
            "source"}


def test_show_json_contract_for_rj1(cli: Any) -> None:
    res = cli("metrics", "show", "ae_4hr", "--org", "RJ1", "--from", "2025-05", "--to", "2025-05", "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 1 and set(rows[0]) >= CONTRACT
    r = rows[0]
    assert (r["org_code"], r["level"], r["period_start"], r["period_end"]) == ("RJ1", "trust", "2025-05-01",
                                                                              "2025-05-31")
    assert (r["denominator"], r["numerator"], round(r["value"], 1)) == (18092, 14310, 79.1)


def test_show_england_needs_no_org(cli: Any) -> None:
    res = cli("metrics", "show", "rtt_18wk", "--level", "england", "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    april = [(r["org_code"], r["denominator"], round(r["value"], 1)) for r in rows if r["period_start"] == "2026-04-01"]
    assert april == [("X24", 7123980, 64.9)]  # the official April 2026 extract, not the third-party series
    assert len(rows) == 49 and rows[0]["period_start"] == "2022-04-01"


def test_show_table_csv_and_parquet(cli: Any, tmp_path: Path) -> None:
    table = cli("metrics", "show", "dm01_6wk", "--level", "region", "--from", "2025-07-01")
    assert table.exit_code == 0 and "Y56" in table.stdout and "14 row(s)" in table.stdout  # July 2025, March 2026
    as_csv = cli("metrics", "show", "dm01_waiting_list", "--level", "england", "--format", "csv")
    lines = as_csv.stdout.strip().splitlines()
    assert lines[0].startswith("metric,org_code") and len(lines) == 14  # header + 12 months + March 2026
    assert cli("metrics", "show", "ae_4hr", "--format", "parquet").exit_code != 0  # needs --output
    out = tmp_path / "ae.parquet"
    res = cli("metrics", "show", "ae_4hr", "--level", "icb", "--format", "parquet", "--output", str(out))
    assert res.exit_code == 0, res.output
    t = pq.read_table(out)
    assert set(t.column_names) >= CONTRACT and t.num_rows == 18 * 42  # June 2024 - July 2025, Oct-Dec 2025, Mar 2026


def test_show_rejects_bad_options(cli: Any) -> None:
    assert cli("metrics", "show", "ae_4hr", "--level", "nation").exit_code != 0
    assert cli("metrics", "show", "ae_4hr", "--from", "May 2025").exit_code != 0
    res = cli("metrics", "show", "ae4hr")
    assert res.exit_code == 1 and "ae_4hr" in res.output


def test_list_shows_catalogue_and_holdings(cli: Any) -> None:
    res = cli("metrics", "list", "--format", "json")
    assert res.exit_code == 0
    rows = {r["metric"]: r for r in json.loads(res.stdout)}
    for m in ("ae_4hr", "ae_type1_4hr", "ae_12hr_dta", "ae_attendances", "rtt_18wk", "rtt_52wk", "rtt_65wk",
              "rtt_78wk", "rtt_waiting_list", "dm01_6wk", "dm01_waiting_list"):
        assert rows[m]["values_held"] > 0, m
    assert rows["ae_4hr"]["nof_id"] == "OF0013" and rows["ae_4hr"]["direction"] == "higher"


def test_load_dry_run_then_load_reports_and_skips(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "README.pdf").write_bytes(b"%PDF-1.5")
    (folder / "may.csv").write_bytes(AE_MAY_2025.read_bytes()[:-10] + b"9999999999")  # damaged TOTAL row
    res = cli("metrics", "load", str(folder))
    assert res.exit_code == 1 and "refused" in res.output and "nothing was written" in res.output
    (folder / "may.csv").unlink()
    (folder / "other name.csv").write_bytes((AE_DIR / "Monthly-AE-April-2025.csv").read_bytes())
    dry = cli("metrics", "load", "--dry-run", str(folder))
    assert dry.exit_code == 0 and "Dry run" in dry.output and "1 skipped" in dry.output
    res = cli("metrics", "load", str(folder))
    # the shipped defaults already hold this publication (same sha256): nothing new
    assert res.exit_code == 0 and "1 already loaded" in res.output and "1 skipped" in res.output


def test_empty_show_says_which_periods_are_held(cli: object) -> None:
    """Issue 16 item 16: no "between 2030-01-01 and -" and no bare "0 row(s)"."""
    res = cli("metrics", "show", "ae_4hr", "--org", "RJ1", "--from", "2030-01")  # type: ignore[operator]
    assert res.exit_code == 0
    text = res.stdout + res.stderr
    assert "0 row(s)" not in text and "and -" not in text
    assert "No trust values of ae_4hr for RJ1 from 2030-01-01" in " ".join(text.split())
    assert "held from 2024-06 to 2026-03" in " ".join(text.split())
