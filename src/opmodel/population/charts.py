"""Vega-Lite specs for population health: a Fingertips-style spine chart and trends with intervals.

Rendered by :func:`opmodel.variation.render_chart` like every other chart, so they get the same
``<title>``/``<desc>`` and a data table on the page.
"""

from __future__ import annotations

from typing import Any

from opmodel.variation import NHS_COLOURS

__all__ = ["spine_chart_spec", "spine_rows", "trend_chart_spec"]

_COMPARE_COLOURS = {"better": "#007f3b", "worse": "#d5281b", "similar": "#ffb81c", "higher": "#41b6e6",
                    "lower": "#005eb8"}
_NOT_COMPARED = "#768692"
_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


def spine_rows(indicators: list[dict[str, Any]], ranges: dict[str, tuple[float, float]]) -> list[dict[str, Any]]:
    """Each indicator placed on a scale centred on England: -1 and 1 are the furthest ICB either side."""
    out: list[dict[str, Any]] = []
    for r in indicators:
        eng, lo_hi = r.get("england_value"), ranges.get(r["indicator_id"])
        if eng is None or lo_hi is None:
            continue
        span = max(abs(lo_hi[0] - eng), abs(lo_hi[1] - eng)) or 1.0

        def pos(v: float | None, e: float = eng, s: float = span) -> float | None:
            return None if v is None else (v - e) / s

        out.append({"indicator": r["name"] + (" (third-party)" if r.get("third_party") else ""),
                    "indicator_id": r["indicator_id"], "period": r["period"], "value": r["value"],
                    "england": eng, "region": r.get("region_value"), "lowest": lo_hi[0], "highest": lo_hi[1],
                    "compared": ("not compared" if str(r["compared_to_england"]).startswith("not compared")
                                 else r["compared_to_england"]), "x_value": pos(r["value"]),
                    "x_region": pos(r.get("region_value")),
                    "x_low": pos(lo_hi[0]), "x_high": pos(lo_hi[1])})
    return out


def _y() -> dict[str, Any]:
    return {"field": "indicator", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 360}}


def spine_chart_spec(rows: list[dict[str, Any]], *, org_name: str) -> dict[str, Any]:
    """The spine: range of ICB values (bar), England (centre line), region (diamond), this ICB (circle).

    Written as a Vega-Lite dict rather than through Altair: building the same spec with Altair costs
    about half a second per page (it deep-copies and validates), this costs nothing.
    """
    data = {"name": "spine"}
    q = "quantitative"
    desc = (f"Spine chart for {org_name}: {len(rows)} indicators. For each, the grey bar spans the lowest to the "
            "highest ICB value, the vertical line is England, the diamond is the region and the circle is this ICB, "
            "coloured by its comparison with England. " + " ".join(
                f"{r['indicator']}: {r['value']:.2f} against England {r['england']:.2f}." for r in rows))
    return {
        "$schema": _SCHEMA, "description": desc, "width": 420, "height": max(120, 26 * len(rows)),
        "title": {"text": f"{org_name}: population health against England and region", "anchor": "start"},
        "config": {"mark": {"aria": False}},   # the <svg> carries the description; the page a data table
        "datasets": {"spine": rows},
        "layer": [
            {"data": data, "mark": {"type": "bar", "color": "#d8dde0", "height": 10},
             "encoding": {"x": {"field": "x_low", "type": q, "scale": {"domain": [-1.05, 1.05]},
                                "title": "Lowest ICB ← England → highest ICB (scaled per indicator)",
                                "axis": {"labels": False, "ticks": False}},
                          "x2": {"field": "x_high"}, "y": _y()}},
            {"data": {"values": [{"x": 0}]}, "mark": {"type": "rule", "color": NHS_COLOURS["dark_blue"],
                                                      "strokeWidth": 2},
             "encoding": {"x": {"field": "x", "type": q}}},
            {"data": data, "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 70,
                                    "color": "#212b32"},
             "encoding": {"x": {"field": "x_region", "type": q}, "y": _y(),
                          "tooltip": [{"field": "indicator", "type": "nominal"}, {"field": "region", "type": q}]}},
            {"data": data, "mark": {"type": "circle", "size": 140, "opacity": 1, "stroke": "#212b32",
                                    "strokeWidth": 1},
             "encoding": {"x": {"field": "x_value", "type": q}, "y": _y(),
                          "color": {"field": "compared", "type": "nominal", "title": "Compared with England",
                                    "scale": {"domain": [*_COMPARE_COLOURS, "not compared"],
                                              "range": [*_COMPARE_COLOURS.values(), _NOT_COMPARED]}},
                          "tooltip": [{"field": f, "type": t} for f, t in (
                              ("indicator", "nominal"), ("period", "nominal"), ("value", q), ("england", q),
                              ("region", q), ("lowest", q), ("highest", q))]}},
        ],
    }


def trend_chart_spec(series: list[dict[str, Any]], *, org_name: str) -> dict[str, Any]:
    """Small multiples: each indicator's values over the years, intervals as a band where held."""
    q = "quantitative"
    x = {"field": "year", "type": "ordinal", "title": "Year"}
    inds = sorted({s["indicator"] for s in series})
    parts = []
    for i in inds:
        mine = sorted((s for s in series if s["indicator"] == i), key=lambda s: s["year"])
        parts.append(f"{i} from {mine[0]['value']:.2f} in {mine[0]['year']} to {mine[-1]['value']:.2f} in "
                     f"{mine[-1]['year']}")
    desc = (f"Trends for {org_name}: " + "; ".join(parts)
            + ". Shaded bands are 95% confidence intervals where counts are held.")
    return {
        "$schema": _SCHEMA, "description": desc,
        "title": {"text": f"{org_name}: trends", "anchor": "start"},
        "config": {"mark": {"aria": False}},
        "datasets": {"trends": series}, "data": {"name": "trends"},
        "facet": {"field": "indicator", "type": "nominal", "title": None}, "columns": 2,
        "resolve": {"scale": {"y": "independent"}},
        "spec": {"width": 300, "height": 140, "layer": [
            {"transform": [{"filter": "datum.lower_ci != null"}],
             "mark": {"type": "area", "opacity": 0.25, "color": NHS_COLOURS["blue"]},
             "encoding": {"x": x, "y": {"field": "lower_ci", "type": q}, "y2": {"field": "upper_ci"}}},
            {"mark": {"type": "line", "point": True, "color": NHS_COLOURS["blue"]},
             "encoding": {"x": x, "y": {"field": "value", "type": q, "scale": {"zero": False}, "title": "Value"},
                          "tooltip": [{"field": f, "type": t} for f, t in (
                              ("indicator", "nominal"), ("year", "ordinal"), ("value", q), ("lower_ci", q),
                              ("upper_ci", q), ("method", "nominal"))]}}]},
    }
