"""``opmodel records`` and ``opmodel derive``: record-level data on DuckDB or Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from opmodel.cli.common import handle_errors, open_cli_store, working
from opmodel.cli.output import Format, console, emit_json, emit_rows

app = typer.Typer(help="Record-level data: generate calibrated synthetic records, validate, derive metrics.",
                  no_args_is_help=True)

OutArg = Annotated[Path, typer.Argument(help="Records folder (holds ae_attendances/ and rtt_pathways/).")]


def _bar(label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, transient=False)


@app.command("generate")
@handle_errors
def generate(
    out: OutArg,
    ae: Annotated[Path | None, typer.Option("--ae", help="Folder of monthly A&E CSVs to calibrate to.")] = None,
    rtt: Annotated[Path | None, typer.Option("--rtt", help="RTT full extract (zip or CSV) to calibrate to.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same records).")] = 1,
    provider: Annotated[list[str] | None, typer.Option("--provider", help="Only this provider (repeatable).")
                        ] = None,
    month: Annotated[list[str] | None, typer.Option("--month", help="Only this A&E month, YYYY-MM (repeatable).")
                     ] = None,
    inject_bad: Annotated[int, typer.Option("--inject-bad", help="Add N bad records per rule per month file.")
                          ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Write synthetic records whose aggregates equal the published counts exactly."""
    from opmodel.records import ae_calibration_files, generate_ae, generate_rtt, read_ae_counts

    if ae is None and rtt is None:
        raise typer.BadParameter("give --ae FOLDER and/or --rtt EXTRACT", param_hint="--ae/--rtt")
    if ae is not None:
        files = ae_calibration_files(ae)
        if not files:
            raise typer.BadParameter(f"no monthly A&E CSV in {ae}", param_hint="--ae")
        total = sum(sum(c.attendances) for f in files for c in read_ae_counts(f)
                    if (provider is None or c.org_code in provider)
                    and (month is None or c.month.isoformat()[:7] in month))
        with _bar("A&E attendances") as bar:
            task = bar.add_task("ae", total=total, visible=not quiet)
            res = generate_ae(files, out, seed=seed, providers=provider, months=month, inject_bad=inject_bad,
                              progress=lambda n: bar.advance(task, n))
        console.print(f"A&E: {res.records:,} records in {len(res.files)} month file(s) under {res.dataset}")
    if rtt is not None:
        with _bar("RTT pathways") as bar:  # no total: counting it would read the extract twice
            task = bar.add_task("rtt", total=None, visible=not quiet)
            res = generate_rtt(rtt, out, seed=seed, providers=provider, inject_bad=inject_bad,
                               progress=lambda n: bar.advance(task, n))
        console.print(f"RTT: {res.records:,} records under {res.dataset}")


@app.command("validate")
@handle_errors
def validate(root: OutArg) -> None:
    """Check every dataset's columns, types and code lists with pandera (a full scan on DuckDB)."""
    from opmodel.records import AE_DATASET, RTT_DATASET, connect, read_dataset

    con = connect()
    for name in (AE_DATASET, RTT_DATASET):
        if (root / name).is_dir():
            table = read_dataset(con, root / name, validate_data=True)
            console.print(f"{name}: {int(con.execute(table.count())):,} records, schema valid")


def derive(
    root: OutArg,
    engine: Annotated[str, typer.Option("--engine", help="duckdb (default, embedded) or spark.")] = "duckdb",
    spark_master: Annotated[str | None, typer.Option(
        "--spark-master", help="Spark master URL, e.g. spark://127.0.0.1:7077 (default local[2]).")] = None,
    providers: Annotated[Path | None, typer.Option(
        "--providers", help="CSV with a 'code' column: extra known provider codes.")] = None,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Write the metric values to the store.")] = True,
    fmt: Annotated[Format, typer.Option("--format", help="Output format for the metric values.")] = Format.table,
) -> None:
    """Derive 4-hour, 12-hour DTA, RTT 18-week and 52/65/78-week metrics from records."""
    from opmodel.records import (
        Engine,
        connect,
        derive_folder,
        exclusion_rows,
        files_sha256,
        known_provider_codes,
        metric_rows,
        read_provider_list,
        write_metric_rows,
    )

    try:
        chosen = Engine(engine)
    except ValueError:
        raise typer.BadParameter("expected duckdb or spark", param_hint="--engine") from None
    with open_cli_store() as store, working(f"Deriving metrics from {root} on {chosen.value}",
                                            quiet=fmt is Format.json) as step:  # issue 25: progress
        known = known_provider_codes(store)
        if providers is not None:
            known |= read_provider_list(providers)
        if chosen.value == "spark":
            step("Starting Spark")
        con = connect(chosen, spark_master=spark_master)
        step(f"Deriving metrics from {root} on {chosen.value}")
        derived = derive_folder(con, root, known)
        if derived.ae is None and derived.rtt is None:
            raise typer.BadParameter(f"no ae_attendances/ or rtt_pathways/ folder in {root}", param_hint="ROOT")
        rows = metric_rows(derived)
        source_id = None
        if save:
            step(f"Writing {len(rows):,} metric values to the store")
            files = [f for fs in derived.files.values() for f in fs]
            source_id = write_metric_rows(store, rows, file=root, publication=f"records_{chosen.value}",
                                          sha256=files_sha256(files, root))
    table: list[dict[str, Any]] = [
        {"metric": r.metric, "org_code": r.org_code, "period": r.period_start.isoformat()[:7], "value": r.value,
         "numerator": r.numerator, "denominator": r.denominator,
         "excluded": sum(r.extra["excluded"].values())} for r in rows]
    if fmt is Format.json:
        emit_json({"engine": chosen.value, "source_id": source_id, "values": table,
                   "exclusions": exclusion_rows(derived)})
        return
    emit_rows(table, fmt, ["metric", "org_code", "period", "value", "numerator", "denominator", "excluded"])
    if fmt is Format.table:
        excl = exclusion_rows(derived)
        by_rule: dict[str, int] = {}
        for e in excl:
            by_rule[f"{e['dataset']}: {e['rule']}"] = by_rule.get(f"{e['dataset']}: {e['rule']}", 0) + e["excluded"]
        for key, n in sorted(by_rule.items()):
            console.print(f"[yellow]excluded[/] {key}: {n:,} record(s)")
        where = f" (source {source_id})" if source_id is not None else " (not saved)"
        console.print(f"{len(rows):,} metric values derived on {chosen.value}{where}")


derive_command = app.command("derive")(handle_errors(derive))
