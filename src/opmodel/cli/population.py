"""``opmodel population``: ICB population-health profiles, comparisons across ICBs, loading files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opmodel.cli.common import handle_errors, open_cli_store, parse_date
from opmodel.cli.output import Format, console, emit_json, emit_rows

app = typer.Typer(help="Population health and inequalities: ICB profiles, Core20PLUS5, comparison across ICBs.",
                  no_args_is_help=True)

OnOpt = Annotated[str | None, typer.Option("--on", help="Structure date (YYYY-MM-DD); default today.")]
YearOpt = Annotated[int | None, typer.Option("--year", help="Year of the data (latest held when omitted).")]


def _num(v: object, unit: str = "") -> str:
    return "–" if v is None else f"{float(v):,.2f}{unit}" if isinstance(v, int | float) else str(v)


def _round(v: object, places: int = 2) -> object:
    """Figures to ``places`` decimals for tables and CSV (the JSON keeps full precision)."""
    return round(float(v), places) if isinstance(v, int | float) and not isinstance(v, bool) else v


def _short(text: object) -> object:
    """'not compared (long reason)' shortened for a table column; the reason stays in JSON."""
    return "not compared" if isinstance(text, str) and text.startswith("not compared") else text


@app.command("show")
@handle_errors
def show(code: Annotated[str, typer.Argument(help="ICB code: ODS (QKK) or ONS (E54000030).")],
         year: YearOpt = None, on: OnOpt = None,
         fmt: Annotated[Format, typer.Option("--format", help="table or json (csv gives the indicators).")]
         = Format.table) -> None:
    """An ICB's indicators against England and its region, the Core20 share and the Core20PLUS5 panel."""
    from opmodel.population.profile import icb_profile

    with open_cli_store() as store:
        p = icb_profile(store, code, parse_date(on), year)
    if fmt is Format.json:
        emit_json(p)
        return
    if fmt is Format.csv:
        emit_rows(p["indicators"], fmt)
        return
    console.print(f"[bold]{p['org_name']}[/] ({p['org_code']}, {p['ons_code'] or 'no ONS code'}) on {p['on']}")
    if p["predecessors"]:
        console.print("Formed from: " + ", ".join(f"{x['code']} {x['name']}"
                                                + ("" if x["share"] == 1 else f" ({x['share']:.0%} of its trusts)")
                                                for x in p["predecessors"]))
    acc = p["accountability"]
    if acc and acc["accountable"]:
        console.print(f"Accountable for population health ({acc['model']}): {acc['accountable']['name']}; "
                      f"performance-managed by {acc['performance_managed_by']}")
    emit_rows([{**r, "value": _num(r["value"]), "England": _num(r["england_value"]),
                "region": _num(r["region_value"]), "interval": "–" if r["lower_ci"] is None
                else f"{r['lower_ci']:.2f}–{r['upper_ci']:.2f}",
                "name": r["name"] + (" †" if r["third_party"] else "")} for r in p["indicators"]],
              Format.table, ["name", "period", "value", "interval", "England", "region", "compared_to_england",
                             "method"], title="Indicators († third-party figures)")
    console.print(f"Core20 share: {_num(p['core20_share'], '%')} ({p['core20_period'] or 'not held'})")
    for a in p["core20plus5"]:
        m = a["measure"]
        shown = f"{m['name']}: {_num(m['value'], m['unit'])} ({m['period']})" if m else "no open data held"
        console.print(f"  {a['name']}: {shown}. [dim]{a['note']}[/]")


@app.command("compare")
@handle_errors
def compare(indicator: Annotated[str, typer.Argument(help="Indicator id, e.g. qof_hypertension, core20_share.")],
            level: Annotated[str, typer.Option("--level", help="icb or region.")] = "icb",
            year: YearOpt = None, on: OnOpt = None,
            fmt: Annotated[Format, typer.Option("--format", help="table, csv or json.")] = Format.table) -> None:
    """One indicator for every ICB or region in force on the date, with variance split and trend."""
    from opmodel.population.compare import compare_indicator

    with open_cli_store() as store:
        r = compare_indicator(store, indicator, level, year, parse_date(on))
    if fmt is Format.json:
        emit_json(r)
        return
    cols = ["org_code", "org_name", "year", "value", "lower_ci", "upper_ci", "compared_to_england", "method"]
    shown = [{**row, **{k: _round(row.get(k)) for k in ("value", "lower_ci", "upper_ci", "count", "denominator")},
              "compared_to_england": _short(row.get("compared_to_england"))} for row in r["rows"]]
    emit_rows(shown, fmt, cols if fmt is Format.table else [*cols, "count", "denominator", "comparison_basis"],
              title=f"{r['indicator']['name']}, {r['period']}" + (" (third-party figures)" if r["third_party"]
                                                                  else ""))
    if fmt is Format.table:
        if r["england"]:
            console.print(f"England: {_num(r['england']['value'])} ({r['england']['method']})")
        if r["variance_split"]:
            s = r["variance_split"]
            console.print(f"Between regions: {s['between_region_share']:.0%} of the variation; between ICBs within "
                          f"regions: {s['between_icb_within_region_share']:.0%}. ICB interquartile range "
                          f"{s['icb_iqr']:.2f}. Counts: {r['denominator_note']}.")
        if r["trend"]:
            console.print(f"Over {len(r['trend']['years'])} years: {r['trend']['reading']}.")
        if r["inequality"]:
            q = r["inequality"]
            console.print(f"England by deprivation decile ({q['breakdown']}): slope index of inequality "
                          f"{q['sii']:+.2f} ({q['confidence']:.0%} interval {q['sii_lower']:+.2f} to "
                          f"{q['sii_upper']:+.2f}, {q['interval_method']}), relative index "
                          + (f"{q['rii']:.3f}" if q["rii"] is not None else "not defined")
                          + f": {q['reading']}. [dim]{q['convention']}.[/]", highlight=False)


@app.command("inequality")
@handle_errors
def inequality(code: Annotated[str, typer.Argument(help="ICB code: ODS (QKK) or ONS (E54000030).")],
               measure: Annotated[str, typer.Option(
                   "--measure", help="health, income, employment, education, crime, housing, environment, imd, "
                                     "or an indicator id loaded at district level (e.g. ft93763).")] = "health",
               on: OnOpt = None,
               fmt: Annotated[Format, typer.Option("--format", help="table, csv (the districts) or json.")]
               = Format.table) -> None:
    """Inequality within an ICB: its districts by national deprivation quintile, and the slope index (PHE's)."""
    from opmodel.population.local import icb_inequality

    with open_cli_store() as store:
        r = icb_inequality(store, code, measure, parse_date(on))
    if fmt is Format.json:
        emit_json(r)
        return
    m = r["measure"]
    districts = [{**d, **{k: _round(d.get(k)) for k in ("value", "imd_score", "lower", "upper", "count",
                                                         "denominator")}, "population": round(d["population"])}
                 for d in r["districts"]]
    if fmt is Format.csv:
        emit_rows(districts, fmt)
        return
    console.print(f"[bold]{r['org_name']}[/] ({r['org_code']}) on {r['on']}: {m['name']} ({m['year']}; "
                  f"{m['source']})", highlight=False)
    emit_rows(districts, Format.table, ["la_code", "la_name", "quintile", "imd_score", "population", "value"],
              title="Districts, most deprived first")
    emit_rows([{"quintile": q["quintile"], "label": q["label"], "districts": ", ".join(q["districts"]),
                "population": round(q["population"]), "value": _round(q["value"])} for q in r["quintiles"]],
              Format.table, ["quintile", "label", "districts", "population", "value"],
              title=f"By national deprivation quintile ({r['quintile_basis']})")
    q = r["sii"]
    if q is None:
        console.print(f"Slope index of inequality: not computed: {r['sii_note']}.", highlight=False)
    else:
        console.print(f"Slope index of inequality {q['sii']:+.2f}{m['unit']} ({q['confidence']:.0%} interval "
                      f"{q['sii_lower']:+.2f} to {q['sii_upper']:+.2f}; {q['interval_method']}); relative index "
                      + (f"{q['rii']:.3f}" if q["rii"] is not None else "not defined (values cross zero)")
                      + f": {q['reading']}. [dim]{q['convention']}; groups: {q['groups_are']}.[/]",
                      highlight=False)
    for note in r["notes"]:
        console.print(f"[dim]{note}[/]", highlight=False)


@app.command("load")
@handle_errors
def load(paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")]) -> None:
    """Load Fingertips downloads and metadata, the ICB extract or the IMD 2025 ICB summaries."""
    from opmodel.population import load_population_files

    with open_cli_store() as store:
        results = load_population_files(store, paths)
    for r in results:
        console.print(f"  {'unchanged' if r.skipped else 'loaded':9} {r.file} ({r.layout}): {r.rows} value(s)")


@app.command("indicators")
@handle_errors
def indicators(fmt: Annotated[Format, typer.Option("--format", help="table, csv or json.")] = Format.table) -> None:
    """The indicator catalogue: definition, polarity, value type, source and licence."""
    from opmodel.population import indicator_catalogue

    with open_cli_store() as store:
        rows = indicator_catalogue(store)
    emit_rows(rows, fmt, None if fmt is Format.json else ["indicator_id", "name", "polarity", "value_type",
                                                          "third_party", "source"])
