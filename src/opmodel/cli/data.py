"""``opmodel data``: load ODS snapshots and reference lists into the registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opmodel.cli.common import handle_errors, open_cli_store, parse_date
from opmodel.cli.output import console
from opmodel.structure import LoadSummary, load_ods, load_reference

app = typer.Typer(help="Load registry data: ODS snapshots and reference lists.", no_args_is_help=True)


def _report(s: LoadSummary) -> None:
    if s.unchanged:
        console.print(f"{s.source}: already loaded as of {s.as_of}; nothing changed.")
        return
    console.print(
        f"{s.source} ({s.kind}{', as of ' + str(s.as_of) if s.as_of else ''}): "
        f"{s.organisations_added} organisation(s) added, {s.organisations_updated} updated, "
        f"{s.relationships_opened} relationship(s) opened, {s.relationships_closed} closed."
    )
    for note in s.notes[:10]:
        console.print(f"  note: {note}")


@app.command("load-ods")
@handle_errors
def load_ods_cmd(file: Annotated[Path, typer.Argument(help="ODS etr or eccg file (27 columns, no header).")],
                 as_of: Annotated[str, typer.Option("--as-of", help="Date the snapshot describes (YYYY-MM-DD).")]
                 ) -> None:
    """Apply a dated ODS snapshot: unchanged links carry on, changed ones close and reopen on the date."""
    with open_cli_store() as store:
        _report(load_ods(store, file, parse_date(as_of, "--as-of")))


@app.command("load-reference")
@handle_errors
def load_reference_cmd(file: Annotated[Path, typer.Argument(help="regions.csv, icbs.csv or an ONS ICB names file.")]
                       ) -> None:
    """Add or update NHS England regions and ICBs (codes, names, regions, dates)."""
    with open_cli_store() as store:
        _report(load_reference(store, file))
