"""Chart specs carry the MDC colours, icons and accessible text; rendering gives SVG and PNG offline."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from opmodel.errors import OpmodelError
from opmodel.variation import (
    COLOURS,
    FunnelUnit,
    TrustValue,
    consistency_chart_spec,
    decompose_period,
    funnel_analysis,
    funnel_chart_spec,
    get_preset,
    render_chart,
    spc_analysis,
    spc_chart_spec,
    spc_table,
)
from opmodel.variation.consistency import consistency_trend
from tests.variation.conftest import monthly


def inline_rows(spec: object, key: str) -> list[dict[str, Any]]:
    """The first data set anywhere in a spec whose rows have ``key``: inline values, or a named data set
    of the top-level ``datasets`` (where the cached chart skeletons put their rows)."""
    if isinstance(spec, dict):
        values = spec.get("values")
        if isinstance(values, list) and values and isinstance(values[0], dict) and key in values[0]:
            return values
        children = list(spec.values())
    elif isinstance(spec, list):
        if spec and isinstance(spec[0], dict) and key in spec[0]:
            return spec  # the rows of a named data set
        children = spec
    else:
        return []
    for child in children:
        found = inline_rows(child, key)
        if found:
            return found
    return []


VALUES = [80, 82, 79, 81, 80, 83, 84, 85, 86, 87, 88, 89, 90, 95, 84, 85]


@pytest.fixture(scope="module")
def spc_result():  # type: ignore[no-untyped-def]
    return spc_analysis(monthly(VALUES), rules=get_preset("mdc"), direction="higher", target=92,
                        metric="ae_4hr", org_code="RJ1", org_name="Guy's and St Thomas'")


def test_spc_spec_has_mdc_colours_icons_and_description(spc_result) -> None:  # type: ignore[no-untyped-def]
    spec = spc_chart_spec(spc_result)
    text = json.dumps(spec)
    for colour in (COLOURS["special_cause_improvement"], COLOURS["common_cause"], COLOURS["target"]):
        assert colour in text
    assert "RJ1" in spec["title"]["text"]
    assert spc_result.variation_icon.replace("_", " ") in spec["title"]["subtitle"][0]
    assert "Statistical process control chart of ae_4hr for RJ1" in spec["description"]
    icon_rows = inline_rows(spec, "caption")
    assert [r["caption"] for r in icon_rows] == [spc_result.variation_icon.replace("_", " "),
                                                 spc_result.assurance_icon.replace("_", " ")]
    assert len(spc_table(spc_result)) == len(VALUES)


def _valid_vega_lite(spec: dict[str, Any]) -> None:
    """Validate against Altair's Vega-Lite schema (the builders skip Altair's validation per chart)."""
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    validate_jsonschema(spec, load_schema())


def test_spc_specs_from_the_cached_skeleton_are_valid_and_carry_their_own_data(spc_result) -> None:  # type: ignore[no-untyped-def]
    """Issue 25: the chart's shape is built once; every chart still gets its own rows, title and text."""
    other = spc_analysis(monthly([v + 3 for v in VALUES]), rules=get_preset("mdc"), direction="higher", target=92,
                         metric="ae_4hr", org_code="RJ2", org_name="Lewisham and Greenwich")
    a, b = spc_chart_spec(spc_result), spc_chart_spec(other)
    for spec in (a, b):
        _valid_vega_lite(spec)
    assert inline_rows(a, "upper_limit") == [dict(r, segment=p.segment) for r, p in
                                             zip(spc_table(spc_result), spc_result.points, strict=True)]
    assert inline_rows(b, "upper_limit")[0]["value"] == VALUES[0] + 3
    assert "RJ2" in b["title"]["text"] and "RJ2" in b["description"] and "RJ1" not in json.dumps(b)
    a["datasets"]["spc"].clear()  # a caller changing its spec changes no other chart
    assert inline_rows(spc_chart_spec(spc_result), "upper_limit")
    # another metric, other point types: the same skeleton, its own axis title and colour legend
    from opmodel.variation import charts

    flat = spc_analysis(monthly([50.0] * 16), rules=get_preset("mdc"), direction="lower", metric="rtt_52wk",
                        org_code="RJ1")
    charts._spc_skeleton.cache_clear()
    c, d = spc_chart_spec(spc_result), spc_chart_spec(flat)
    assert charts._spc_skeleton.cache_info().currsize == 2  # with and without a target; not one per metric
    _valid_vega_lite(d)
    text_c, text_d = json.dumps(c), json.dumps(d)
    assert '"title": "ae_4hr"' in text_c and '"title": "rtt_52wk"' in text_d and "\\u0000" not in text_c + text_d
    assert '"domain": ["common_cause"]' in text_d and '"range": ["' + COLOURS["common_cause"] + '"]' in text_d
    assert '"special_cause_improvement"' in text_c


def test_render_svg_is_accessible_and_png_is_a_png(spc_result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = spc_chart_spec(spc_result)
    svg = render_chart(spec, tmp_path / "c.svg").read_text()
    assert svg.startswith("<svg") and 'role="img"' in svg.split(">", 1)[0]
    assert "<title>ae_4hr: Guy&#x27;s and St Thomas&#x27; (RJ1)</title>" in svg
    assert "<desc>Statistical process control chart" in svg
    png = render_chart(spec, tmp_path / "c.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(OpmodelError, match=r"svg or \.png"):
        render_chart(spec, tmp_path / "c.pdf")


def test_funnel_spec_labels_outliers_and_colours_by_direction() -> None:
    units = [FunnelUnit(f"T{i}", numerator=0.76 * d, denominator=d) for i, d in enumerate([500, 1000, 5000, 9000])]
    units.append(FunnelUnit("LOW", numerator=600, denominator=1000))
    res = funnel_analysis(units, scale=100)
    spec = funnel_chart_spec(res, metric="ae_4hr", period="2025-05", direction="higher")
    _valid_vega_lite(spec)
    rows = inline_rows(spec, "status")
    assert {r["org_code"]: r["status"] for r in rows}["LOW"] == "worse than expected"
    assert "1 outside the 99.8% limits" in spec["title"]["subtitle"][0]
    assert "Funnel plot of ae_4hr for 2025-05" in spec["description"]


def test_consistency_spec_stacks_the_three_shares() -> None:
    period = decompose_period([TrustValue("A", "R1", "I1", 8, 10), TrustValue("B", "R2", "I2", 5, 10),
                               TrustValue("C", "R2", "I3", 6, 10)], scale=100)
    period["period"] = "2024-06-01"
    report = {"metric": "ae_4hr", "from": "2024-06-01", "to": "2024-06-01", "periods": [period],
              "trend": consistency_trend([(dt.date(2024, 6, 1), period)])}
    spec = consistency_chart_spec(report)
    bars = inline_rows(spec, "where")
    assert sorted(r["where"] for r in bars) == ["between ICBs in a region", "between regions",
                                                "between trusts in an ICB"]
    assert sum(r["share"] for r in bars) == pytest.approx(1.0)
    assert "where the variation lies" in spec["title"]["text"]


def test_warming_builds_every_chart_skeleton_once() -> None:
    """Issue 25: a server's warm-up reads each shape and starts the renderer, so no visitor waits for them."""
    from opmodel.variation import charts, warm_chart_builders

    charts._spc_skeleton.cache_clear()
    charts._funnel_skeleton.cache_clear()
    warm_chart_builders()
    assert charts._spc_skeleton.cache_info().currsize == 4 and charts._funnel_skeleton.cache_info().currsize == 1


def test_the_shipped_chart_shapes_are_what_altair_builds() -> None:
    """Issue 25: pages use the shipped shapes; editing a builder without running
    scripts/build_chart_skeletons.py fails here."""
    from opmodel.variation import charts

    shipped = json.loads(charts.SKELETONS_FILE.read_text(encoding="utf-8"))
    assert shipped == charts.built_skeletons(), "run scripts/build_chart_skeletons.py"
    assert sorted(shipped) == ["funnel", "spc", "spc-target", "spc-two-sigma", "spc-two-sigma-target"]
    for spec in shipped.values():
        _valid_vega_lite(spec)


def test_drawing_a_chart_needs_no_altair(tmp_path: Path) -> None:
    """Serving an SPC chart imports neither Altair nor its schema: shapes shipped, vl-convert draws."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from opmodel.variation import get_preset, render_chart, spc_analysis, spc_chart_spec\n"
        "from tests.variation.conftest import monthly\n"
        f"r = spc_analysis(monthly({VALUES!r}), rules=get_preset('mdc'), direction='higher', target=92,"
        " metric='ae_4hr', org_code='RJ1')\n"
        f"render_chart(spc_chart_spec(r), Path({str(tmp_path / 'c.svg')!r}))\n"
        "print('altair' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False" and (tmp_path / "c.svg").read_text().startswith("<svg")
