"""Diagrams of the operating model as self-contained SVG: one chain, and two models side by side.

Tiers are boxes, top tier first; oversight, escalation, commissioning, delegation and support are
labelled arrows, so the chain `who` prints can be read at a glance (issue 13). Plain SVG text is
built here (no plotting library): the output is small, deterministic and safe to inline in a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from opmodel.accountability.engine import WhoResult
from opmodel.accountability.schema import LineKind, OperatingModel, Role

__all__ = ["Arrow", "Box", "chain_svg", "models_svg"]

_W, _H, _GAP, _PAD, _LANE = 440, 54, 46, 20, 30
_ORDER = {"national": 0, "region": 1, "icb": 2, "provider": 3}
_COLOURS = {"oversees": "#005eb8", "escalation": "#7c2855", "commissions": "#007f3b", "delegates": "#ed8b00",
            "supports": "#768692"}
_LABELS = {LineKind.FIRST_LINE: "oversees", LineKind.ESCALATION: "escalation", LineKind.CONTRACT: "commissions"}


@dataclass(frozen=True)
class Box:
    key: str
    title: str
    subtitle: str


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    kind: str  # oversees, escalation, commissions, delegates, supports
    label: str


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _column(boxes: list[Box], arrows: list[Arrow], x0: float, heading: str) -> tuple[list[str], float]:
    out: list[str] = [f'<text x="{x0}" y="{_PAD + 12}" font-weight="bold" font-size="14">{escape(heading)}</text>']
    ys = {b.key: _PAD + 28 + i * (_H + _GAP) for i, b in enumerate(boxes)}
    for b in boxes:
        y = ys[b.key]
        out.append(f'<rect x="{x0}" y="{y}" width="{_W}" height="{_H}" rx="4" fill="#f0f4f5" stroke="#425563"/>')
        out.append(f'<text x="{x0 + 10}" y="{y + 21}" font-size="13" font-weight="bold">{escape(_cut(b.title, 56))}'
                   '</text>')
        out.append(f'<text x="{x0 + 10}" y="{y + 40}" font-size="12">{escape(_cut(b.subtitle, 70))}</text>')
    lanes: dict[str, int] = {}
    for a in arrows:
        if a.source not in ys or a.target not in ys or a.source == a.target:
            continue
        lane = lanes.setdefault(f"{a.source}>{a.target}>{a.kind}", len(lanes))
        y1, y2 = ys[a.source] + _H / 2 + 6 - (lane % 3) * 6, ys[a.target] + _H / 2 + 6 - (lane % 3) * 6
        bend = x0 + _W + 18 + lane * _LANE
        colour = _COLOURS.get(a.kind, "#425563")
        out.append(f'<path d="M{x0 + _W},{y1} C{bend},{y1} {bend},{y2} {x0 + _W},{y2}" fill="none" '
                   f'stroke="{colour}" stroke-width="2" marker-end="url(#arrow-{a.kind})"/>')
        out.append(f'<text x="{bend - 12}" y="{(y1 + y2) / 2 + 4}" font-size="11" fill="{colour}" '
                   f'transform="rotate(90 {bend - 12} {(y1 + y2) / 2 + 4})" text-anchor="middle">'
                   f'{escape(a.label)}</text>')
    height = _PAD + 28 + len(boxes) * (_H + _GAP)
    return out, height


def _svg(columns: list[tuple[str, list[Box], list[Arrow]]], title: str) -> str:
    width_one = max(640, _W + 40 + _LANE * max((len(a) for _, _, a in columns), default=1))
    parts: list[str] = []
    height = 0.0
    for i, (heading, boxes, arrows) in enumerate(columns):
        items, h = _column(boxes, arrows, _PAD + i * width_one, heading)
        parts.extend(items)
        height = max(height, h)
    markers = "".join(
        f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>' for k, c in _COLOURS.items())
    width = _PAD * 2 + width_one * len(columns)
    legend_y = height + 6
    legend = "".join(f'<text x="{_PAD + i * 120}" y="{legend_y}" font-size="11" fill="{c}">&#9632; {k}</text>'
                     for i, (k, c) in enumerate(_COLOURS.items()))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width:.0f}" height="{legend_y + 14:.0f}" '
            f'viewBox="0 0 {width:.0f} {legend_y + 14:.0f}" font-family="Arial, sans-serif">'
            f'<title>{escape(title)}</title><defs>{markers}</defs>{"".join(parts)}{legend}</svg>')


def chain_svg(result: WhoResult, function: str | None = None) -> str:
    """The accountability chain of one organisation for one function (the first one answered by default)."""
    f = next((x for x in result.functions if function is None or x.function == function), None)
    if f is None:
        raise ValueError(f"function {function!r} is not in this answer")
    links = sorted(f.chain, key=lambda c: _ORDER.get(c.tier, 9))
    boxes = [Box(c.tier, f"{c.name} ({c.code})", f"{c.tier}: {c.role}" + (f", {c.capacity}" if c.capacity else ""))
             for c in links]
    arrows: list[Arrow] = []
    for ln in f.lines:
        kind = _LABELS[LineKind(ln.line)]
        arrows.append(Arrow(ln.tier, result.tier, kind, kind))
    for d in f.delegations:
        if d.in_effect:
            arrows.append(Arrow(d.delegator_tier, d.delegate_tier, "delegates", "delegates"))
    for c in f.chain:
        if c.role == Role.SUPPORTS.value and c.tier != result.tier:
            arrows.append(Arrow(c.tier, result.tier, "supports", "supports"))
    status = "" if result.model_status == "in_force" else f" ({result.model_status})"
    heading = f"{f.name}: {result.org} on {result.date.isoformat()}, {result.model}{status}"
    return _svg([(heading, boxes, arrows)], heading)


def _model_column(model: OperatingModel, function: str) -> tuple[str, list[Box], list[Arrow]]:
    tiers = sorted(model.tiers, key=lambda t: _ORDER.get(t, 9))
    boxes = []
    for t in tiers:
        entry = model.role(function, t)
        if entry is None:
            role = "no role stated"
        else:
            role = entry.role.value + (f", {entry.capacity}" if entry.capacity else "")
        boxes.append(Box(t, model.tiers[t].name, role))
    arrows = [Arrow(ln.overseer, ln.subject, _LABELS[ln.line], _LABELS[ln.line])
              for ln in model.oversight.values() if function in model.functions and ln.covers(function)]
    arrows += [Arrow(d.delegator, d.delegate, "delegates", "delegates")
               for d in model.delegations.values() if d.function == function]
    status = "" if model.status.value == "in_force" else f" ({model.status.value})"
    return f"{model.name}{status}", boxes, arrows


def models_svg(a: OperatingModel, b: OperatingModel, function: str) -> str:
    """Two models side by side for one function: tiers, their roles and the lines between them."""
    return _svg([_model_column(a, function), _model_column(b, function)],
                f"{function}: {a.name} beside {b.name}")
