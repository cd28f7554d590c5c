"""Print charts for the board pack: a compact SPC chart (Vega-Lite → SVG/PNG) and trend sparklines.

The chart is drawn from the same SPC table the variation area gives the web (``spc_table``), sized
for an A4 column, in MDC colours (ecosystem notes §1.3: grey common cause, blue improvement,
orange concern, red dashed target). Rendering uses vl-convert, no browser (notes §5).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
from typing import Any

from opmodel.reports.model import SpcSection
from opmodel.variation import COLOURS, NHS_COLOURS

__all__ = ["chart_png", "chart_svg", "print_spc_spec", "sparkline_svg", "svg_data_uri"]

_TYPES = ["common_cause", "special_cause_improvement", "special_cause_concern", "special_cause_neutral_high",
          "special_cause_neutral_low"]
_FONT = "DejaVu Sans"


def print_spc_spec(section: SpcSection, width: int = 560, height: int = 170) -> dict[str, Any]:
    """A Vega-Lite spec of the XmR chart: value line and points, mean, process limits, target."""
    values = [dict(r) for r in section.rows]
    x = {"field": "period", "type": "temporal", "title": None,
         "axis": {"format": "%b %y", "labelAngle": 0, "tickCount": 8, "grid": False}}
    y_title = {"percent": "%", "seconds": "seconds", "count": "count"}.get(section.unit, section.unit)
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "line", "color": COLOURS["limits"], "strokeDash": [5, 3], "strokeWidth": 1},
         "encoding": {"x": x, "y": {"field": "upper_limit", "type": "quantitative"}}},
        {"mark": {"type": "line", "color": COLOURS["limits"], "strokeDash": [5, 3], "strokeWidth": 1},
         "encoding": {"x": x, "y": {"field": "lower_limit", "type": "quantitative"}}},
        {"mark": {"type": "line", "color": COLOURS["mean"], "strokeWidth": 1},
         "encoding": {"x": x, "y": {"field": "mean", "type": "quantitative"}}},
        {"mark": {"type": "line", "color": NHS_COLOURS["mid_grey"], "strokeWidth": 1.5},
         "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "title": y_title,
                                    "scale": {"zero": False}}}},
        {"mark": {"type": "circle", "size": 36, "opacity": 1},
         "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"},
                      "color": {"field": "point_type", "type": "nominal", "legend": None,
                                "scale": {"domain": _TYPES, "range": [COLOURS[t] for t in _TYPES]}}}},
    ]
    if section.target is not None:
        layers.append({"data": {"values": [{"target": section.target}]},
                       "mark": {"type": "rule", "color": COLOURS["target"], "strokeDash": [2, 2], "strokeWidth": 1.5},
                       "encoding": {"y": {"field": "target", "type": "quantitative"}}})
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": width, "height": height,
            "data": {"values": values}, "layer": layers, "description": section.alt_text,
            "config": {"font": _FONT, "axis": {"labelFontSize": 9, "titleFontSize": 9, "labelColor": "#425563"},
                       "view": {"stroke": None}, "background": "white"}}


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    span = hi - lo or abs(hi) or 1.0
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def _tick_label(v: float, unit: str) -> str:
    if unit == "seconds":
        return f"{int(v) // 60}:{int(v) % 60:02d}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:g}" if float(v).is_integer() else f"{v:.1f}"


def chart_svg(section: SpcSection, width: int = 640, height: int = 200) -> str:
    """The XmR chart drawn directly as SVG (vector, ~10 kB), with <title> and <desc> for assistive technology.

    Drawn here rather than through Vega so one trust's pack renders well inside the 3-second target.
    """
    rows = section.rows
    left, right, top, bottom = 52, 12, 10, 26
    pw, ph = width - left - right, height - top - bottom
    ys = [float(v) for r in rows for k in ("value", "lower_limit", "upper_limit", "mean")
          if isinstance(v := r.get(k), int | float)]
    if section.target is not None:
        ys.append(section.target)
    lo, hi = min(ys), max(ys)
    pad = (hi - lo) * 0.06 or 1.0
    lo, hi = lo - pad, hi + pad
    n = len(rows)

    def px(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def py(v: float) -> float:
        return top + ph * (hi - v) / (hi - lo)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="{_FONT}" font-size="9">',
           f"<title>{html.escape(section.name)}</title><desc>{html.escape(section.alt_text)}</desc>",
           f'<rect width="{width}" height="{height}" fill="white"/>']
    for t in _nice_ticks(lo, hi):
        y = py(t)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e8edee"/>'
                   f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#425563">'
                   f"{_tick_label(t, section.unit)}</text>")
    every = max(1, math.ceil(n / 9))
    for i, r in enumerate(rows):
        if i % every == 0 or (i == n - 1 and (n - 1) % every >= every / 2):
            label = dt.date.fromisoformat(str(r["period"])).strftime("%b %y")
            out.append(f'<text x="{px(i):.1f}" y="{top + ph + 14}" text-anchor="middle" fill="#425563">{label}</text>')
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#768692"/>')

    def line(key: str, colour: str, dash: str = "", w: float = 1.0) -> None:
        segs: list[list[str]] = [[]]
        prev: object = None
        for i, r in enumerate(rows):
            mean = r.get("mean")
            if prev is not None and mean != prev and key != "value":
                segs.append([])
            prev = mean
            v = r.get(key)
            if isinstance(v, int | float):
                segs[-1].append(f"{px(i):.1f},{py(float(v)):.1f}")
        for seg in segs:
            if len(seg) > 1:
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{w}"'
                           + (f' stroke-dasharray="{dash}"' if dash else "") + f' points="{" ".join(seg)}"/>')

    line("upper_limit", COLOURS["limits"], "5 3")
    line("lower_limit", COLOURS["limits"], "5 3")
    line("mean", COLOURS["mean"])
    if section.target is not None:
        y = py(section.target)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="{COLOURS["target"]}" '
                   f'stroke-width="1.4" stroke-dasharray="3 2"/>')
    line("value", NHS_COLOURS["mid_grey"], w=1.5)
    for i, r in enumerate(rows):
        v = r.get("value")
        if isinstance(v, int | float):
            colour = COLOURS.get(str(r.get("point_type")), COLOURS["common_cause"])
            out.append(f'<circle cx="{px(i):.1f}" cy="{py(float(v)):.1f}" r="3.2" fill="{colour}"/>')
    out.append("</svg>")
    return "".join(out)


def chart_png(section: SpcSection, scale: float = 2.0) -> bytes:
    """The chart as PNG (for slides), rasterised by vl-convert from the same SVG."""
    import vl_convert as vlc

    png: bytes = vlc.svg_to_png(chart_svg(section, width=760, height=300), scale=scale)
    return png


def sparkline_svg(values: list[float], width: int = 90, height: int = 22, colour: str = "#005EB8") -> str:
    """A tiny trend line (no axes) for the KPI matrix; the last point is marked."""
    if len(values) < 2:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'viewBox="0 0 {width} {height}"></svg>')
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    step = (width - 4) / (len(values) - 1)
    pts = [(2 + i * step, height - 2 - (v - lo) / span * (height - 4)) for i, v in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    lx, ly = pts[-1]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} '
            f'{height}"><polyline fill="none" stroke="{colour}" stroke-width="1.3" points="{path}"/>'
            f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="2" fill="{colour}"/></svg>')


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
