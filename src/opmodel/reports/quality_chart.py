"""The SHMI funnel for print: expected deaths (log scale) against SHMI with NHS Digital's limits, as SVG.

Drawn directly as vector SVG (like the SPC charts, :mod:`opmodel.reports.charts`) so a pack renders
quickly: limits from the same funnel the quality area computes (``ShmiBanding.funnel``), the pack's
trusts drawn in NHS blue and labelled, the others grey, outliers beyond the 95% limits marked.
"""

from __future__ import annotations

import html
import math
from typing import Any

from opmodel.variation import COLOURS, NHS_COLOURS

__all__ = ["shmi_funnel_svg"]

_FONT = "DejaVu Sans"


def shmi_funnel_svg(points: list[dict[str, Any]], curve: list[dict[str, float]], highlight: set[str], *,
                    title: str, desc: str, width: int = 640, height: int = 240) -> str:
    """Points have org_code, expected, shmi, band; the curve has denominator and the four limits."""
    left, right, top, bottom = 46, 14, 10, 28
    pw, ph = width - left - right, height - top - bottom
    xs = [float(p["expected"]) for p in points] + [float(c["denominator"]) for c in curve]
    ys = [float(p["shmi"]) for p in points] + [float(c[k]) for c in curve for k in ("lower_998", "upper_998")]
    x_lo, x_hi = math.log10(min(xs)), math.log10(max(xs))
    y_lo, y_hi = min(ys) - 0.02, max(ys) + 0.02

    def px(v: float) -> float:
        return left + pw * (math.log10(v) - x_lo) / ((x_hi - x_lo) or 1.0)

    def py(v: float) -> float:
        return top + ph * (y_hi - v) / ((y_hi - y_lo) or 1.0)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="{_FONT}" font-size="9">',
           f"<title>{html.escape(title)}</title><desc>{html.escape(desc)}</desc>",
           f'<rect width="{width}" height="{height}" fill="white"/>']
    tick = math.floor(y_lo * 10) / 10
    while tick <= y_hi:
        if tick >= y_lo:
            y = py(tick)
            out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e8edee"/>'
                       f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#425563">{tick:.1f}</text>')
        tick = round(tick + 0.1, 10)
    for v in (250, 500, 1000, 2000, 5000, 10000):
        if 10**x_lo <= v <= 10**x_hi:
            x = px(v)
            out.append(f'<text x="{x:.1f}" y="{top + ph + 13}" text-anchor="middle" fill="#425563">{v:,}</text>')
    out.append(f'<text x="{left + pw / 2:.1f}" y="{height - 3}" text-anchor="middle" fill="#425563">'
               "Expected deaths (log scale)</text>")
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#768692"/>')
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(1.0):.1f}" y2="{py(1.0):.1f}" stroke="{COLOURS["mean"]}"/>')
    for key, dash in (("lower_95", "5 3"), ("upper_95", "5 3"), ("lower_998", ""), ("upper_998", "")):
        pts = " ".join(f"{px(float(c['denominator'])):.1f},{py(float(c[key])):.1f}" for c in curve)
        out.append(f'<polyline fill="none" stroke="{NHS_COLOURS["dark_blue"]}" stroke-width="1"'
                   + (f' stroke-dasharray="{dash}"' if dash else "") + f' points="{pts}"/>')
    band_colour = {"Higher than expected": COLOURS["special_cause_concern"],
                   "Lower than expected": COLOURS["special_cause_improvement"]}
    for p in sorted(points, key=lambda p: p["org_code"] in highlight):
        x, y = px(float(p["expected"])), py(float(p["shmi"]))
        mine = p["org_code"] in highlight
        colour = NHS_COLOURS["blue"] if mine else band_colour.get(str(p["band"]), "#c8cdd0")
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4 if mine else 2.6}" fill="{colour}"'
                   + (' stroke="#231f20" stroke-width="0.8"' if mine else "") + "/>")
        if mine:
            out.append(f'<text x="{x + 6:.1f}" y="{y + 3:.1f}" fill="#231f20" font-weight="bold">'
                       f"{html.escape(str(p['org_code']))}</text>")
    out.append("</svg>")
    return "".join(out)
