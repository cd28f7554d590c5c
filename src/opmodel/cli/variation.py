"""``opmodel spc``, ``opmodel funnel`` and ``opmodel consistency``: variation over time and between organisations."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from opmodel import csvsafe
from opmodel.cli.common import handle_errors, open_cli_store, parse_date
from opmodel.cli.output import Format, console, emit_json, emit_rows, err_console, to_jsonable

__all__ = ["consistency", "funnel", "register", "spc"]


class Preset(StrEnum):
    mdc = "mdc"
    nhsrplotthedots = "nhsrplotthedots"


class Level(StrEnum):
    trust = "trust"
    icb = "icb"
    region = "region"


class PeersOpt(StrEnum):
    default = "default"
    all = "all"


PeersOption = Annotated[PeersOpt, typer.Option("--peers", help="default: like with like where a metric has a "
                                               "default (A&E: acute trusts' type 1 departments); all: every "
                                               "provider.")]


class Direction(StrEnum):
    higher = "higher"
    lower_ = "lower"  # ``lower`` would shadow str.lower
    neutral = "neutral"


FromOpt = Annotated[str | None, typer.Option("--from", help="First period (YYYY-MM or YYYY-MM-DD).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last period (YYYY-MM or YYYY-MM-DD).")]
FmtOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
SvgOpt = Annotated[Path | None, typer.Option("--svg", help="Write the chart as SVG (a data table goes beside it).")]
PngOpt = Annotated[Path | None, typer.Option("--png", help="Write the chart as PNG.")]


def _opt_date(value: str | None, name: str) -> dt.date | None:
    return None if value is None else parse_date(value, name)


def _rounded(rows: list[dict[str, Any]], digits: int = 2) -> list[dict[str, Any]]:
    """Numbers rounded for the terminal table (CSV and JSON keep full precision)."""
    return [{k: round(v, digits) if isinstance(v, float) else v for k, v in r.items()} for r in rows]


def _write_table(rows: list[dict[str, Any]], chart: Path) -> Path:
    path = chart.with_name(chart.stem + "-table.csv")
    cols = list(rows[0]) if rows else []
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csvsafe.dict_writer(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: to_jsonable(v) for k, v in r.items()})
    return path


def _write_charts(spec: dict[str, Any], table: list[dict[str, Any]], svg: Path | None, png: Path | None) -> None:
    from opmodel.variation import render_chart

    for path in (svg, png):
        if path is not None:
            render_chart(spec, path)
            err_console.print(f"wrote {path}")
    first = svg or png
    if first is not None:
        err_console.print(f"wrote {_write_table(table, first)} (data table)")


def spc(
    metric: Annotated[str, typer.Argument(help="Metric id, e.g. ae_4hr.")],
    org: Annotated[str, typer.Option("--org", help="Trust, ICB or region code (X24 for England).")],
    start: FromOpt = None, end: ToOpt = None,
    preset: Annotated[Preset, typer.Option("--preset", help="Rule set.")] = Preset.mdc,
    target: Annotated[float | None, typer.Option("--target", help="Target, for the assurance icon.")] = None,
    rebase: Annotated[list[str] | None, typer.Option("--rebase", help="Start new limits at this period "
                                                     "(repeatable).")] = None,
    baseline: Annotated[int | None, typer.Option("--baseline", help="Fix limits on the first N points "
                                                 "of each segment.")] = None,
    shift_n: Annotated[int | None, typer.Option("--shift", help="Points in a shift (preset default 7).")] = None,
    trend_n: Annotated[int | None, typer.Option("--trend", help="Points in a trend (preset default 7).")] = None,
    direction: Annotated[Direction | None, typer.Option("--direction", help="Override the catalogue's "
                                                        "improvement direction.")] = None,
    svg: SvgOpt = None, png: PngOpt = None, fmt: FmtOpt = Format.table,
) -> None:
    """XmR chart of one organisation's series: limits, special causes, variation and assurance icons."""
    from opmodel.variation import get_preset, spc_chart_spec, spc_for, spc_table

    rules = get_preset(preset.value)
    changes = {k: v for k, v in (("shift", shift_n), ("trend", trend_n)) if v is not None}
    if changes:
        rules = rules.with_(**changes)
    with open_cli_store() as store:
        result = spc_for(store, metric, org, rules=rules, start=_opt_date(start, "--from"),
                         end=_opt_date(end, "--to"), target=target,
                         rebase_at=[parse_date(r, "--rebase") for r in rebase or []], baseline=baseline,
                         direction=direction.value if direction else None)
    if svg or png:
        _write_charts(spc_chart_spec(result), spc_table(result), svg, png)
    if fmt is Format.json:
        emit_json(result.to_json())
        return
    rows = spc_table(result)
    if fmt is Format.csv:
        emit_rows(rows, fmt)
        return
    console.print(f"[bold]{metric}[/] {result.org_code} {result.org_name or ''}  preset {result.rules.name}, "
                  f"direction {result.direction}")
    for lim in result.limits:
        console.print(f"limits from {result.segment_start(lim).isoformat()}: mean {lim.mean:.4g}, "
                      f"lower {lim.lower:.4g}, upper {lim.upper:.4g} (2-sigma {lim.lower_2sigma:.4g} to "
                      f"{lim.upper_2sigma:.4g}){' [trial]' if lim.trial else ''}")
    emit_rows(_rounded(rows), fmt, ["period", "value", "mean", "lower_limit", "upper_limit", "rule", "point_type"])
    console.print(f"variation icon: [bold]{result.variation_icon}[/]   assurance icon: "
                  f"[bold]{result.assurance_icon or '- (no target)'}[/]")
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")


def funnel(
    metric: Annotated[str, typer.Argument(help="Metric id with numerator and denominator, e.g. ae_4hr.")],
    period: Annotated[str, typer.Option("--period", help="Period (YYYY-MM or a date inside it).")],
    level: Annotated[Level, typer.Option("--level", help="Organisations to compare.")] = Level.trust,
    overdispersion: Annotated[bool | None, typer.Option("--overdispersion/--no-overdispersion",
                                                        help="Widen limits by the additive random effect "
                                                        "(Spiegelhalter 2005); default: when the data are "
                                                        "over-dispersed.")] = None,
    target: Annotated[float | None, typer.Option("--target", help="Centre line on the metric's scale (e.g. 95); "
                                                 "default the pooled value.")] = None,
    peers: PeersOption = PeersOpt.default,
    svg: SvgOpt = None, png: PngOpt = None, fmt: FmtOpt = Format.table,
) -> None:
    """Funnel plot of one period: 95% and 99.8% limits, and the organisations outside them by name.

    A&E funnels compare acute trusts' type 1 departments unless --peers all; the SHMI is banded with
    NHS Digital's method (log scale, 10 per cent trim).
    """
    from opmodel.variation import funnel_chart_spec, funnel_for, funnel_table

    with open_cli_store() as store:
        result, ctx = funnel_for(store, metric, parse_date(period, "--period"), level=level.value,
                                 overdispersion="auto" if overdispersion is None else overdispersion, target=target,
                                 peers=peers.value)
    if svg or png:
        spec = funnel_chart_spec(result, metric=metric, period=ctx["period"], direction=ctx["direction"],
                                 name=ctx["name"])
        _write_charts(spec, funnel_table(result), svg, png)
    if fmt is Format.json:
        emit_json({**ctx, **result.to_json()})
        return
    rows = funnel_table(result)
    if fmt is Format.csv:
        emit_rows(rows, fmt)
        return
    console.print(f"[bold]{ctx['name']}[/] ({ctx['metric']}), {ctx['period']} by {level.value}: centre line "
                  f"{result.centre_label} ({result.kind})")
    if ctx["metric"] != ctx["asked"]:
        console.print(f"{ctx['asked']} asked for: comparing like with like, the funnel shows {ctx['metric']} "
                      "(--peers all for every provider).")
    console.print(f"Compared: {result.peers}.")
    console.print(" ".join(t for t in (result.limits_note, result.limits_reason) if t))
    if result.overdispersion is not None:
        od = result.overdispersion
        console.print(f"over-dispersion: k {od.k}, phi {od.phi:.4g}, tau² {od.tau2:.4g}")
    emit_rows(_rounded(rows), fmt, ["org_code", "org_name", "denominator", "value", "lower_998", "upper_998",
                                    "outlier"])
    outside = [p for p in result.points if p.outlier is not None]
    console.print(f"\nOutside the 99.8% limits ({len(outside)}):" if outside else "\nNo organisation is outside the "
                  "99.8% limits.")
    for p in sorted(outside, key=lambda p: -abs(p.z)):
        console.print(f"  {p.unit.code} {p.unit.name or ''}: {p.value:.4g} ({p.outlier})")
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")


class Across(StrEnum):
    region = "region"
    icb = "icb"


def consistency(
    metric: Annotated[str | None, typer.Argument(help="Metric id with numerator and denominator, e.g. ae_4hr "
                                                 "(or --across for the three legs).")] = None,
    start: FromOpt = None, end: ToOpt = None, fmt: FmtOpt = Format.table,
    svg: SvgOpt = None,
    png: PngOpt = None,
    across: Annotated[Across | None, typer.Option("--across", help="Performance, quality and access side by side "
                                                  "for every region (or ICB), with England, the spread and the "
                                                  "share of variation between them.")] = None,
    peers: PeersOption = PeersOpt.default,
) -> None:
    """Where variation lies: between regions, ICBs in a region and trusts in an ICB, per period.

    With --across region|icb: the three legs (performance, quality, access) side by side.
    """
    from opmodel.variation import consistency_chart_spec, consistency_report, consistency_table

    if across is not None:
        if metric is not None:
            raise typer.BadParameter("give a metric or --across, not both", param_hint="--across")
        _consistency_across(across.value, fmt, svg, png)
        return
    if metric is None:
        raise typer.BadParameter("give a metric id (e.g. ae_4hr) or --across region|icb", param_hint="METRIC")
    with open_cli_store() as store:
        report = consistency_report(store, metric, start=_opt_date(start, "--from"), end=_opt_date(end, "--to"),
                                    peers=peers.value)
    if svg or png:  # files are written only where the user asks
        _write_charts(consistency_chart_spec(report), consistency_table(report), svg, png)
    if fmt is Format.json:
        emit_json(report)
        return
    rows = consistency_table(report)
    if fmt is Format.csv:
        emit_rows(rows, fmt)
        return
    console.print(f"[bold]{report['name']}[/] ({report['metric']}): NHS trusts in England, {report['from']} to "
                  f"{report['to']}; compared: {report['peers']['label']}. "
                  "pooled_trusts is the value of all trusts together (sum of numerators over sum of denominators).")
    table = [{"period": p["period"], "pooled_trusts": round(p["pooled_trusts"], 2), "trusts": p["trusts"],
              "between_regions": f"{p['decomposition']['region']['share']:.1%}",
              "between_icbs": f"{p['decomposition']['icb']['share']:.1%}",
              "between_trusts": f"{p['decomposition']['trust']['share']:.1%}",
              "region_range": round(p["spread"]["region"]["range"], 2),
              "icb_iqr": round(p["spread"]["icb"]["iqr"], 2), "trust_iqr": round(p["spread"]["trust"]["iqr"], 2),
              "outliers_high": sum(r["high"] for r in p["outliers_by_region"]),
              "outliers_low": sum(r["low"] for r in p["outliers_by_region"])} for p in report["periods"]]
    emit_rows(table, fmt)
    last = report["periods"][-1]
    console.print(f"\nTrusts outside 99.8% funnel limits by region, {last['period']}:")
    names = {o["org_code"]: o["org_name"] for o in last.get("outside_limits", [])}
    for r in last["outliers_by_region"]:
        console.print(f"  {r['region']} {r['region_name'] or ''}: {r['high']} high, {r['low']} low "
                      f"of {r['trusts']}")
        for flag in ("high", "low"):
            for code in r[f"{flag}_trusts"]:
                console.print(f"      {flag}: {code} {names.get(code) or ''}")
    t = report["trend"]
    console.print(f"\nReading: trust-level spread is [bold]{t['reading']}[/]"
                  + (f" (IQR {t['trust_iqr_first']:.2f} -> {t['trust_iqr_last']:.2f})" if "trust_iqr_first" in t
                     else ""))


def register(app: typer.Typer) -> None:
    """Add the three top-level commands to the root app."""
    app.command("spc")(handle_errors(spc))
    app.command("funnel")(handle_errors(funnel))
    app.command("consistency")(handle_errors(consistency))


def _consistency_across(across: str, fmt: Format, svg: Path | None, png: Path | None) -> None:
    """Print (or write) the three legs side by side for every region or ICB."""
    from opmodel.variation import consistency_across, legs_chart_spec, legs_table

    with open_cli_store() as store:
        report = consistency_across(store, across)  # type: ignore[arg-type]
    if svg or png:
        _write_charts(legs_chart_spec(report), legs_table(report), svg, png)
    if fmt is Format.json:
        emit_json(report)
        return
    if fmt is Format.csv:
        emit_rows(legs_table(report), fmt)
        return
    key = "regions" if across == "region" else "icbs"
    names = {a["code"]: a["name"] for a in report["areas"]}
    console.print(f"[bold]Consistency of performance, quality and access across {key}[/] on {report['on']}")
    for leg, dim in report["dimensions"].items():
        measures = dim["measures"]
        if not measures:
            console.print(f"\n[bold]{leg.capitalize()}[/]: no measures held")
            continue
        rows = [{"area": f"{a} {names.get(a) or ''}",
                 **{m["id"]: _fmt_value(dim[key][a].get(m["id"])) for m in measures}} for a in dim[key]]
        rows.append({"area": "England", **{m["id"]: _fmt_value(m["england"]) for m in measures}})
        emit_rows(rows, fmt, ["area", *[m["id"] for m in measures]], title=f"{leg.capitalize()}")
        for m in measures:
            sp = m["spread"]
            tag = " (third-party)" if m["third_party"] else ""
            line = (f"  {m['id']}: {m['name']}, {m['period']}{tag}; range {_fmt_value(sp.get('range'))} "
                    f"(best {sp.get('best')}, worst {sp.get('worst')}); between {key}: "
                    f"{m['between_share']:.1%} of the variation" if m["between_share"] is not None else
                    f"  {m['id']}: no values")
            console.print(line)
            outside = m.get("outside_limits") or []
            if outside:
                shown = ", ".join(f"{o['org_code']} ({o['outlier']})" for o in outside[:8])
                console.print(f"      outside the 99.8% limits ({len(outside)}): {shown}"
                              + (" …" if len(outside) > 8 else ""))
    console.print(f"[dim]{report['note']}[/]")


def _fmt_value(v: Any) -> str:
    return "–" if v is None else f"{v:.3g}" if abs(float(v)) < 10 else f"{v:.1f}"
