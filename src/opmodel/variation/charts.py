"""Chart specifications (Vega-Lite, via Altair) and server-side rendering to SVG or PNG with vl-convert.

The ``*_spec`` functions return a plain Vega-Lite dict, so the web layer and the API can serve the
same chart the CLI renders (ecosystem notes §5: no browser, no network). Colours are the MDC point
colours (notes §1.3) and NHS identity colours for lines and bars; every chart carries a title, an
accessible description and a data-table alternative (:mod:`opmodel.variation.tables`).
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.variation.consistency import LEVELS
from opmodel.variation.funnel import FunnelResult
from opmodel.variation.icons import COLOURS
from opmodel.variation.spc_analysis import SpcResult
from opmodel.variation.tables import funnel_table, spc_table

__all__ = ["NHS_COLOURS", "consistency_chart_spec", "funnel_chart_spec", "render_chart", "spc_chart_spec",
           "warm_chart_builders"]

NHS_COLOURS = {"blue": "#005EB8", "dark_blue": "#003087", "light_blue": "#41B6E6", "aqua_green": "#00A499",
               "warm_yellow": "#FFB81C", "mid_grey": "#768692", "dark_grey": "#425563", "black": "#231f20"}

_POINT_TYPES = ["common_cause", "special_cause_improvement", "special_cause_concern",
                "special_cause_neutral_high", "special_cause_neutral_low"]
_ICON_COLOUR = {"common": COLOURS["common_cause"], "improvement": COLOURS["special_cause_improvement"],
                "concern": COLOURS["special_cause_concern"], "neither": COLOURS["special_cause_neutral_high"]}
_ASSURANCE = {"consistently_pass": ("P", COLOURS["special_cause_improvement"]),
              "consistently_fail": ("F", COLOURS["special_cause_concern"]),
              "hit_and_miss": ("?", COLOURS["common_cause"])}


_FUNNEL_LINES: list[Any] = ["lower_95", "upper_95", "lower_998", "upper_998"]


def _altair() -> Any:
    """Altair, or a clear error when the optional ``web`` extra (Altair + vl-convert) is missing."""
    try:
        import altair
    except ImportError:
        raise OpmodelError("charts need Altair and vl-convert: pip install 'opmodel[web]'") from None
    return altair


def _data(values: list[dict[str, Any]]) -> Any:
    return _altair().Data(values=values)


def _named(name: str) -> Any:
    """A data source filled in later from the spec's top-level ``datasets`` (see :func:`_filled`)."""
    return _altair().Data(name=name)


#: Placeholders the skeletons carry where each chart has its own text or list (see :func:`_filled`).
_Y_TITLE, _DOMAIN, _RANGE, _X_TITLE = "\x00y-title\x00", "\x00domain\x00", "\x00range\x00", "\x00x-title\x00"


def _substituted(node: Any, values: dict[str, Any]) -> Any:
    """``node`` with every placeholder string, or one-placeholder list, replaced by its value."""
    if isinstance(node, dict):
        return {k: _substituted(v, values) for k, v in node.items()}
    if isinstance(node, list):
        if len(node) == 1 and isinstance(node[0], str) and node[0] in values:
            return values[node[0]]
        return [_substituted(v, values) for v in node]
    if isinstance(node, str) and node in values:
        return values[node]
    return node


def _filled(skeleton: str, datasets: dict[str, list[dict[str, Any]]], title: dict[str, Any],
            description: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """A chart from its cached skeleton: the data, title, description and placeholders of this one chart.

    Building a spec with Altair costs 100-400 ms (its objects validate and deep-copy themselves); a page
    of SPC charts built that way took seconds (issue 25). The chart's *shape* depends on a setting or two,
    so Altair builds each shape once over named data sources and placeholder texts, and each chart is that
    JSON with its rows in the Vega-Lite top-level ``datasets`` (about a millisecond)."""
    spec: dict[str, Any] = _substituted(json.loads(skeleton), values or {})
    spec["datasets"] = datasets
    spec["title"] = title
    spec["description"] = description
    return spec


def _humanise(name: str | None) -> str:
    return "none" if name is None else name.replace("_", " ")


def _icon_rows(variation: str, assurance: str | None) -> list[dict[str, Any]]:
    """The badges' rows: variation (letter H/L or ~) and, with a target, assurance (P/F/?)."""
    kind = variation.split("_")[0]
    letter = "~" if variation == "common_cause" else ("H" if variation.endswith("high") else "L")
    rows = [{"slot": 0, "letter": letter, "colour": _ICON_COLOUR.get(kind, COLOURS["common_cause"]),
             "caption": _humanise(variation)}]
    if assurance is not None:
        a_letter, a_colour = _ASSURANCE[assurance]
        rows.append({"slot": 1, "letter": a_letter, "colour": a_colour, "caption": _humanise(assurance)})
    return rows


def _icon_panel() -> Any:
    """Two redrawn MDC-style badges drawn from the ``icons`` rows (:func:`_icon_rows`)."""
    alt = _altair()
    base = alt.Chart(_named("icons")).encode(y=alt.Y("slot:O", axis=None))
    circle = base.mark_circle(size=1400, opacity=1).encode(color=alt.Color("colour:N", scale=None))
    text = base.mark_text(fontSize=18, fontWeight="bold", color="white").encode(text="letter:N")
    caption = base.mark_text(fontSize=10, dy=30, color=NHS_COLOURS["dark_grey"]).encode(text="caption:N")
    return alt.layer(circle, text, caption).properties(width=110, height=200)


def spc_chart_spec(result: SpcResult, *, title: str | None = None, show_two_sigma: bool = True) -> dict[str, Any]:
    """Vega-Lite spec of an XmR chart with limits per segment, coloured points, target and icons."""
    rows = spc_table(result)
    for r, p in zip(rows, result.points, strict=True):
        r["segment"] = p.segment
    present = tuple(t for t in _POINT_TYPES if t == "common_cause" or any(p.point_type == t for p in result.points))
    who = result.org_name or result.org_code
    heading = title or f"{result.metric}: {who} ({result.org_code})"
    sub = [f"Variation: {_humanise(result.variation_icon)}. Assurance: {_humanise(result.assurance_icon)}. "
           f"Preset {result.rules.name}."]
    if any(lim.trial for lim in result.limits):
        sub.append("Trial limits: fewer than 12 points in the baseline.")
    datasets = {"spc": rows, "icons": _icon_rows(result.variation_icon, result.assurance_icon)}
    if result.target is not None:
        datasets["target"] = [{"target": result.target}]
    return _filled(_spc_skeleton(show_two_sigma, result.target is not None), datasets,
                   {"text": heading, "subtitle": sub, "anchor": "start"}, spc_description(result),
                   {_Y_TITLE: result.metric or "value", _DOMAIN: list(present), _RANGE: [COLOURS[t] for t in present]})


#: The chart shapes as JSON, built by Altair and shipped (``scripts/build_chart_skeletons.py``), so serving
#: a chart imports no Altair (0.4 s) and builds nothing (0.1-0.3 s a shape); a test checks they are current.
SKELETONS_FILE = Path(__file__).resolve().parent / "data" / "chart_skeletons.json"


@lru_cache(maxsize=1)
def _shipped() -> dict[str, str]:
    try:
        found: dict[str, Any] = json.loads(SKELETONS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # built on demand instead
    return {name: json.dumps(spec) for name, spec in found.items()}


def _spc_name(show_two_sigma: bool, has_target: bool) -> str:
    return f"spc{'-two-sigma' if show_two_sigma else ''}{'-target' if has_target else ''}"


@lru_cache(maxsize=8)
def _spc_skeleton(show_two_sigma: bool, has_target: bool) -> str:
    """The XmR chart's shape as JSON: shipped, or built by Altair when the shipped file lacks it."""
    return _shipped().get(_spc_name(show_two_sigma, has_target)) or build_spc_skeleton(show_two_sigma, has_target)


def build_spc_skeleton(show_two_sigma: bool, has_target: bool) -> str:
    """The XmR chart's shape as JSON, built by Altair: what varies between charts is a placeholder."""
    alt = _altair()
    x = alt.X("period:T", title="Period", axis=alt.Axis(format="%b %Y", labelAngle=-45))
    base = alt.Chart(_named("spc")).encode(x=x)
    fold: list[Any] = ["upper_limit", "lower_limit"] + (["upper_2sigma", "lower_2sigma"] if show_two_sigma else [])
    limits = base.transform_fold(fold, as_=["line", "level"]).mark_line(strokeDash=[6, 4]).encode(
        y=alt.Y("level:Q"), detail=["line:N", "segment:O"],
        color=alt.value(COLOURS["limits"]),
        opacity=alt.condition(alt.FieldOneOfPredicate(field="line", oneOf=["upper_2sigma", "lower_2sigma"]),
                              alt.value(0.45), alt.value(1.0)))
    mean = base.mark_line(color=COLOURS["mean"]).encode(y="mean:Q", detail="segment:O")
    line = base.mark_line(color=NHS_COLOURS["mid_grey"]).encode(y=alt.Y("value:Q", title=_Y_TITLE,
                                                                         scale=alt.Scale(zero=False)))
    points = base.mark_circle(size=70, opacity=1).encode(
        y="value:Q",
        color=alt.Color("point_type:N", title="Point", scale=alt.Scale(domain=[_DOMAIN], range=[_RANGE]),
                        legend=alt.Legend(labelExpr="replace(replace(datum.label, 'special_cause_', ''), '_', ' ')")),
        tooltip=["period:T", "value:Q", "mean:Q", "lower_limit:Q", "upper_limit:Q", "rule:N", "point_type:N"])
    layers = [limits, mean, line, points]
    if has_target:
        layers.append(alt.Chart(_named("target")).mark_rule(
            color=COLOURS["target"], strokeDash=[2, 2]).encode(y="target:Q"))
    main = alt.layer(*layers).properties(width=620, height=300)
    chart = alt.hconcat(main, _icon_panel()).properties(title=alt.Title("", anchor="start"), description="")
    return json.dumps(chart.to_dict())


def spc_description(result: SpcResult) -> str:
    """Plain-language summary of an SPC chart for screen readers."""
    n_special = sum(1 for p in result.points if p.special_cause)
    lims = result.limits[-1]
    text = (f"Statistical process control chart of {result.metric} for {result.org_code}, "
            f"{len(result.points)} points from {result.points[0].period_start.isoformat()} to "
            f"{result.points[-1].period_start.isoformat()}. Mean {lims.mean:.4g}, process limits "
            f"{lims.lower:.4g} to {lims.upper:.4g}. {n_special} point(s) show special cause. "
            f"Variation icon: {_humanise(result.variation_icon)}.")
    if result.assurance_icon is not None:
        text += f" Assurance against target {result.target:g}: {_humanise(result.assurance_icon)}."
    return text


#: At most this many outside-limit points are labelled (the most extreme by z), so labels stay legible.
MAX_FUNNEL_LABELS = 12


def funnel_chart_spec(result: FunnelResult, *, metric: str, period: str, direction: str | None = None,
                      title: str | None = None, name: str | None = None, x_title: str | None = None,
                      highlight: str | None = None) -> dict[str, Any]:
    """Vega-Lite spec of a funnel plot: 95% and 99.8% limits, the centre line named for what it is
    (pooled value or a standard), and the most extreme outside-limit points labelled."""
    label = name or metric
    improvement = {"higher": "high", "lower": "low"}.get(direction or "")
    rows = funnel_table(result)
    for r in rows:
        flag = r["outlier"]
        r["status"] = ("within limits" if flag is None else "better than expected" if flag == improvement
                       else "worse than expected" if improvement else f"outlier {flag}")
    extreme = sorted((p for p in result.points if p.outlier), key=lambda p: -abs(p.z))[:MAX_FUNNEL_LABELS]
    labelled = {p.unit.code for p in extreme} | ({highlight} if highlight else set())
    for r in rows:
        r["label"] = r["org_code"] if r["org_code"] in labelled else ""
    n_out = sum(1 for p in result.points if p.outlier)
    centre_text = result.centre_label[0].upper() + result.centre_label[1:]
    sub = [f"{len(result.points)} organisations, {n_out} outside the 99.8% limits. Centre line: {centre_text}.",
           result.limits_note]
    if result.peers:
        sub.append(f"Compared: {result.peers}.")
    if n_out > len(extreme):
        sub.append(f"The {len(extreme)} furthest outside are labelled; the data table lists every organisation.")
    desc = (f"Funnel plot of {label} for {period}: each organisation's value against its denominator, with "
            f"95% and 99.8% control limits around the {result.centre_label}. " + " ".join(sub)
            + (" " + result.limits_reason if result.limits_reason else ""))
    datasets = {"curve": result.curve, "centre": [{"centre": result.target * result.scale}], "points": rows}
    return _filled(_funnel_skeleton(), datasets,
                   {"text": title or f"{label}: funnel plot, {period}", "subtitle": sub, "anchor": "start"}, desc,
                   {_X_TITLE: x_title or "Denominator (size)", _Y_TITLE: label})


@lru_cache(maxsize=1)
def _funnel_skeleton() -> str:
    """The funnel plot's shape as JSON: shipped, or built by Altair when the shipped file lacks it."""
    return _shipped().get("funnel") or build_funnel_skeleton()


def build_funnel_skeleton() -> str:
    """The funnel plot's shape as JSON, built by Altair."""
    alt = _altair()
    status_domain = ["within limits", "better than expected", "worse than expected", "outlier high", "outlier low"]
    status_range = [COLOURS["common_cause"], COLOURS["special_cause_improvement"], COLOURS["special_cause_concern"],
                    COLOURS["special_cause_neutral_high"], COLOURS["special_cause_neutral_low"]]
    x = alt.X("denominator:Q", title=_X_TITLE, scale=alt.Scale(type="log"))
    curve = alt.Chart(_named("curve")).transform_fold(
        _FUNNEL_LINES, as_=["line", "limit"]).mark_line().encode(
        x=x, y=alt.Y("limit:Q", title=_Y_TITLE, scale=alt.Scale(zero=False)), detail="line:N",
        color=alt.value(NHS_COLOURS["dark_blue"]),
        strokeDash=alt.condition(alt.FieldOneOfPredicate(field="line", oneOf=["lower_95", "upper_95"]),
                                 alt.value([6, 4]), alt.value([1, 0])))
    centre = alt.Chart(_named("centre")).mark_rule(color=COLOURS["mean"]).encode(y="centre:Q")
    pts = alt.Chart(_named("points"))
    points = pts.mark_circle(size=60, opacity=0.9).encode(
        x=x, y="value:Q",
        color=alt.Color("status:N", title="Point", scale=alt.Scale(domain=status_domain, range=status_range)),
        tooltip=["org_code:N", "org_name:N", "numerator:Q", "denominator:Q", "value:Q", "outlier:N"])
    labels = pts.transform_filter("datum.label != ''").mark_text(dx=6, align="left", fontSize=9).encode(
        x=x, y="value:Q", text="label:N")
    chart = alt.layer(curve, centre, points, labels).properties(
        width=620, height=360, title=alt.Title("", anchor="start"), description="")
    return json.dumps(chart.to_dict())


def consistency_chart_spec(report: dict[str, Any], *, title: str | None = None) -> dict[str, Any]:
    """Vega-Lite spec: share of variation by level per period (stacked) above the IQR at each level."""
    alt = _altair()

    rows = [{"period": p["period"], "level": lvl, "rank": rank, "share": p["decomposition"][lvl]["share"],
             "iqr": p["spread"][lvl]["iqr"]} for p in report["periods"] for rank, lvl in enumerate(LEVELS)]
    labels = {"region": "between regions", "icb": "between ICBs in a region", "trust": "between trusts in an ICB"}
    for r in rows:
        r["where"] = labels[r["level"]]
    colour = alt.Color("where:N", title="Variation", sort=[labels[lv] for lv in LEVELS],
                       scale=alt.Scale(domain=[labels[lv] for lv in LEVELS],
                                       range=[NHS_COLOURS["dark_blue"], NHS_COLOURS["blue"],
                                              NHS_COLOURS["light_blue"]]))
    base = alt.Chart(_data(rows)).encode(x=alt.X("period:O", title="Period",
                                                           timeUnit="yearmonth", axis=alt.Axis(labelAngle=-45)))
    shares = base.mark_bar().encode(y=alt.Y("share:Q", stack="zero", title="Share of variation",
                                            axis=alt.Axis(format="%")), color=colour,
                                    order=alt.Order("rank:Q"),
                                    tooltip=["period:N", "where:N", alt.Tooltip("share:Q", format=".1%")])
    iqr = base.mark_line(point=True).encode(y=alt.Y("iqr:Q", title="IQR of regions, ICBs, trusts"), color=colour,
                                            tooltip=["period:N", "where:N", "iqr:Q"])
    trend = report["trend"]
    desc = (f"Consistency of {report['metric']} from {report['from']} to {report['to']}: for each period, the share "
            "of variation between regions, between ICBs within regions and between trusts within ICBs (weighted "
            f"by denominators), and the interquartile range at each level. Reading: {trend.get('reading')}.")
    chart = alt.vconcat(shares.properties(width=620, height=220), iqr.properties(width=620, height=160)).properties(
        title=alt.Title(title or f"{report['metric']}: where the variation lies",
                        subtitle=[f"Trust-level spread is {trend.get('reading')}."], anchor="start"),
        description=desc)
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _accessible_svg(svg: str, spec: dict[str, Any]) -> str:
    """Add <title> and <desc> as the first children of the root <svg>, for screen readers."""
    title = spec.get("title", {})
    text = title.get("text") if isinstance(title, dict) else str(title or "")
    desc = str(spec.get("description", ""))
    extra = f"<title>{html.escape(str(text or ''))}</title><desc>{html.escape(desc)}</desc>"
    svg = re.sub(r"<svg\b", '<svg role="img"', svg, count=1) if "role=" not in svg.split(">", 1)[0] else svg
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + extra, svg, count=1)


def render_chart(spec: dict[str, Any], path: Path) -> Path:
    """Write ``spec`` as SVG or PNG (by the file's suffix) without a browser; returns the path."""
    try:
        import vl_convert as vlc  # drawing needs vl-convert only, not Altair (0.4 s to import)
    except ImportError:
        raise OpmodelError("charts need Altair and vl-convert: pip install 'opmodel[web]'") from None

    suffix = path.suffix.lower()
    if suffix == ".png":
        path.write_bytes(vlc.vegalite_to_png(spec, scale=2))
    elif suffix == ".svg":
        path.write_text(_accessible_svg(vlc.vegalite_to_svg(spec), spec), encoding="utf-8")
    else:
        raise OpmodelError(f"chart file must end in .svg or .png, got {path.name!r}")
    return path


def built_skeletons() -> dict[str, Any]:
    """Every chart shape as Altair builds it now: what ``scripts/build_chart_skeletons.py`` ships."""
    shapes = {_spc_name(two, target): build_spc_skeleton(two, target) for two in (True, False)
              for target in (True, False)}
    shapes["funnel"] = build_funnel_skeleton()
    return {name: json.loads(text) for name, text in sorted(shapes.items())}


def warm_chart_builders() -> None:
    """Read every chart skeleton and start the renderer, so a server's first chart pays for neither
    (vl-convert's engine takes about 0.7 s to start, holding the GIL; issue 25)."""
    import vl_convert as vlc

    for two_sigma in (True, False):
        for target in (True, False):
            _spc_skeleton(two_sigma, target)
    _funnel_skeleton()
    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x",
                                                                                          "type": "quantitative"}}})
