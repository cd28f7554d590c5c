"""``opmodel model`` and ``opmodel who``: the operating model as code, on any date."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from opmodel.accountability import list_models, model_json_schema, model_or_file, shipped_models, who

if TYPE_CHECKING:
    from opmodel.accountability import CitationOut, MergedIcb, OperatingModel
from opmodel.cli.common import handle_errors, open_cli_store, parse_date
from opmodel.cli.output import Format, console, emit_json, emit_rows, err_console
from opmodel.errors import UnknownCodeError

app = typer.Typer(help="Operating models: list, show, check and compare who is accountable for what.",
                  no_args_is_help=True)

ModelArg = Annotated[str, typer.Argument(help="A shipped model name (e.g. nhs-2025) or a model YAML file.")]
FmtOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
WhoFmtOpt = Annotated[Format, typer.Option("--format", help="table, json (the contract) or csv (a row per function).")]


@app.command("list")
@handle_errors
def list_(fmt: FmtOpt = Format.table) -> None:
    """The shipped models and the dates they cover."""
    emit_rows(list_models(), fmt, ["name", "status", "from", "to", "in_force_today", "version", "title", "file"])


def _show_table(m: OperatingModel) -> None:
    console.print(f"[bold]{m.name}[/] v{m.version}: {m.title}")
    console.print(f"in force {m.effective.from_} to {m.effective.to or 'open'}; file {m.origin.file}")
    roles = Table(title="Roles (function x tier)")
    roles.add_column("function")
    for t in m.tiers:
        roles.add_column(t)
    for f in m.functions:
        cells = []
        for t in m.tiers:
            e = m.role(f, t)
            cells.append("-" if e is None else e.role.value + (f" ({e.capacity})" if e.capacity else ""))
        roles.add_row(f, *cells)
    console.print(roles)
    lines = Table(title="Oversight lines")
    for c in ("id", "overseer", "subject", "line", "functions", "escalates_to", "powers"):
        lines.add_column(c)
    for lid, ln in m.oversight.items():
        scope = "all" if ln.functions == "all" else ", ".join(ln.functions)
        if ln.except_:
            scope += " except " + ", ".join(ln.except_)
        lines.add_row(lid, ln.overseer, ln.subject, ln.line.value, scope, ln.escalates_to or "-", "; ".join(ln.powers))
    console.print(lines)
    ladder = Table(title=f"Support ladder ({m.support_ladder.framework})")
    for c in ("segment", "meaning", "support", "delivered_by", "programme"):
        ladder.add_column(c)
    for s in m.support_ladder.segments:
        ladder.add_row(str(s.segment), s.meaning, s.support, s.delivered_by or "-", s.programme or "-")
    console.print(ladder)
    if m.delegations:
        dl = Table(title="Delegations (the delegator stays accountable)")
        for c in ("id", "function", "from", "to", "reaches", "scope"):
            dl.add_column(c)
        for did, d in m.delegations.items():
            reach = ", ".join(d.regions or []) or ", ".join(d.icbs or []) or "every ICB"
            dl.add_row(did, d.function, str(d.start), str(d.end or "-"), reach, d.scope or "-")
        console.print(dl)
    if m.frameworks:
        fw = Table(title="Oversight frameworks")
        for c in ("framework", "from", "to", "segmentation", "segments", "ICBs segmented", "programme", "metrics"):
            fw.add_column(c)
        for frame in m.frameworks:
            fw.add_row(frame.name, str(frame.effective.from_), str(frame.effective.to or "open"), frame.segmentation,
                       ", ".join(map(str, frame.segments)), "yes" if frame.icbs_segmented else "no",
                       frame.programme or "-", frame.metrics)
        console.print(fw)
    if m.support_cases:
        sc = Table(title="Who opens and changes a provider's support cases")
        for c in ("programme", "name", "led by"):
            sc.add_column(c)
        for pid, rule in m.support_cases.items():
            sc.add_row(pid, rule.name, ", ".join(rule.led_by))
        console.print(sc)
    for u in m.unknowns:
        console.print(f"[dim]unknown: {u.topic}: {u.note.strip()}[/]")


@app.command("show")
@handle_errors
def show(model: ModelArg, fmt: FmtOpt = Format.table) -> None:
    """One model: its roles by function and tier, oversight lines and support ladder."""
    m = model_or_file(model)
    if fmt is Format.json:
        emit_json(m.model_dump(mode="json", by_alias=True))
        return
    _show_table(m)


@app.command("check")
@handle_errors
def check(model: Annotated[str | None, typer.Argument(
              help="A model name or file; default: every shipped model, and that they cover every date.")] = None,
          fmt: FmtOpt = Format.table) -> None:
    """Find gaps, overlaps and broken lines; exits 1 if there is any finding."""
    from opmodel.accountability import check_model, check_models  # only here: the checks cost ~0.1 s to import

    models = [model_or_file(model)] if model else shipped_models()
    with open_cli_store() as store:
        findings = check_model(models[0], store) if model else check_models(models, store)
    if fmt is Format.json:
        emit_json([f.model_dump() for f in findings])
    elif fmt is Format.csv:
        emit_rows([f.model_dump() for f in findings], fmt, ["model", "file", "line", "path", "check", "message"])
    else:
        for f in findings:
            console.print(str(f), markup=False, highlight=False)
    names = ", ".join(m.name for m in models)
    if findings:
        err_console.print(f"{len(findings)} finding(s) in {names}:", markup=False, highlight=False)
        for f in findings[:20]:
            err_console.print(f"  {f}", markup=False, highlight=False)
        raise typer.Exit(1)
    if fmt is Format.table:
        console.print(f"ok: {names}: no findings", markup=False, highlight=False)


def _write_svg(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # nothing half-written
    err_console.print(f"wrote {path}", markup=False, highlight=False)


@app.command("diff")
@handle_errors
def diff(a: ModelArg, b: ModelArg, fmt: FmtOpt = Format.table,
         svg: Annotated[Path | None, typer.Option("--svg", help="Also write both models side by side as SVG.")] = None,
         function: Annotated[str, typer.Option("--function", help="Function for the --svg diagram.")] = "elective_care",
         ) -> None:
    """What changed from model A to model B, function by function and tier by tier."""
    from opmodel.accountability import diff_models
    from opmodel.accountability.diagrams import models_svg

    ma, mb = model_or_file(a), model_or_file(b)
    entries = [e.model_dump() for e in diff_models(ma, mb)]
    if svg is not None:
        if function not in ma.functions or function not in mb.functions:
            raise UnknownCodeError("function in both models", function,
                                   [f for f in ma.functions if f in mb.functions])
        _write_svg(svg, models_svg(ma, mb, function))
    if fmt is Format.table:
        for e in entries:
            console.print(f"{e['area']:<24} {e['text']}", markup=False, highlight=False)
        console.print(f"{len(entries)} change(s)")
        return
    emit_rows(entries, fmt, ["area", "subject", "functions", "before", "after", "text"])


@app.command("scenario")
@handle_errors
def scenario(file: Annotated[str, typer.Argument(help="A scenario YAML file (examples: model scenarios).")],
             fmt: FmtOpt = Format.table) -> None:
    """Apply a reorganisation scenario on its date: changed lines, checks, span of control before/after."""
    from opmodel.accountability.scenario import SCENARIOS_DIR, apply_scenario, load_scenario

    if file == "examples":
        for p in sorted(SCENARIOS_DIR.glob("*.yaml")):
            console.print(str(p), markup=False, highlight=False)
        return
    with open_cli_store() as store:
        result = apply_scenario(store, load_scenario(file))
    if fmt is Format.json:
        emit_json(result.model_dump(mode="json"))
        return
    rows = [c.model_dump() for c in result.changes]
    if fmt is Format.csv:
        emit_rows(rows, fmt, ["org_code", "function", "line", "before", "after"])
        return
    console.print(f"[bold]{result.scenario}[/] on {result.on}, "
                  f"base model {result.model}: {len(result.changes)} line(s) change", highlight=False)
    by_org: dict[str, list[str]] = {}
    for c in result.changes:
        by_org.setdefault(c.org_code, []).append(f"{c.function}/{c.line}: {c.before or '-'} -> {c.after or '-'}")
    for org, items in by_org.items():
        console.print(f"  {org}: " + "; ".join(items[:4]) + (f" (+{len(items) - 4} more)" if len(items) > 4 else ""),
                      markup=False, highlight=False)
    span = Table(title="Span of control (changed overseers)")
    for col in ("code", "tier", "trusts before", "trusts after", "ICBs before", "ICBs after"):
        span.add_column(col)
    for r in result.span_of_control:
        if (r.trusts_before, r.icbs_before) != (r.trusts_after, r.icbs_after):
            span.add_row(r.code, r.tier, str(r.trusts_before), str(r.trusts_after), str(r.icbs_before),
                         str(r.icbs_after))
    console.print(span)
    for m in result.merged_icbs:
        _merged_table(m)
    if result.orphaned_functions:
        console.print(f"[red]orphaned functions:[/] {', '.join(result.orphaned_functions)}")
    for f in result.checks:
        console.print(f"check: {f.message} [{f.check}]", markup=False, highlight=False)
    console.print("checks pass" if result.passed else f"{len(result.checks)} check finding(s)")


def _fmt(v: object, unit: str | None = "") -> str:
    return "–" if v is None else f"{float(v):,.1f}{unit or ''}" if isinstance(v, int | float) else str(v)


def _people(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def _merged_table(m: MergedIcb) -> None:
    """The merged ICB's population and headline performance, each ICB before and merged after."""
    pop = m.population
    labels = [*m.merged, f"{m.into} (merged)"]
    before = pop["population_before"]
    console.print(f"[bold]Merged ICB {m.into}[/] ({m.name or ', '.join(m.merged)}): resident population "
                  + ", ".join(f"{k} {_people(v)}" for k, v in before.items())
                  + f" -> {_people(pop['population_after'])} ({pop['population_source']})", highlight=False)
    t = Table(title="Population health (third-party figures marked †): before and after")
    for col in ("indicator", "period", *labels, "how"):
        t.add_column(col)
    for r in pop["indicators"]:
        t.add_row(r["name"] + (" †" if r["third_party"] else ""), r["period"],
                  *[_fmt(r["before"].get(k)) for k in m.merged], _fmt(r["after"]), r["method"])
    console.print(t)
    p = Table(title="Headline performance of the ICBs' trusts (summed counts, rates recomputed)")
    for col in ("metric", "month", *labels):
        p.add_column(col)
    for r in m.performance:
        p.add_row(r["name"], r["period"], *[f"{_fmt(g['value'], '%')} ({g['trusts']} trusts)"
                                            for g in r["groups"].values()])
    console.print(p)


@app.command("framework")
@handle_errors
def framework(on: Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD); default today.")] = None,
              model: Annotated[str | None, typer.Option("--model", help="A model name or file.")] = None,
              fmt: FmtOpt = Format.table) -> None:
    """The oversight framework in force on a date: segmentation, segments, programme, ICBs segmented or not."""
    from opmodel.accountability import oversight_framework

    f = oversight_framework(parse_date(on), model)
    if fmt is Format.json:
        emit_json(f.model_dump(mode="json"))
        return
    console.print(f"[bold]{f.name}[/] ({f.effective_from} to {f.effective_to or 'open'}; model {f.model}, "
                  f"{f.model_status.replace('_', ' ')})", highlight=False)
    console.print(f"segments {', '.join(map(str, f.segments))} set by {f.segmentation}; intensive support "
                  f"programme: {f.programme or 'not stated in the sources held'}; metrics: {f.metrics}",
                  highlight=False)
    console.print(f.icb_sentence(), highlight=False)
    if f.note:
        console.print(f"[dim]{f.note}[/]", highlight=False)


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the model file format."""
    sys.stdout.write(json.dumps(model_json_schema(), indent=2, ensure_ascii=False) + "\n")


def _cites(cites: list[CitationOut], legend: dict[tuple[str, str], tuple[int, CitationOut]]) -> str:
    marks = []
    for c in cites:
        key = (c.source, c.section)
        legend.setdefault(key, (len(legend) + 1, c))
        marks.append(f"[{legend[key][0]}]")
    return "".join(dict.fromkeys(marks))


@handle_errors
def who_command(
    org: Annotated[str, typer.Argument(help="ODS code, e.g. RJ1.")],
    function: Annotated[str | None, typer.Option("--function", help="One function, e.g. elective_care.")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD); default today.")] = None,
    model: Annotated[str | None, typer.Option(
        "--model", help="A model name or YAML file; default: the model in force on the date.")] = None,
    fmt: WhoFmtOpt = Format.table,
    svg: Annotated[Path | None, typer.Option(
        "--svg", help="Also write the chain as an SVG diagram to this file (the --function, or the first).")] = None,
) -> None:
    """Who holds an organisation to account, for each function, on a date, with sources."""
    with open_cli_store() as store:
        result = who(store, org, parse_date(on), function, model)
    if svg is not None:
        from opmodel.accountability.diagrams import chain_svg

        _write_svg(svg, chain_svg(result, function))
    if fmt is Format.json:
        emit_json(result.model_dump(mode="json"))
        return
    if fmt is Format.csv:
        emit_rows([{"org": result.org, "date": result.date, "model": result.model,
                    "model_status": result.model_status, "function": f.function,
                    "performance_managed_by": f.performance_managed_by, "escalation": " ".join(f.escalation),
                    "commissioned_by": f.commissioned_by,
                    "chain": " ".join(f"{c.code}:{c.tier}:{c.role}" for c in f.chain)} for f in result.functions],
                  fmt)
        return
    status = ("" if result.model_in_force else " [yellow](proposed: not in force)[/]" if result.model_status ==
              "proposed" else " [yellow](not the model in force on this date)[/]")
    console.print(f"[bold]{result.org}[/] {result.name} ({result.tier}) on {result.date}, model {result.model} "
                  f"({result.model_status.replace('_', ' ')})" + status)
    if result.model_status == "proposed":
        console.print(f"[yellow]PROPOSED:[/] {result.model_status_note or 'announced, not enacted'}", highlight=False)
    if result.transition is not None:
        t = result.transition
        console.print(f"[yellow]Transition[/] from {t.replaces} toward {t.toward or '-'}: {t.summary}", highlight=False)
    legend: dict[tuple[str, str], tuple[int, CitationOut]] = {}
    for f in result.functions:
        table = Table(title=f"{f.function}: {f.name}", title_justify="left")
        for c in ("link", "code", "name", "tier", "role / powers", "sources"):
            table.add_column(c)
        for link in f.chain:
            role = link.role + (f" ({link.capacity})" if link.capacity else "") + (
                f" [carried over from {link.carried_over}]" if link.carried_over else "")
            table.add_row("chain", link.code, link.name, link.tier, role, _cites(link.sources, legend))
        for ln in f.lines:
            table.add_row(ln.line, ln.code or "-", "", ln.tier, "; ".join(ln.powers) + (
                f" [carried over from {ln.carried_over}]" if ln.carried_over else ""), _cites(ln.sources, legend))
        for d in f.delegations:
            state = "in effect" if d.in_effect else f"from {d.start}"
            table.add_row("delegation", d.delegate or "-", f"from {d.delegator or '-'} ({d.delegator_tier})",
                          d.delegate_tier, f"responsible by delegation ({state}); {d.scope or ''}",
                          _cites(d.sources, legend))
        for b in f.bodies:
            table.add_row("body", b.body, b.name, "-", b.role + (" (dormant)" if b.dormant else ""),
                          _cites(b.sources, legend))
        console.print(table)
        console.print(f"performance managed by: [bold]{f.performance_managed_by or '-'}[/] "
                      f"({f.performance_managed_by_tier or '-'}); escalation: {' -> '.join(f.escalation) or '-'}; "
                      f"commissioned by: {f.commissioned_by or '-'}"
                      + (f" (under delegation {f.commissioned_under})" if f.commissioned_under else "")
                      + (f"; previously (in transition): {f.previous_performance_managed_by}"
                         if f.previous_performance_managed_by else ""))
        for note in f.notes:
            console.print(f"[yellow]note:[/] {note}")
    console.print("\n[bold]Sources[/]")
    for (source, section), (n, cited) in legend.items():
        console.print(f"[{n}] {source} ({cited.evidence}): {section}. {cited.title or ''} {cited.url or ''}",
                      markup=False, highlight=False)
