"""``opmodel metrics``: load NHS England publications, list metrics and show values."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from opmodel import csvsafe
from opmodel.cli.common import handle_errors, open_cli_store
from opmodel.cli.output import Format, console, emit_rows, err_console, to_jsonable
from opmodel.metrics import LEVELS, LoadReport, MetricsLoadError, list_metrics, load_files, metric_values
from opmodel.metrics.loader import EXIT_OK

app = typer.Typer(help="Metrics: load NHS England publications, list metrics, show values at any level.",
                  no_args_is_help=True)

SHOW_COLUMNS = ["metric", "org_code", "org_name", "level", "period_start", "period_end", "numerator",
                "denominator", "value", "source"]


class ShowFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def _month_or_date(value: str | None, option: str, *, end: bool) -> dt.date | None:
    """YYYY-MM (first or last day of the month) or YYYY-MM-DD."""
    if value is None:
        return None
    try:
        if len(value) == 7:
            first = dt.date.fromisoformat(value + "-01")
            return first.replace(day=calendar.monthrange(first.year, first.month)[1]) if end else first
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected YYYY-MM or YYYY-MM-DD, got {value!r}", param_hint=option) from None


def _summary(report: LoadReport) -> None:
    verb = "Would load" if report.dry_run else "Loaded"
    for f in report.files:
        if f.status == "loaded":
            console.print(f"  [green]loaded[/]    {f.path} ({f.publication}): {f.rows} value(s), "
                          f"{f.inserted} new, {f.replaced} replaced, {f.unchanged} unchanged")
            if f.kept:
                console.print(f"  [yellow]warning[/]   {f.message}", highlight=False)
        elif f.status == "rejected":
            console.print(f"  [red]rejected[/]  {f.path}: {f.message}")
        elif f.status == "unchanged":
            console.print(f"  [dim]unchanged[/] {f.path}: {f.message}")
    for f in report.named_skipped:
        console.print(f"  [yellow]skipped[/]   {f.path}: {f.message or 'not a publication any reader recognises'}")
    skipped = [f for f in report.files if f.status == "skipped" and not f.named]
    if skipped:
        console.print(f"  [dim]skipped {len(skipped)} file(s) no reader recognises:[/] "
                      + ", ".join(Path(f.path).name for f in skipped[:12]) + (" ..." if len(skipped) > 12 else ""))
    console.print(f"{verb} {report.count('loaded')} file(s): {report.inserted} value(s) new, "
                  f"{report.replaced} replaced; {report.count('unchanged')} already loaded, "
                  f"{report.count('skipped')} skipped, {report.count('rejected')} rejected.")
    if report.new_organisations:
        sample = ", ".join(f"{o['code']} {o['name']}" for o in report.new_organisations[:5])
        console.print(f"{len(report.new_organisations)} organisation code(s) not in the registry were added as "
                      f"other_provider (e.g. {sample}).")
    if report.uncatalogued_metrics:
        console.print(f"Metric id(s) not in the catalogue: {', '.join(report.uncatalogued_metrics[:20])}")
    if report.dry_run:
        console.print("[bold]Dry run:[/] nothing was written.")


@app.command("load")
@handle_errors
def load(paths: Annotated[list[Path], typer.Argument(help="Publication files or folders (searched recursively).")],
         dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count, write nothing.")] = False
         ) -> None:
    """Load published files; files no reader recognises are skipped, malformed ones reject the batch.

    A file that looks like a publication (its name or header words) but is not recognised,
    or a compressed file over the size limits, is refused with what is wrong.

    Exit codes: 0 every file loaded or already loaded (files in folders that are not
    publications are skipped); 1 rejected, nothing written; 3 loaded, but a file you
    named was skipped as not a publication.
    """
    with open_cli_store() as store, Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                             TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("loading", total=None)

        def progress(i: int, n: int, path: Path) -> None:
            bar.update(task, total=n, completed=i, description=f"loading {path.name[:40]}")

        try:
            report = load_files(store, paths, dry_run=dry_run, progress=progress)
        except MetricsLoadError as exc:
            bar.stop()
            _summary(exc.report)
            raise
        bar.update(task, completed=len(report.files))
    _summary(report)
    if report.exit_code != EXIT_OK:
        raise typer.Exit(report.exit_code)


@app.command("list")
@handle_errors
def list_(fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table) -> None:
    """Metrics in the catalogue (and any others loaded) with what the store holds for each."""
    with open_cli_store() as store:
        rows = list_metrics(store)
    emit_rows(rows, fmt, ["metric", "name", "unit", "direction", "frequency", "nof_id", "values_held",
                          "organisations", "first_period", "last_period"])


def _write(rows: list[dict[str, Any]], fmt: ShowFormat, output: Path) -> None:
    if fmt is ShowFormat.parquet:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), output, compression="zstd")
    elif fmt is ShowFormat.json:
        output.write_text(json.dumps(to_jsonable(rows), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        with output.open("w", newline="", encoding="utf-8") as fh:
            w = csvsafe.dict_writer(fh, fieldnames=list(rows[0]) if rows else SHOW_COLUMNS)
            w.writeheader()
            w.writerows({k: to_jsonable(v) for k, v in r.items()} for r in rows)


@app.command("show")
@handle_errors
def show(metric: Annotated[str, typer.Argument(help="Metric id, e.g. ae_4hr (see `opmodel metrics list`).")],
         org: Annotated[str | None, typer.Option("--org", help="Organisation at the level, or one above it.")] = None,
         level: Annotated[str, typer.Option("--level", help="trust | icb | region | england.")] = "trust",
         from_: Annotated[str | None, typer.Option("--from", help="First period (YYYY-MM or date).")] = None,
         to: Annotated[str | None, typer.Option("--to", help="Last period (YYYY-MM or date).")] = None,
         fmt: Annotated[ShowFormat, typer.Option("--format", help="Output format.")] = ShowFormat.table,
         output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file "
                                                                           "(required for parquet).")] = None,
         ) -> None:
    """Values of a metric per organisation and period; ICB, region and England aggregated from counts."""
    if level not in LEVELS:
        raise typer.BadParameter(f"expected one of {', '.join(LEVELS)}", param_hint="--level")
    if fmt is ShowFormat.parquet and output is None:
        raise typer.BadParameter("parquet output needs --output FILE", param_hint="--output")
    if output is not None and fmt is ShowFormat.table:
        raise typer.BadParameter("--output needs --format csv, json or parquet", param_hint="--output")
    start = _month_or_date(from_, "--from", end=False)
    end = _month_or_date(to, "--to", end=True)
    with open_cli_store() as store:
        rows = metric_values(store, metric, org=org, level=level, start=start, end=end)
        held = metric_values(store, metric, org=org, level=level) if not rows and (start or end) else rows
    if not rows:
        where = f" for {org.upper()}" if org else ""
        span = (f" from {start.isoformat()}" if start else "") + (f" to {end.isoformat()}" if end else "")
        hint = (f"values{where} are held from {held[0]['period_start']:%Y-%m} to {held[-1]['period_start']:%Y-%m}"
                if held else f"no {level} values{where} are held at all (see `opmodel metrics list`)")
        err_console.print(f"No {level} values of {metric}{where}{span}; {hint}.")
        if fmt is ShowFormat.table and output is None:
            return
    if output is not None:
        _write(rows, fmt, output)
        err_console.print(f"{len(rows)} row(s) written to {output}")
        return
    if fmt is ShowFormat.table:
        shown = [{**r, "value": None if r["value"] is None else round(r["value"], 2)} for r in rows]
        emit_rows(shown, Format.table, SHOW_COLUMNS, title=metric)
        return
    emit_rows(rows, Format(fmt.value), list(rows[0]) if rows else SHOW_COLUMNS)
