"""The caterpillar chart of a league table: each trust's average with its likely range, coloured by segment.

A Vega-Lite spec (rendered to accessible SVG by :func:`opmodel.variation.render_chart`), trusts in
league order top to bottom, so a reader sees at once how far ranges overlap: the point of showing
uncertainty beside ranks (Goldstein and Spiegelhalter 1996; issue 12).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["SEGMENT_COLOURS", "caterpillar_spec", "caterpillar_table"]

#: NHS.UK palette: segment 1 green through 4 red (the same order as the pages' segment tags).
SEGMENT_COLOURS = {"1": "#007f3b", "2": "#005eb8", "3": "#ffb81c", "4": "#d5281b"}


def caterpillar_table(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The chart's data as rows (its accessible alternative): trusts with a range, in league order."""
    out = []
    for r in rows:
        rng = r.get("likely_range_average")
        if not rng or r.get("average_score") is None or r.get("rank") is None:
            continue
        rank_range = r.get("likely_range_rank") or [None, None]
        out.append({"rank": r["rank"], "org_code": r["org_code"], "org_name": r.get("org_name") or r["org_code"],
                    "average_score": r["average_score"], "low": rng[0], "high": rng[1],
                    "segment": str(r.get("adjusted_segment")), "rank_low": rank_range[0],
                    "rank_high": rank_range[1]})
    return sorted(out, key=lambda d: (d["rank"], d["org_code"]))


def caterpillar_spec(rows: Sequence[Mapping[str, Any]], title: str, cutoffs: Sequence[float] | None = None,
                     width: int = 560) -> dict[str, Any]:
    """Vega-Lite spec: one line per trust from the low to the high end of its likely average, a point at
    its average, coloured by adjusted segment, with the segment cut-offs as vertical rules."""
    data = caterpillar_table(rows)
    label = [f"{d['rank']}. {d['org_name'][:38]}" for d in data]
    for d, lab in zip(data, label, strict=True):
        d["label"] = lab
    y = {"field": "label", "type": "nominal", "sort": label, "title": None,
         "axis": {"labelFontSize": 9, "labelLimit": 240}}
    colour = {"field": "segment", "type": "nominal", "title": "Adjusted segment",
              "scale": {"domain": list(SEGMENT_COLOURS), "range": list(SEGMENT_COLOURS.values())}}
    tooltip = [{"field": "org_code"}, {"field": "average_score", "title": "average"},
               {"field": "low", "title": "likely from"}, {"field": "high", "title": "likely to"},
               {"field": "rank_low", "title": "rank from"}, {"field": "rank_high", "title": "rank to"}]
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "rule", "strokeWidth": 2},
         "encoding": {"y": y, "x": {"field": "low", "type": "quantitative", "title": "Average metric score "
                                    "(1 best, 4 worst) with its likely range", "scale": {"zero": False}},
                      "x2": {"field": "high"}, "color": colour, "tooltip": tooltip}},
        {"mark": {"type": "point", "filled": True, "size": 28, "color": "#212b32"},
         "encoding": {"y": y, "x": {"field": "average_score", "type": "quantitative"}, "tooltip": tooltip}},
    ]
    if cutoffs:
        layers.append({"data": {"values": [{"cut": c} for c in cutoffs]},
                       "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#768692"},
                       "encoding": {"x": {"field": "cut", "type": "quantitative"}}})
    n = len(data)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start",
                  "subtitle": ["Line: likely range of the average (2.5th to 97.5th percentile of resampled "
                               "averages); point: the average; dashed: segment cut-offs."]},
        "description": (f"Caterpillar chart of {n} trusts in league order: each trust's average metric score "
                        "with its likely range, coloured by adjusted segment. Overlapping ranges mean the "
                        "trusts cannot be told apart with confidence."),
        "width": width, "height": max(120, 11 * n),
        "data": {"values": data}, "layer": layers,
    }
