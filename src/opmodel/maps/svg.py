"""Hand-written SVG for a choropleth: one ``<path>`` per area with a ``<title>``, a legend, the attribution.

Written directly rather than through Vega-Lite so each area carries its own ``<title>`` (name, ODS
code, value) for screen readers and hover, shapes share one path string per process, and a map
renders in about a millisecond (docs/decisions.md, issue 26). No script: the SVG works inline in a
page, as an image in a PDF, and converted to PNG.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from opmodel.maps.geometry import ATTRIBUTION, Shape
from opmodel.maps.scales import ColourScale

__all__ = ["ATTRIBUTION", "Legend", "MapArea", "TickFormat", "render_svg"]

FONT = "Arial, Helvetica, sans-serif"
TEXT = "#212b32"  # NHS.UK text colour
NO_DATA = "#768692"  # NHS mid grey, for the hatching
CONTEXT = "#e8edee"  # NHS pale grey: areas outside the map's subject


@dataclass(frozen=True)
class MapArea:
    """One shape to draw: ``colour`` None means no data (hatched); ``context`` areas are grey and silent."""

    shape: Shape
    label: str
    colour: str | None
    context: bool = False
    focus: bool = False


class TickFormat:
    """Legend labels with as many decimals as the class steps need (2.5 needs one), and at least
    ``decimals`` (a diverging scale's breaks sit at England's value plus steps, so they need the
    values' own precision)."""

    def __init__(self, steps: list[float], decimals: int = 0) -> None:
        need = 0
        for step in steps:
            while need < 3 and abs(round(step, need) - step) > 1e-9:
                need += 1
        self.decimals = max(need, decimals)

    def __call__(self, value: float) -> str:
        return f"{value:,.{self.decimals}f}"


@dataclass(frozen=True)
class Legend:
    title: str
    scale: ColourScale | None
    england: float | None
    england_text: str
    tick: TickFormat


def wrap(text: str, width: float, size: float) -> list[str]:
    """Split ``text`` into lines that fit ``width`` pixels at ``size`` (allowing 0.56 em a character, a
    little over Arial's average, since PDF and PNG renderers may substitute a wider sans-serif)."""
    most = max(12, int(width / (0.56 * size)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _bbox(shapes: list[Shape]) -> tuple[int, int, int, int]:
    boxes = [s.bbox for s in shapes]
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _text(x: float, y: float, body: str, size: float = 12, anchor: str = "start", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{TEXT}">{escape(body)}</text>')


def _legend(lg: Legend, x: float, y: float, pid: str, room: float) -> tuple[str, float]:
    """The legend's SVG at (x, y), at most ``room`` wide, and where it ends. Hidden from screen
    readers: the data table and the description say the same."""
    out = [f'<g aria-hidden="true" font-family="{FONT}">']
    for line in wrap(lg.title, room, 12):
        out.append(_text(x, y + 11, line, 12, weight="bold"))
        y += 15
    y += 3
    box_h = 12.0
    if lg.scale is not None:
        sc = lg.scale
        n = len(sc.colours)
        box_w = min(34.0, (room - 16) / n)
        top = y + 14
        ex = x + sc.position(lg.england) * n * box_w if lg.england is not None else 0.0
        if lg.england is not None:
            anchor = "start" if ex - x < 40 else "end" if x + n * box_w - ex < 40 else "middle"
            out.append(_text(ex, y + 9, lg.england_text, 10.5, anchor))
            out.append(f'<path d="M{ex - 4:.1f} {top - 5:.1f}h8l-4 5z" fill="{TEXT}"/>')
        for i, colour in enumerate(sc.colours):
            out.append(f'<rect x="{x + i * box_w:.1f}" y="{top:.1f}" width="{box_w:.1f}" height="{box_h}" '
                       f'fill="{colour}" stroke="#fff" stroke-width="0.5"/>')
        if lg.england is not None:
            out.append(f'<path d="M{ex:.1f} {top - 1:.1f}v{box_h + 2}" stroke="{TEXT}" stroke-width="1.5"/>')
        for i, b in enumerate(sc.breaks, 1):
            out.append(_text(x + i * box_w, top + box_h + 11, lg.tick(b), 10, "middle"))
        out.append(_text(x, top + box_h + 24, "◀ " + sc.low_label, 10))
        out.append(_text(x + n * box_w, top + box_h + 24, sc.high_label + " ▶", 10, "end"))
        y = top + box_h + 32
    out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_h}" height="{box_h}" fill="url(#{pid}-nd)" '
               f'stroke="{NO_DATA}" stroke-width="0.5"/>')
    out.append(_text(x + box_h + 5, y + 10, "No data", 10.5))
    out.append("</g>")
    return "".join(out), y + box_h + 4


def _hatch(pid: str, size: float) -> str:
    return (f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="{size:.2f}" height="{size:.2f}" '
            f'patternTransform="rotate(45)"><rect width="{size:.2f}" height="{size:.2f}" fill="#fff"/>'
            f'<path d="M0 0v{size:.2f}" stroke="{NO_DATA}" stroke-width="{size / 3:.2f}"/></pattern>')


def render_svg(areas: list[MapArea], legend: Legend, *, title: str, description: str, source: str,
               pid: str, width: int = 600, show_title: bool = False, england_view: bool = False,
               inset: list[str] | None = None, inset_label: str = "London") -> str:
    """The map as a standalone SVG document (also valid inline in HTML).

    ``england_view`` places the legend in the Irish Sea and an enlarged ``inset`` (codes of small
    areas, e.g. London's ICBs) in the North Sea; other views put the legend under the map. Each
    shaded area is a ``<path role="img">`` whose ``<title>`` names it, its ODS code and value.
    """
    subjects = [a for a in areas if not a.context]
    bx0, by0, bx1, by1 = _bbox([a.shape for a in (areas if england_view else subjects or areas)])
    pad = 0.03 * max(bx1 - bx0, by1 - by0)
    x0, y0, x1, y1 = bx0 - pad, by0 - pad, bx1 + pad, by1 + pad
    title_lines = wrap(title, width, 15) if show_title else []
    source_lines = wrap(source, width, 11) if show_title else []
    head = (8.0 + 19.0 * len(title_lines) + 14.0 * len(source_lines)) if show_title else 0.0
    map_w = float(width)
    s = map_w / (x1 - x0)
    map_h = (y1 - y0) * s
    if map_h > 1.25 * width:  # tall views (a long region) are narrowed rather than made huge
        s = 1.25 * width / (y1 - y0)
        map_h, map_w = 1.25 * width, (x1 - x0) * s
    legend_inside = england_view and width >= 480
    foot_lines = ([] if show_title else wrap(source, width, 10)) + wrap(ATTRIBUTION, width, 10)
    foot = 10.0 + 13.0 * len(foot_lines)
    ox = (width - map_w) / 2 - x0 * s
    oy = head - y0 * s
    if legend_inside:
        legend_svg, _ = _legend(legend, 8, head + 0.24 * map_h, pid, 0.36 * width)
        legend_end = head + map_h
    else:
        legend_svg, legend_end = _legend(legend, 8, head + map_h + 8, pid, width - 16)
    height = legend_end + foot
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="{width}" '
           f'height="{height:.0f}" role="group" aria-labelledby="{pid}-t {pid}-d" font-family="{FONT}" '
           f'class="app-map">',
           f'<title id="{pid}-t">{escape(title)}</title><desc id="{pid}-d">{escape(description)}</desc>',
           f'<defs>{_hatch(pid + "-nd", 6)}{_hatch(pid + "-ndm", 6 / s)}<clipPath id="{pid}-clip">'
           f'<rect x="0" y="{head:.1f}" width="{width}" height="{map_h:.1f}"/></clipPath></defs>',
           f'<rect width="{width}" height="{height:.0f}" fill="#fff"/>']
    for i, line in enumerate(title_lines):
        out.append(_text(0, 18 + 19 * i, line, 15, weight="bold"))
    for i, line in enumerate(source_lines):
        out.append(_text(0, 14 + 19 * len(title_lines) + 14 * i, line, 11))
    stroke = 0.6 / s
    out.append(f'<g clip-path="url(#{pid}-clip)"><g transform="translate({ox:.2f} {oy:.2f}) scale({s:.6f})" '
               f'stroke="#fff" stroke-width="{stroke:.2f}" stroke-linejoin="round">')
    nd = f"url(#{pid}-ndm)"
    for a in sorted(areas, key=lambda a: (not a.context, a.focus)):
        if a.context:
            out.append(f'<path d="{a.shape.path}" fill="{CONTEXT}" aria-hidden="true"/>')
        else:
            out.append(f'<path id="{pid}-{escape(a.shape.code)}" d="{a.shape.path}" fill="{a.colour or nd}" '
                       f'role="img"><title>{escape(a.label)}</title></path>')
    for a in areas:
        if a.focus:
            out.append(f'<path d="{a.shape.path}" fill="none" stroke="{TEXT}" stroke-width="{3 * stroke:.2f}" '
                       'aria-hidden="true"/>')
    out.append("</g></g>")
    if england_view and inset:
        out.append(_inset(areas, inset, inset_label, pid, (ox, oy, s), width, head))
    out.append(legend_svg)
    y = height - foot + 14
    out.append(f'<g font-family="{FONT}">')
    for i, line in enumerate(foot_lines):
        out.append(_text(0, y + 13 * i, line, 10))
    out.append("</g></svg>")
    return "".join(out)


def _inset(areas: list[MapArea], codes: list[str], label: str, pid: str, at: tuple[float, float, float],
           width: int, top: float) -> str:
    """Small areas enlarged in a box at the top right, drawn again with ``<use>`` (hidden from screen
    readers: the same areas are in the map once already), and the box's place marked on the map."""
    chosen = [a for a in areas if a.shape.code in codes and not a.context]
    if not chosen:
        return ""
    ox, oy, s = at
    x0, y0, x1, y1 = _bbox([a.shape for a in chosen])
    box_w, box_h = 0.27 * width, 0.22 * width
    k = min((box_w - 12) / (x1 - x0), (box_h - 24) / (y1 - y0))
    bx, by = width - box_w - 2, top + 2.0
    tx = bx + (box_w - (x1 - x0) * k) / 2 - x0 * k
    ty = by + 18 + (box_h - 20 - (y1 - y0) * k) / 2 - y0 * k
    mark = (f'<rect x="{ox + x0 * s - 2:.1f}" y="{oy + y0 * s - 2:.1f}" width="{(x1 - x0) * s + 4:.1f}" '
            f'height="{(y1 - y0) * s + 4:.1f}" fill="none" stroke="{TEXT}" stroke-width="0.8"/>')
    uses = "".join(f'<use href="#{pid}-{escape(a.shape.code)}"/>' for a in chosen)
    return (f'<g aria-hidden="true">{mark}<rect x="{bx:.1f}" y="{by:.1f}" width="{box_w:.1f}" height="{box_h:.1f}" '
            f'fill="#fff" stroke="{TEXT}" stroke-width="0.8"/>{_text(bx + 6, by + 14, label, 11, weight="bold")}'
            f'<g transform="translate({tx:.2f} {ty:.2f}) scale({k:.6f})" stroke="#fff" '
            f'stroke-width="{0.6 / k:.2f}">{uses}</g></g>')

