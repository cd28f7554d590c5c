"""The caterpillar chart spec (issue 12): league order, ranges, segment colours, accessible SVG."""

from __future__ import annotations

from pathlib import Path

from opmodel.oversight.uncertainty_chart import SEGMENT_COLOURS, caterpillar_spec, caterpillar_table
from opmodel.variation import render_chart

ROWS = [
    {"org_code": "BBB", "org_name": "Second Trust", "average_score": 2.4, "rank": 2, "adjusted_segment": 3,
     "likely_range_average": [2.0, 2.8], "likely_range_rank": [1, 3]},
    {"org_code": "AAA", "org_name": "First Trust", "average_score": 1.8, "rank": 1, "adjusted_segment": 1,
     "likely_range_average": [1.5, 2.1], "likely_range_rank": [1, 2]},
    {"org_code": "CCC", "org_name": "No range", "average_score": 3.0, "rank": 3, "adjusted_segment": 4,
     "likely_range_average": None},
]


def test_table_in_league_order_without_trusts_lacking_a_range() -> None:
    table = caterpillar_table(ROWS)
    assert [d["org_code"] for d in table] == ["AAA", "BBB"]
    assert (table[1]["low"], table[1]["high"], table[1]["segment"]) == (2.0, 2.8, "3")


def test_spec_and_svg(tmp_path: Path) -> None:
    spec = caterpillar_spec(ROWS, "Test table", cutoffs=[2.06, 2.35, 2.71])
    assert spec["data"]["values"][0]["label"] == "1. First Trust"
    assert spec["layer"][0]["encoding"]["x2"] == {"field": "high"}
    assert spec["layer"][0]["encoding"]["color"]["scale"]["range"] == list(SEGMENT_COLOURS.values())
    assert [d["cut"] for d in spec["layer"][2]["data"]["values"]] == [2.06, 2.35, 2.71]
    svg = render_chart(spec, tmp_path / "c.svg").read_text(encoding="utf-8")
    assert 'role="img"' in svg and "<title>Test table</title>" in svg and "2 trusts in league order" in svg
