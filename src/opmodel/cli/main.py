"""The ``opmodel`` command: one sub-command group per area, each a thin adapter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opmodel import __version__
from opmodel.cli import data, metrics, org
from opmodel.cli.common import handle_errors, open_cli_store, parse_date, state
from opmodel.cli.help_style import install as _readable_help
from opmodel.cli.output import console
from opmodel.cli.serve import serve as serve_command

_readable_help()
app = typer.Typer(
    name="opmodel",
    help="opmodel: the NHS England operating model as code (structure, accountability, metrics, "
    "oversight, variation).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(org.app, name="org")
app.add_typer(data.app, name="data")
app.add_typer(metrics.app, name="metrics")
from opmodel.cli import accountability as accountability_cli  # noqa: E402

app.add_typer(accountability_cli.app, name="model")
app.command("who")(accountability_cli.who_command)  # opmodel who ORG [--function] [--on] [--model]
from opmodel.cli import variation as variation_cli  # noqa: E402

variation_cli.register(app)  # opmodel spc | funnel | consistency
from opmodel.cli import oversight as oversight_cli  # noqa: E402

oversight_cli.register(app)  # opmodel segment | league | explain | whatif
from opmodel.cli import uncertainty as uncertainty_cli  # noqa: E402  (issue 12)

uncertainty_cli.register(app)  # opmodel change ORG --from P --to P
from opmodel.cli import records as records_cli  # noqa: E402

app.add_typer(records_cli.app, name="records")
app.command("derive")(records_cli.derive_command)  # `opmodel derive` = `opmodel records derive`
app.command("serve")(serve_command)
from opmodel.cli import report as report_cli  # noqa: E402

report_cli.register(app)  # opmodel report ORG --period P --pdf FILE | --pptx FILE
from opmodel.cli import register as register_cli  # noqa: E402

register_cli.register(app)  # opmodel users | cases | access
from opmodel.cli import population as population_cli  # noqa: E402

app.add_typer(population_cli.app, name="population")
from opmodel.cli import quality as quality_cli  # noqa: E402  (issue 22)

app.add_typer(quality_cli.app, name="quality")  # opmodel quality show ORG | shmi
from opmodel.cli import maps as maps_cli  # noqa: E402  (issue 26)

maps_cli.register(app)  # opmodel map MEASURE --level icb|region [--on] [--period] --svg FILE [--png FILE]


def _version(value: bool) -> None:
    if value:
        console.print(f"opmodel {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    store: Annotated[Path | None, typer.Option("--store", envvar="OPMODEL_STORE",
                                               help="DuckDB store file (default: the user data directory).")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    state.store_path = store


@app.command("overview")
@handle_errors
def overview(on: Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD); default today.")] = None
             ) -> None:
    """The national structure on a date: regions, their ICBs and trust counts."""
    from opmodel.structure import list_organisations

    day = parse_date(on)
    with open_cli_store() as store:
        regions = list_organisations(store, kind="region", on=day)
        icbs = list_organisations(store, kind="icb", on=day)
        trusts = list_organisations(store, kind="trust", on=day)
    console.print(f"[bold]NHS England on {day.isoformat()}[/]: {len(regions)} regions, {len(icbs)} ICBs, "
                  f"{sum(1 for t in trusts if t['region'])} trusts in England")
    for region in regions:
        mine = [i for i in icbs if i["region"] == region["code"]]
        console.print(f"\n[bold]{region['code']} {region['name']}[/] ({len(mine)} ICBs)")
        for icb in mine:
            n = sum(1 for t in trusts if t["icb"] == icb["code"])
            console.print(f"  {icb['code']:<6} {icb['name']}  [dim]{n} trust(s)[/]")


def main() -> None:
    app()


