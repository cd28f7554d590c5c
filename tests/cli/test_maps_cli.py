"""``opmodel map``: the "Done when" commands of issue 26, end to end through the CLI."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from opmodel.maps import ATTRIBUTION
from tests.conftest import Cli

CODES = re.compile(r'role="img"><title>[^<]*\(([A-Z0-9]{3,5})\)')


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stdout + getattr(result, "stderr", "")
    return result


@pytest.mark.parametrize(("on", "level", "count"), [("2026-06-01", "icb", 36), ("2025-06-01", "icb", 42),
                                                    ("2026-06-01", "region", 7)])
def test_map_svg_names_every_area_in_force(cli: Cli, tmp_path: Path, on: str, level: str, count: int) -> None:
    out = tmp_path / "map.svg"
    res = _ok(cli("map", "ae_4hr", "--level", level, "--on", on, "--svg", str(out), "--format", "csv"))
    svg = out.read_text(encoding="utf-8")
    codes = set(CODES.findall(svg))
    if level == "icb" and on == "2026-06-01":
        codes.discard("QNQ")  # the part of Frimley the boundary data cannot divide, named as such
    assert len(codes) == count
    want = {r["code"] for r in csv.DictReader(io.StringIO(res.stdout))}
    assert codes == want
    assert ATTRIBUTION.split(";")[0] in svg and "Open Government Licence v3.0" in svg
    assert svg.startswith("<svg xmlns=") and "<script" not in svg


def test_map_png_and_period(cli: Cli, tmp_path: Path) -> None:
    png = tmp_path / "map.png"
    res = _ok(cli("map", "segment_3_5", "--on", "2026-06-01", "--period", "2025-26-Q2", "--png", str(png),
                  "--format", "json"))
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert '"code": "QKK"' in res.stdout


def test_map_errors_exit_non_zero(cli: Cli) -> None:
    res = cli("map", "no_such_measure", "--on", "2026-06-01")
    assert res.exit_code != 0  # type: ignore[attr-defined]
    assert "Unknown map measure" in res.output  # type: ignore[attr-defined]


@pytest.mark.parametrize("measure", ["cqc_good_or_outstanding", "shmi_higher_than_expected", "fft_positive"])
def test_quality_measures_map_every_region(cli: Cli, tmp_path: Path, measure: str) -> None:
    """Issue 26 item 2: ``opmodel map cqc_good_or_outstanding --level region --svg F`` (the quality area's source)."""
    out = tmp_path / "quality.svg"
    res = _ok(cli("map", measure, "--level", "region", "--svg", str(out), "--format", "csv"))
    svg = out.read_text(encoding="utf-8")
    assert set(CODES.findall(svg)) == {"Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"}
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 7 and all(r["value"] for r in rows)
    assert all(re.fullmatch(r"\d+ of \d+ .*|\d+ trusts, [\d,]+ responses", r["note"]) for r in rows), rows
    for r in rows:  # the title of each region's path carries the value of its row
        assert re.search(rf"\({r['code']}\): {float(r['value']):.1f}%", svg), r
    assert "(third-party figures)" in svg and "England" in svg and ATTRIBUTION.split(";")[0] in svg


def test_quality_map_table_names_england_and_the_trusts_counted(cli: Cli) -> None:
    res = _ok(cli("map", "cqc_good_or_outstanding", "--level", "region", "--on", "2026-06-01"))
    text = res.output
    assert re.search(r"England: \d+\.\d% · latest ratings to \d+ \w+ 2026 · CQC overall ratings: .*third-party", text)
    assert re.search(r"\d{3} trusts with a CQC rating counted", text)
