"""``opmodel report``: one pack, errors without tracebacks, and a batch for an ICB's trusts."""

from __future__ import annotations

from pathlib import Path

from pptx import Presentation

from tests.conftest import Cli
from tests.reports.conftest import PERIOD


def test_report_writes_pptx(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "rj1.pptx"
    res = cli("report", "RJ1", "--period", PERIOD, "--pptx", str(out))
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "Wrote" in res.output  # type: ignore[attr-defined]
    assert len(Presentation(str(out)).slides) > 5


def test_report_needs_an_output(cli: Cli) -> None:
    res = cli("report", "RJ1", "--period", PERIOD)
    assert res.exit_code == 2  # type: ignore[attr-defined]
    assert "--pdf" in res.output  # type: ignore[attr-defined]


def test_report_refuses_a_practice_level_org_and_bad_template(cli: Cli, tmp_path: Path) -> None:
    res = cli("report", "QKK", "--period", PERIOD, "--pptx", str(tmp_path / "x.pptx"), "--template",
              str(tmp_path / "missing.yaml"))
    assert res.exit_code == 1 and "cannot read the template" in res.output  # type: ignore[attr-defined]
    assert not (tmp_path / "x.pptx").exists()
    res = cli("report", "RJ1", "--period", "2025-26-Q9", "--pptx", str(tmp_path / "y.pptx"))
    assert res.exit_code != 0 and "Traceback" not in res.output  # type: ignore[attr-defined]


def test_all_trusts_of_an_icb(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "packs"
    res = cli("report", "QKK", "--period", PERIOD, "--all-trusts", "--out-dir", str(out), "--format", "pptx",
              "--jobs", "1", "--quiet")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    files = sorted(p.name for p in out.iterdir())
    assert files and all(f.endswith(f"-{PERIOD}.pptx") for f in files)
    assert "RJ1-2025-26-Q3.pptx" in files
    assert f"Wrote {len(files)} PPTX" in res.output  # type: ignore[attr-defined]
