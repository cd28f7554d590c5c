"""``opmodel change``, and the likely ranges the ``league`` command adds to its rows (issue 12).

Thin adapters over :mod:`opmodel.oversight.uncertainty_run`: the league command calls
:func:`add_ranges` on its rows, so ranges are computed on every call (cached per input hash).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from opmodel.cli.common import handle_errors, open_cli_store
from opmodel.cli.output import Format, console, emit_json, err_console
from opmodel.oversight.results import SegmentationRun
from opmodel.oversight.uncertainty import DEFAULT_REPLICATES, DEFAULT_SEED, Method
from opmodel.store import Store

__all__ = ["RANGE_COLUMNS", "MethodOpt", "ReplicatesOpt", "SeedOpt", "add_ranges", "change_cmd", "register",
           "table_text"]

ReplicatesOpt = Annotated[int, typer.Option("--replicates", min=100, max=100_000,
                                            help="Resampling replicates for the likely ranges.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same ranges).")]
MethodOpt = Annotated[str, typer.Option("--method", help="metric-mix (resample each trust's metric scores) or "
                                        "metric-noise (sampling error of values with numerator and denominator).")]
#: Extra columns the league table shows and its CSV carries.
RANGE_COLUMNS = ["likely_range_average", "likely_range_rank"]


def _method(text: str) -> Method:
    if text not in ("metric-mix", "metric-noise"):
        raise typer.BadParameter(f"expected metric-mix or metric-noise, got {text!r}", param_hint="--method")
    return "metric-mix" if text == "metric-mix" else "metric-noise"


def add_ranges(store: Store, rows: Sequence[dict[str, Any]], run: SegmentationRun, peer_group: str | None = None,
               *, replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED,
               method: str = "metric-mix") -> dict[str, Any]:
    """Add ``likely_range_average``, ``likely_range_rank`` and ``p_segment`` (and the published ranges where
    loaded) to the league rows of ``run`` in place; return the table summary (method, rankability, notes)."""
    from opmodel.oversight.computed import computed_inputs_from_run
    from opmodel.oversight.periods import parse_period
    from opmodel.oversight.uncertainty_run import published_ranges, range_agreement, ranges_for_inputs

    ranges = ranges_for_inputs(computed_inputs_from_run(run, peer_group), replicates=replicates, seed=seed,
                               method=_method(method), store=store)
    per = parse_period(run.period)
    published = published_ranges(store, per.start.isoformat(), per.end.isoformat())
    for row in rows:
        row.update(ranges.row_fields(str(row["org_code"])))
        pub = published.get(str(row["org_code"]))
        if pub is not None:
            row["published_likely_range_average"] = pub["published_likely_range_average"]
            row["published_likely_range_rank"] = pub["published_likely_range_rank"]
    summary = ranges.summary()
    summary["published_agreement"] = range_agreement(ranges, published)
    return summary


def table_text(summary: dict[str, Any]) -> str:
    """One line under a league table: how the ranges were made and how rankable the table is."""
    rk = ", ".join(f"{g} {v:.2f}" for g, v in summary["rankability"].items()) or "none"
    return (f"likely ranges: {summary['method']}, {summary['replicates']} replicates, seed {summary['seed']} "
            f"(our reconstruction, not NHS England's stated method); rankability {rk}")


def change_cmd(org: Annotated[str, typer.Argument(help="ODS code, e.g. RW1.")],
               period_from: Annotated[str, typer.Option("--from", help="Earlier quarter, e.g. 2025-26-Q2.")],
               period_to: Annotated[str, typer.Option("--to", help="Later quarter, e.g. 2025-26-Q3.")],
               framework: Annotated[str | None, typer.Option("--framework", help="Policy, e.g. nof-2025-26.")] = None,
               replicates: ReplicatesOpt = DEFAULT_REPLICATES, seed: SeedOpt = DEFAULT_SEED,
               fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table) -> None:
    """Did a trust's average and segment change between two quarters beyond noise? (paired resampling)"""
    from opmodel.oversight.uncertainty_run import significant_change

    with open_cli_store() as store:
        d = significant_change(store, org, period_from, period_to, framework, replicates=replicates, seed=seed)
    if fmt is Format.json:
        emit_json(d)
        return
    if fmt is Format.csv:
        from opmodel.cli.output import emit_rows

        emit_rows([d], fmt)
        return
    lo, hi = d["change_interval"]
    console.print(f"[bold]{d['org_code']} {d['org_name']}[/]  {d['period_from']} -> {d['period_to']}", highlight=False)
    console.print(f"average {d['average_from']} -> {d['average_to']}: change {d['change']:+.3f}, likely range "
                  f"{lo:+.3f} to {hi:+.3f} ({'significant' if d['change_significant'] else 'not significant'})",
                  highlight=False)
    console.print(f"segment {d['segment_from']} -> {d['segment_to']}: "
                  f"{'outside noise' if d['move_outside_noise'] else 'within noise'}; {d['reason']}", highlight=False)
    err_console.print(f"{d['replicates']} paired replicates, seed {d['seed']}; {d['method']}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``opmodel change`` to the root app."""
    app.command("change")(handle_errors(change_cmd))
