"""``opmodel quality``: CQC ratings, the SHMI banded as NHS Digital bands it, and the Friends and Family Test."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from opmodel.cli.common import handle_errors, open_cli_store, parse_date
from opmodel.cli.output import Format, console, emit_json, emit_rows, err_console

__all__ = ["app"]

app = typer.Typer(help="Quality and safety: CQC ratings, mortality (SHMI) and patient experience (FFT); "
                       "third-party processed copies, labelled so.", no_args_is_help=True)
FmtOpt = Annotated[Format, typer.Option("--format", help="Output format.")]


def _n(v: Any, digits: int = 1, unit: str = "") -> str:
    return "–" if v is None else f"{float(v):,.{digits}f}{unit}"


@app.command("show")
@handle_errors
def show(org: Annotated[str, typer.Argument(help="Trust, ICB or region code (X24 for England).")],
         on: Annotated[str | None, typer.Option("--on", help="Structure date for an ICB or region's trusts "
                                                "(YYYY-MM-DD); default today.")] = None,
         fmt: FmtOpt = Format.table) -> None:
    """A trust's CQC ratings, SHMI with limits and band, FFT and infections; for an area, the mix across
    its trusts against England."""
    from opmodel.quality import quality_show

    with open_cli_store() as store:
        view = quality_show(store, org, parse_date(on))
    if fmt is Format.json:
        emit_json(view)
        return
    if fmt is Format.csv:
        emit_rows(view.get("trust_rows") or [view], fmt)
        return
    console.print(f"[bold]{view['org_name']}[/] ({view['org_code']}): quality and safety")
    eng = view["england"]
    if view["kind"] in ("trust", "other_provider"):
        _show_trust(view, eng)
    else:
        _show_area(view, eng)
    console.print(f"[dim]{view['note']}[/]")


def _show_trust(view: dict[str, Any], eng: dict[str, Any]) -> None:
    cqc, shmi, fft = view["cqc"], view["shmi"], view["fft"]
    if cqc:
        console.print(f"CQC: overall [bold]{cqc['overall']}[/] (published {cqc['published_on']}); safe {cqc['safe']}, "
                      f"effective {cqc['effective']}, caring {cqc['caring']}, responsive {cqc['responsive']}, "
                      f"well-led {cqc['well_led']}.  England: {_n(eng['cqc_good_or_outstanding_pct'])}% of "
                      f"{eng['cqc_rated']} rated trusts good or outstanding.  [dim]{cqc['source']}[/]")
    else:
        console.print("CQC: no rating held.")
    if shmi:
        console.print(f"SHMI {shmi['period']}: [bold]{shmi['value']:.4f}[/] ({_n(shmi['observed'], 0)} observed / "
                      f"{_n(shmi['expected'], 0)} expected deaths); 95% limits {shmi['lower_limit']:.4f} to "
                      f"{shmi['upper_limit']:.4f} (99.8%: {shmi['lower_limit_998']:.4f} to "
                      f"{shmi['upper_limit_998']:.4f}); band [bold]{shmi['band']}[/], published "
                      f"{shmi['published_band'] or 'not held'}; trend: {shmi['trend']['reading']}.  "
                      f"[dim]{shmi['source']}[/]")
    else:
        console.print(f"SHMI: {view.get('shmi_note', 'not held')}.")
    if fft:
        console.print(f"FFT (inpatients) {fft['period']}: [bold]{_n(fft['positive_pct'])}%[/] positive, "
                      f"{_n(fft['negative_pct'])}% negative, {_n(fft['responses'], 0)} responses.  England (pooled "
                      f"from the same file): {_n(eng['fft_positive_pct'])}%.  [dim]{fft['source']}[/]")
    else:
        console.print("FFT: not held.")
    for h in view["hcai"]:
        console.print(f"{h['name']} ({h['metric']}) {h['period']}: {h['value']:g} (median of {h['peers']} trusts "
                      f"{_n(h['peer_median'], 2)}).  [dim]{h['source']}[/]")


def _show_area(view: dict[str, Any], eng: dict[str, Any]) -> None:
    cqc, shmi, fft = view["cqc"], view["shmi"], view["fft"]
    console.print(f"{view['trusts']} NHS trusts on {view['on']}.")
    mix = ", ".join(f"{k} {n}" for k, n in cqc["mix"].items())
    console.print(f"CQC overall: {mix}; {_n(cqc['good_or_outstanding_pct'])}% good or outstanding "
                  f"(England {_n(eng['cqc']['good_or_outstanding_pct'])}%).")
    bands = ", ".join(f"{k.lower()} {n}" for k, n in shmi["bands"].items())
    console.print(f"SHMI: {_n(shmi['value'], 4)} over {shmi['trusts']} trusts (England {_n(eng['shmi']['value'], 4)});"
                  f" bands {bands}" + (f"; higher than expected: {', '.join(shmi['higher_than_expected'])}"
                                       if shmi["higher_than_expected"] else "") + ".")
    console.print(f"FFT (inpatients) {fft['period'] or ''}: {_n(fft['positive_pct'])}% positive over "
                  f"{fft['trusts']} trusts (England {_n(eng['fft']['positive_pct'])}%).")
    emit_rows([{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in view["trust_rows"]],
              Format.table)


@app.command("shmi")
@handle_errors
def shmi(fmt: FmtOpt = Format.table,
         svg: Annotated[Path | None, typer.Option("--svg", help="Write the SHMI funnel as SVG.")] = None,
         png: Annotated[Path | None, typer.Option("--png", help="Write the SHMI funnel as PNG.")] = None) -> None:
    """Every trust's SHMI with 95% and 99.8% limits recomputed by NHS Digital's method, beside the published band."""
    from opmodel.quality import shmi_banding, shmi_chart_spec

    with open_cli_store() as store:
        banding = shmi_banding(store)
    if svg or png:
        from opmodel.variation import render_chart

        spec = shmi_chart_spec(banding)
        for path in (svg, png):
            if path is not None:
                render_chart(spec, path)
                err_console.print(f"wrote {path}")
    rows = [r.to_json() for r in banding.rows]
    if fmt is not Format.table:
        emit_rows(rows, fmt) if fmt is Format.csv else emit_json(rows)
        return
    summary = banding.summary()
    console.print(f"[bold]SHMI[/] {banding.period}: {summary['trusts']} trusts; limits by NHS Digital's method "
                  f"(phi {summary['phi']:.3g}, tau² {summary['tau2']:.3g}, {summary['trusts_used_for_tau2']} trusts "
                  f"after the 10% trim).  [dim]{banding.source}[/]")
    emit_rows([{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in rows], fmt,
              ["org_code", "org_name", "value", "observed", "expected", "lower_limit", "upper_limit", "band",
               "published_band", "agrees"])
    console.print(f"Recomputed bands agree with the published band for [bold]{summary['agree']} of "
                  f"{summary['compared']}[/] trusts.")
    for d in summary["disagreements"]:
        console.print(f"  {d['org_code']}: {d['value']:.4f}, {d['margin']:.4f} from a limit "
                      f"({d['lower_limit']:.4f} to {d['upper_limit']:.4f}); recomputed {d['band'].lower()}, "
                      f"published {str(d['published_band']).lower()}")
