"""One CSV-safety function for every CSV opmodel writes (issue 23, item 4; OWASP "CSV Injection").

Why 6: ``=HYPERLINK(...)`` in a case's lead name reached ``export.csv`` and ``opmodel cases export``
unescaped, and an unknown organisation's name from a loaded file reached ``metrics show --format csv``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from opmodel import csvsafe

from .conftest import SHARED_DATA, Cli

SRC = Path(__file__).resolve().parents[1] / "src" / "opmodel"


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
    ("+SUM(1,2)", "'+SUM(1,2)"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"), ("-", "'-"), ("=1", "'=1"),
    ("-12.5", "-12.5"), ("+3", "+3"), ("-1e-3", "-1e-3"), ("-.5", "-.5"),  # numbers stay readable
    ("Guy's and St Thomas'", "Guy's and St Thomas'"), ("a=b", "a=b"), ("", ""),
    (-12.5, -12.5), (-3, -3), (None, None), (True, True)])
def test_safe_cell_quotes_formulas_and_keeps_numbers(cell: Any, safe: Any) -> None:
    assert csvsafe.safe_cell(cell) == safe


def test_writers_neutralise_every_cell_and_the_header() -> None:
    buf = io.StringIO()
    w = csvsafe.dict_writer(buf, fieldnames=["name", "value"], lineterminator="\n")
    w.writeheader()
    w.writerows([{"name": "=cmd|' /C calc'!A0", "value": -4.2}, {"name": "ok", "value": "-4.2"}])
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert rows == [{"name": "'=cmd|' /C calc'!A0", "value": "-4.2"}, {"name": "ok", "value": "-4.2"}]
    buf = io.StringIO()
    csvsafe.writer(buf).writerows([["@x", 1], ["y", -1]])
    assert buf.getvalue().splitlines() == ["'@x,1", "y,-1"]


def test_every_csv_writer_in_the_project_goes_through_csvsafe() -> None:
    """grep: no module but csvsafe makes a csv.writer/DictWriter or calls to_csv/write_csv."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "csvsafe.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\(|\.to_csv\(|\.write_csv\(", text):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_league_csv_neutralises_names() -> None:
    from opmodel.web.views_oversight import league_csv

    row = SimpleNamespace(model_dump=lambda: {"rank": 1, "org_code": "RXX", "org_name": "=HYPERLINK(\"x\")",
                                              "average_score": -0.5, "movement": "-1"})
    out = league_csv(SimpleNamespace(rows=[row]))  # type: ignore[arg-type]
    rec = next(csv.DictReader(io.StringIO(out)))
    assert rec["org_name"] == "'=HYPERLINK(\"x\")" and rec["average_score"] == "-0.5" and rec["movement"] == "-1"


def test_metrics_show_csv_neutralises_a_name_from_a_loaded_file(cli: Cli, tmp_path: Path) -> None:
    """An A&E file naming an organisation the registry does not know, with a formula for its name."""
    src = SHARED_DATA / "nhse-ae-monthly-2024-25" / "Monthly-AE-April-2025.csv"
    lines = src.read_text(encoding="utf-8-sig").splitlines()
    doctored = [ln.replace("NTV0B,", "ZZQ98,", 1).replace("ASHFORD WALK-IN-CENTRE",
                                                          '"=HYPERLINK(""http://evil.example"",""x"")"')
                for ln in lines]
    path = tmp_path / "Monthly-AE-April-2025.csv"
    path.write_text("\n".join(doctored) + "\n", encoding="utf-8")
    load = cli("metrics", "load", str(path))
    assert load.exit_code == 0, load.output  # type: ignore[attr-defined]
    out = cli("metrics", "show", "ae_4hr", "--level", "trust", "--from", "2025-04", "--to", "2025-04",
              "--format", "csv")
    rows = [r for r in csv.DictReader(io.StringIO(out.stdout)) if r["org_code"] == "ZZQ98"]  # type: ignore[attr-defined]
    assert rows, "the unknown organisation's row is shown"
    assert all(not (r["org_name"] or "").startswith("=") for r in rows)
    assert any((r["org_name"] or "").startswith("'=HYPERLINK") for r in rows)
    report = tmp_path / "ae.csv"
    cli("metrics", "show", "ae_4hr", "--level", "trust", "--from", "2025-04", "--to", "2025-04", "--format", "csv",
        "--output", str(report))
    assert "'=HYPERLINK" in report.read_text(encoding="utf-8") and ",=HYPERLINK" not in report.read_text()
