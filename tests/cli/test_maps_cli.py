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
