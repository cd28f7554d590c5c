"""``opmodel org``: where organisations sit, on any date."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.tree import Tree

from opmodel.cli.common import handle_errors, open_cli_store, parse_date
from opmodel.cli.output import Format, console, emit_json, emit_rows
from opmodel.structure import OrgKind, changes, list_organisations, org_details, tree

app = typer.Typer(help="Organisations: show, list, tree and changes on any date.", no_args_is_help=True)

OnOpt = Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD); default today.")]
FmtOpt = Annotated[Format, typer.Option("--format", help="Output format.")]


@app.command("show")
@handle_errors
def show(code: Annotated[str, typer.Argument(help="ODS code, e.g. RJ1.")], on: OnOpt = None,
         as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Name, kind, dates and the parent chain up to NHS England on a date."""
    with open_cli_store() as store:
        d = org_details(store, code, parse_date(on))
    if as_json:
        emit_json(d)
        return
    console.print(f"[bold]{d['code']}[/]  {d['name']}")
    console.print(f"kind: {d['kind']}" + (f" ({d['subtype']})" if d.get("subtype") else ""))
    console.print(f"open: {d['open_date'] or '-'}   close: {d['close_date'] or '-'}   "
                  f"active on {d['on']}: {'yes' if d['active'] else 'no'}")
    chain = " -> ".join(f"{p['code']} {p['name']} ({p['kind']})" for p in d["parents"]) or "(none)"
    console.print(f"parents on {d['on']}: {chain}")


@app.command("list")
@handle_errors
def list_(kind: Annotated[OrgKind | None, typer.Option("--kind", help="Only this kind.")] = None,
          region: Annotated[str | None, typer.Option("--region", help="Under this region code.")] = None,
          icb: Annotated[str | None, typer.Option("--icb", help="Under this ICB code.")] = None,
          on: OnOpt = None, fmt: FmtOpt = Format.table) -> None:
    """Organisations active on a date, by kind, region or ICB."""
    with open_cli_store() as store:
        rows = list_organisations(store, kind=kind, region=region, icb=icb, on=parse_date(on))
    emit_rows(rows, fmt, ["code", "name", "kind", "subtype", "icb", "region", "open_date", "close_date"])


@app.command("tree")
@handle_errors
def tree_(code: Annotated[str | None, typer.Argument(help="Root code; default NHS England.")] = None,
          on: OnOpt = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The hierarchy below a node on a date."""
    with open_cli_store() as store:
        root = tree(store, code, parse_date(on))
    if as_json:
        emit_json(root)
        return

    def add(node: dict[str, Any], branch: Tree) -> None:
        for child in node["children"]:
            add(child, branch.add(f"{child['code']} {child['name']} [dim]({child['kind']})[/]"))

    top = Tree(f"[bold]{root['code']} {root['name']}[/]")
    add(root, top)
    console.print(top)


@app.command("changes")
@handle_errors
def changes_(start: Annotated[str, typer.Option("--from", help="Start date (YYYY-MM-DD).")],
             end: Annotated[str, typer.Option("--to", help="End date (YYYY-MM-DD).")],
             kind: Annotated[OrgKind | None, typer.Option("--kind", help="Only this kind.")] = None,
             fmt: FmtOpt = Format.table) -> None:
    """Organisations opened, closed or moved to another parent between two dates."""
    with open_cli_store() as store:
        found = changes(store, parse_date(start, "--from"), parse_date(end, "--to"))
    rows = [c.model_dump(mode="json") for c in found if kind is None or c.kind == kind]
    emit_rows(rows, fmt, ["code", "name", "kind", "change", "date", "old_parent", "new_parent"])


