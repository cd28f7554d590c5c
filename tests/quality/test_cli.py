"""`opmodel quality show|shmi` against the issue 22 JSON contract, on a seeded store."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli


def _json(cli: Cli, *args: str) -> object:
    res = cli(*args, "--format", "json")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    return json.loads(res.stdout)  # type: ignore[attr-defined]


def test_quality_show_json_contract(cli: Cli) -> None:
    d = _json(cli, "quality", "show", "RJ1")
    assert isinstance(d, dict)
    assert {"overall", "safe", "effective", "caring", "responsive", "well_led", "published_on",
            "source"} <= set(d["cqc"])
    assert {"value", "observed", "expected", "band", "published_band", "lower_limit", "upper_limit", "period",
            "source"} <= set(d["shmi"])
    assert {"positive_pct", "negative_pct", "responses", "period"} <= set(d["fft"])
    assert d["cqc"]["overall"] == "Good" and d["shmi"]["value"] == 0.9373


def test_quality_shmi_json_lists_every_trust_beside_its_published_band(cli: Cli) -> None:
    d = _json(cli, "quality", "shmi")
    assert isinstance(d, list) and len(d) == 118
    assert {"org_code", "value", "band", "published_band", "lower_limit", "upper_limit"} <= set(d[0])
    assert sum(r["band"] == r["published_band"] for r in d) == 115


def test_quality_shmi_table_states_agreement_and_writes_the_funnel(cli: Cli, tmp_path: Path) -> None:
    res = cli("quality", "shmi", "--svg", str(tmp_path / "shmi.svg"))
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "agree with the published band for 115 of 118" in res.stdout  # type: ignore[attr-defined]
    for code in ("R0D", "RA2", "RKB"):
        assert code in res.stdout  # type: ignore[attr-defined]
    svg = (tmp_path / "shmi.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "<desc>" in svg and "115 of 118" in svg


def test_quality_show_area_and_errors(cli: Cli) -> None:
    res = cli("quality", "show", "Y56")
    assert res.exit_code == 0 and "good or outstanding" in res.stdout  # type: ignore[attr-defined]
    res = cli("quality", "show", "RJX9")
    assert res.exit_code == 1 and "RJX9" in res.output  # type: ignore[attr-defined]
