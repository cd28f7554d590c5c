"""``opmodel data``: the registry's ODS snapshots, and the statistical series (sources, update)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opmodel.cli.common import handle_errors, open_cli_store, parse_date
from opmodel.cli.output import Format, console, emit_rows, err_console
from opmodel.structure import LoadSummary, load_ods, load_reference

app = typer.Typer(help="Registry data (ODS snapshots, reference lists) and the statistical series: what is held, "
                       "what is due, fetching the newest files.", no_args_is_help=True)


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


SOURCE_COLUMNS = ["series", "publisher", "frequency", "latest_held", "next_expected", "overdue", "licence", "url"]


@app.command("sources")
@handle_errors
def sources_cmd(fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table) -> None:
    """Every statistical series: publisher, landing page, frequency, licence, latest period held, next release.

    ``next_expected`` follows NHS England's release calendar (monthly performance statistics on the
    second Thursday of the month); ``overdue`` means newer figures were due before today.
    """
    from opmodel.publications import data_sources

    with open_cli_store() as store:
        rows = data_sources(store)
    if fmt is Format.json:
        emit_rows(rows, fmt)
        return
    emit_rows(rows, fmt, SOURCE_COLUMNS)
    if fmt is Format.table:
        late = [r["series"] for r in rows if r["overdue"]]
        if late:
            console.print(f"Older than their publication cycle: {', '.join(late)}. `opmodel data update` fetches "
                          "the newest files.", highlight=False)


@app.command("update")
@handle_errors
def update_cmd(
    series: Annotated[list[str] | None, typer.Option("--series", help="Only this series (repeatable); see "
                                                                      "`opmodel data sources`.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be downloaded; fetch pages only.")] = False,
    dest: Annotated[Path | None, typer.Option("--dest", help="Download folder (default: downloads/ beside the "
                                                             "store).")] = None,
    max_files: Annotated[int, typer.Option("--max-files", min=1, help="At most this many new files per series.")] = 3,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
) -> None:
    """Find the newest files on each series' landing page, download what is missing and load it.

    One request a second with a clear User-Agent; files over the size limit are not fetched; an
    interrupted download resumes. Each file is loaded through `opmodel metrics load` (refused by
    name if damaged) and recorded in DEST/provenance.jsonl (address, size, SHA-256, date).

    Exit codes: 0 done (or nothing new); 1 a series' page changed layout, or a file was refused or
    failed; 4 no network (one line, nothing changed).
    """
    from opmodel.publications import get_series, update

    chosen = [get_series(s) for s in series] if series else None
    with open_cli_store() as store, err_console.status("checking the landing pages") as status:
        report = update(store, chosen, dest=dest, dry_run=dry_run, max_files=max_files,
                        progress=lambda line: status.update(line))
    if report.offline:
        err_console.print(report.offline, highlight=False)
        raise typer.Exit(report.exit_code)
    if fmt is Format.json:
        emit_rows([vars(s) for s in report.series], fmt)
    else:
        for s in report.series:
            files = ", ".join(str(f.get("file")) for f in s.files)
            detail = s.message or (files if files else "")
            console.print(f"  {s.series}: {s.status}{': ' + detail if detail else ''}", highlight=False)
        if report.dry_run:
            console.print("[bold]Dry run:[/] nothing was downloaded or loaded.")
    if report.exit_code:
        raise typer.Exit(report.exit_code)
