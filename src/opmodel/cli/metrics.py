"""``opmodel metrics``: load NHS England publications, list metrics and show values."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from opmodel import csvsafe
from opmodel.cli.common import handle_errors, open_cli_store
from opmodel.cli.output import Format, console, emit_rows, err_console, to_jsonable
from opmodel.metrics import LEVELS, as_of_summary, list_metrics, metric_freshness, metric_values

if TYPE_CHECKING:  # the loader (readers, pyarrow) is imported by `metrics load` only (issue 25)
    from opmodel.metrics import LoadReport
    from opmodel.metrics.loader import FileResult

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


_GROUP = 10  # more loaded files than this from one folder and publication: one line for them


def _summary(report: LoadReport) -> None:
    verb = "Would load" if report.dry_run else "Loaded"
    groups: dict[tuple[str, str | None], list[FileResult]] = {}
    for f in report.files:
        if f.status == "loaded":
            groups.setdefault((str(Path(f.path).parent), f.publication), []).append(f)
    for (folder, publication), files in groups.items():
        if len(files) > _GROUP:
            label = " (third-party)" if files[0].third_party else ""
            console.print(f"  [green]loaded[/]    {len(files)} files in {folder} ({publication}{label}): "
                          f"{sum(f.rows for f in files)} value(s), {sum(f.inserted for f in files)} new, "
                          f"{sum(f.replaced for f in files)} replaced, {sum(f.unchanged for f in files)} unchanged",
                          highlight=False)
            kept = sum(f.kept for f in files)
            if kept:
                note = ("third-party figures never replace official ones" if files[0].third_party
                        else "the store holds newer figures for them")
                console.print(f"  [dim]kept[/]      {kept} stored value(s) not replaced: {note}", highlight=False)
            continue
        for f in files:
            label = ", third-party" if f.third_party else ""
            console.print(f"  [green]loaded[/]    {f.path} ({f.publication}{label}): {f.rows} value(s), "
                          f"{f.inserted} new, {f.replaced} replaced, {f.unchanged} unchanged", highlight=False)
            if f.kept:
                console.print(f"  [{'dim' if f.third_party else 'yellow'}]"
                              f"{'kept' if f.third_party else 'warning'}[/]   {f.message}", highlight=False)
    for f in report.files:
        if f.status == "rejected":
            console.print(f"  [red]refused[/]   {f.path}: {f.message}", highlight=False)
    unchanged = [f for f in report.files if f.status == "unchanged"]
    for f in unchanged[:_GROUP]:
        console.print(f"  [dim]unchanged[/] {f.path}: {f.message}", highlight=False)
    if len(unchanged) > _GROUP:
        console.print(f"  [dim]unchanged {len(unchanged) - _GROUP} more file(s) already loaded[/]")
    for f in report.named_skipped:
        console.print(f"  [yellow]skipped[/]   {f.path}: {f.message or 'not a publication any reader recognises'}")
    skipped = [f for f in report.files if f.status == "skipped" and not f.named]
    if skipped:
        console.print(f"  [dim]skipped {len(skipped)} file(s) no reader recognises:[/] "
                      + ", ".join(Path(f.path).name for f in skipped[:12]) + (" ..." if len(skipped) > 12 else ""))
    console.print(f"{verb} {report.count('loaded')} file(s): {report.inserted} value(s) new, "
                  f"{report.replaced} replaced; {report.count('unchanged')} already loaded, "
                  f"{report.count('skipped')} skipped, {report.count('rejected')} refused.")
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
    """Load published files, each on its own: good files are committed, bad ones refused by name.

    A file that is malformed or implausible (a value outside its domain, a period that has not
    ended, NUL bytes), that looks like a publication (its name or header words) but is not
    recognised, or a compressed file over the size limits is refused with the file, line and
    field; nothing from it is written, and every other file still loads.

    Exit codes: 0 every file loaded or already loaded (files in folders that are not
    publications are skipped); 1 at least one file refused (the others were loaded); 3 loaded,
    but a file you named was skipped as not a publication.
    """
    from opmodel.metrics import MetricsLoadError, load_files
    from opmodel.metrics.loader import EXIT_OK, EXIT_REJECTED

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
            refused = exc.report.count("rejected")
            done = ("nothing from them was written; the other files were loaded" if exc.report.committed
                    else "nothing was written")
            err_console.print(f"[bold red]Refused {refused} file(s); {done}.[/]\n{exc}", highlight=False)
            raise typer.Exit(EXIT_REJECTED) from None
        bar.update(task, completed=len(report.files))
    _summary(report)
    if report.exit_code != EXIT_OK:
        raise typer.Exit(report.exit_code)


@app.command("list")
@handle_errors
def list_(fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table) -> None:
    """Metrics in the catalogue (and any others loaded): what the store holds and how current it is.

    ``published`` is the release calendar's date for the latest period held; ``next_due`` the date
    the following period's figures were (or are) due; ``status`` says "overdue" when that date has
    passed: the store is older than the publication cycle (``opmodel data update`` fetches newer files).
    """
    with open_cli_store() as store:
        rows = list_metrics(store)
        fresh = {f.metric: f for f in metric_freshness(store)}
    for r in rows:
        f = fresh.get(r["metric"])
        r.update(published=f.published if f else None, next_due=f.next_due if f else None,
                 status=None if f is None else "overdue" if f.overdue else "current",
                 third_party=f.third_party if f else None)
    emit_rows(rows, fmt, ["metric", "name", "unit", "frequency", "nof_id", "values_held", "organisations",
                          "first_period", "last_period", "published", "next_due", "status"])
    if fmt is Format.table and fresh:
        late = [f for f in fresh.values() if f.overdue]
        console.print(f"As of: {as_of_summary(list(fresh.values()))}.", highlight=False)
        if late:
            console.print(f"{len(late)} metric(s) older than their publication cycle (status overdue); "
                          "`opmodel data sources` says what is due and `opmodel data update` fetches it.",
                          highlight=False)


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
        fresh = metric_freshness(store, org if level != "england" else None, metrics=[metric]) \
            if fmt is ShowFormat.table and rows else []
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
        shown = [{**r, "value": None if r["value"] is None else round(r["value"], 2),
                  "source": f"{r['source']} (third-party)" if r.get("third_party") else r["source"]} for r in rows]
        emit_rows(shown, Format.table, SHOW_COLUMNS, title=metric)
        if fresh:
            f = fresh[0]
            late = f"; newer figures overdue: {f.due_note}" if f.overdue else ""
            pub = f", published {f.published:%-d %B %Y}" if f.published else ""
            who = f" for {org.upper()}" if org else ""
            console.print(f"As of: {metric}{who} held to {f.latest_label}{pub}{late}.", highlight=False)
        if any(r.get("third_party") for r in rows):
            console.print("Values marked (third-party) are third-party processed figures of NHS England "
                          "statistics; official files replace them when loaded.", highlight=False)
        return
    emit_rows(rows, Format(fmt.value), list(rows[0]) if rows else SHOW_COLUMNS)
