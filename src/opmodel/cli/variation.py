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
    svg: SvgOpt = None, png: PngOpt = None, fmt: FmtOpt = Format.table,
) -> None:
    """Funnel plot of one period: 95% and 99.8% limits and outliers high and low."""
    from opmodel.variation import funnel_chart_spec, funnel_for, funnel_table

    with open_cli_store() as store:
        result, ctx = funnel_for(store, metric, parse_date(period, "--period"), level=level.value,
                                 overdispersion="auto" if overdispersion is None else overdispersion, target=target)
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
    console.print(f"[bold]{ctx['name']}[/] ({metric}), {ctx['period']} by {level.value}: centre line "
                  f"{result.centre_label} ({result.kind})")
    console.print(" ".join(t for t in (result.limits_note, result.limits_reason) if t))
    if result.overdispersion is not None:
        od = result.overdispersion
        console.print(f"over-dispersion: k {od.k}, phi {od.phi:.4g}, tau² {od.tau2:.4g}")
    emit_rows(_rounded(rows), fmt, ["org_code", "org_name", "denominator", "value", "lower_998", "upper_998",
                                    "outlier"])
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")


def consistency(
    metric: Annotated[str, typer.Argument(help="Metric id with numerator and denominator, e.g. ae_4hr.")],
    start: FromOpt = None, end: ToOpt = None, fmt: FmtOpt = Format.table,
    svg: SvgOpt = None,
    png: PngOpt = None,
) -> None:
    """Where variation lies: between regions, ICBs in a region and trusts in an ICB, per period."""
    from opmodel.variation import consistency_chart_spec, consistency_report, consistency_table

    with open_cli_store() as store:
        report = consistency_report(store, metric, start=_opt_date(start, "--from"), end=_opt_date(end, "--to"))
    if svg or png:  # files are written only where the user asks
        _write_charts(consistency_chart_spec(report), consistency_table(report), svg, png)
    if fmt is Format.json:
        emit_json(report)
        return
    rows = consistency_table(report)
    if fmt is Format.csv:
        emit_rows(rows, fmt)
        return
    console.print(f"[bold]{report['name']}[/] ({metric}): NHS trusts in England, {report['from']} to {report['to']}. "
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
    for r in last["outliers_by_region"]:
        console.print(f"  {r['region']} {r['region_name'] or ''}: {r['high']} high, {r['low']} low "
                      f"of {r['trusts']}")
    t = report["trend"]
    console.print(f"\nReading: trust-level spread is [bold]{t['reading']}[/]"
                  + (f" (IQR {t['trust_iqr_first']:.2f} -> {t['trust_iqr_last']:.2f})" if "trust_iqr_first" in t
                     else ""))


def register(app: typer.Typer) -> None:
    """Add the three top-level commands to the root app."""
    app.command("spc")(handle_errors(spc))
    app.command("funnel")(handle_errors(funnel))
    app.command("consistency")(handle_errors(consistency))
