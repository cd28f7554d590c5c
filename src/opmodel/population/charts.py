"""Vega-Lite specs for population health: a Fingertips-style spine chart and trends with intervals.

Rendered by :func:`opmodel.variation.render_chart` like every other chart, so they get the same
``<title>``/``<desc>`` and a data table on the page.
"""

from __future__ import annotations

from typing import Any

from opmodel.errors import OpmodelError
from opmodel.variation import NHS_COLOURS

__all__ = ["spine_chart_spec", "spine_rows", "trend_chart_spec"]

_COMPARE_COLOURS = {"better": "#007f3b", "worse": "#d5281b", "similar": "#ffb81c", "higher": "#41b6e6",
                    "lower": "#005eb8"}
_NOT_COMPARED = "#768692"


def _alt() -> Any:
    try:
        import altair
    except ImportError:
        raise OpmodelError("charts need Altair and vl-convert: pip install 'opmodel[web]'") from None
    return altair


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
                    "compared": r["compared_to_england"], "x_value": pos(r["value"]),
                    "x_region": pos(r.get("region_value")),
                    "x_low": pos(lo_hi[0]), "x_high": pos(lo_hi[1])})
    return out


def spine_chart_spec(rows: list[dict[str, Any]], *, org_name: str) -> dict[str, Any]:
    """The spine: range of ICB values (bar), England (centre line), region (diamond), this ICB (circle)."""
    alt = _alt()
    data = alt.Data(values=rows)
    y = alt.Y("indicator:N", title=None, sort=None, axis=alt.Axis(labelLimit=360))
    x = alt.X("x_low:Q", title="Lowest ICB ← England → highest ICB (scaled per indicator)",
              scale=alt.Scale(domain=[-1.05, 1.05]), axis=alt.Axis(labels=False, ticks=False))
    rng = alt.Chart(data).mark_bar(height=10, color="#d8dde0").encode(x=x, x2="x_high:Q", y=y)
    centre = alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color=NHS_COLOURS["dark_blue"], strokeWidth=2).encode(
        x="x:Q")
    region = alt.Chart(data).mark_point(shape="diamond", filled=True, size=70, color="#212b32").encode(
        x="x_region:Q", y=y, tooltip=["indicator:N", "region:Q"])
    dom = list(_COMPARE_COLOURS)
    point = alt.Chart(data).mark_circle(size=140, opacity=1, stroke="#212b32", strokeWidth=1).encode(
        x="x_value:Q", y=y,
        color=alt.Color("compared:N", title="Compared with England",
                        scale=alt.Scale(domain=[*dom, "not compared (no counts or interval held)"],
                                        range=[*_COMPARE_COLOURS.values(), _NOT_COMPARED])),
        tooltip=["indicator:N", "period:N", "value:Q", "england:Q", "region:Q", "lowest:Q", "highest:Q"])
    desc = (f"Spine chart for {org_name}: {len(rows)} indicators. For each, the grey bar spans the lowest to the "
            "highest ICB value, the vertical line is England, the diamond is the region and the circle is this ICB, "
            "coloured by its comparison with England. " + " ".join(
                f"{r['indicator']}: {r['value']:.2f} against England {r['england']:.2f}." for r in rows))
    chart = alt.layer(rng, centre, region, point).properties(
        width=420, height=max(120, 26 * len(rows)), description=desc,
        title=alt.Title(f"{org_name}: population health against England and region", anchor="start"))
    # The <svg> carries the description and the page a data table; unlabelled marks would fail axe.
    spec: dict[str, Any] = chart.configure_mark(aria=False).to_dict()
    return spec


def trend_chart_spec(series: list[dict[str, Any]], *, org_name: str) -> dict[str, Any]:
    """Small multiples: each indicator's values over the years, intervals as a band where held."""
    alt = _alt()
    data = alt.Data(values=series)
    base = alt.Chart(data)
    x = alt.X("year:O", title="Year")
    y = alt.Y("value:Q", title="Value", scale=alt.Scale(zero=False))
    band = base.transform_filter("datum.lower_ci != null").mark_area(opacity=0.25, color=NHS_COLOURS["blue"]).encode(
        x=x, y="lower_ci:Q", y2="upper_ci:Q")
    line = base.mark_line(point=True, color=NHS_COLOURS["blue"]).encode(
        x=x, y=y, tooltip=["indicator:N", "year:O", "value:Q", "lower_ci:Q", "upper_ci:Q", "method:N"])
    inds = sorted({s["indicator"] for s in series})
    desc = (f"Trends for {org_name}: " + "; ".join(
        f"{i} from {first['value']:.2f} in {first['year']} to {last['value']:.2f} in {last['year']}"
        for i in inds for first, last in [(min((s for s in series if s["indicator"] == i), key=lambda s: s["year"]),
                                           max((s for s in series if s["indicator"] == i), key=lambda s: s["year"]))])
            + ". Shaded bands are 95% confidence intervals where counts are held.")
    chart = alt.layer(band, line).properties(width=300, height=140).facet(
        facet=alt.Facet("indicator:N", title=None), columns=2).resolve_scale(y="independent").properties(
        description=desc, title=alt.Title(f"{org_name}: trends", anchor="start"))
    spec: dict[str, Any] = chart.configure_mark(aria=False).to_dict()
    return spec
