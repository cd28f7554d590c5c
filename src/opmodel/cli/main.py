"""The ``opmodel`` command: one sub-command (or group) per area, each a thin adapter, imported when run.

Add a command with one line in :data:`COMMANDS` (``name: Lazy("module:attr", "first line of its
help")``); the list's order is the order ``opmodel --help`` shows. See :mod:`opmodel.cli.lazy`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from opmodel import __version__
from opmodel.cli.help_style import install as _readable_help
from opmodel.cli.lazy import Lazy, LazyGroup

__all__ = ["COMMANDS", "app", "main"]

#: Every sub-command: where it lives and the first paragraph of its help (checked by tests/cli/test_lazy.py).
COMMANDS: dict[str, Lazy] = {
    "who": Lazy("opmodel.cli.accountability:who_command",
                "Who holds an organisation to account, for each function, on a date, with sources."),
    "spc": Lazy("opmodel.cli.variation:register",
                "XmR chart of one organisation's series: limits, special causes, variation and assurance icons."),
    "funnel": Lazy("opmodel.cli.variation:register",
                  "Funnel plot of one period: 95% and 99.8% limits, and the organisations outside them by name."),
    "consistency": Lazy("opmodel.cli.variation:register", "Where variation lies: between regions, ICBs in a region "
                        "and trusts in an ICB, per period."),
    "segment": Lazy("opmodel.cli.oversight:register", "Score and segment every organisation for a quarter from "
                    "metric values (stored with policy and input hashes)."),
    "league": Lazy("opmodel.cli.oversight:register",
                  "League tables per peer group, in NHS England's published order where published (adjusted segment, "
                  "then\naverage score; ties share a rank), else the computed one; the computed rank beside it."),
    "explain": Lazy("opmodel.cli.oversight:register",
                  "Why an organisation is in its segment, how far each boundary is, what changed, and what it "
                    "would take."),
    "whatif": Lazy("opmodel.cli.oversight:register",
                  "Re-run a quarter with changed rules or metric values; list every organisation whose average, "
                  "segment or\nrank changes (rank-only changes included)."),
    "change": Lazy("opmodel.cli.uncertainty:register", "Did a trust's average and segment change between two "
                   "quarters beyond noise? (paired resampling)"),
    "derive": Lazy("opmodel.cli.records:derive_command",
                   "Derive 4-hour, 12-hour DTA, RTT 18-week and 52/65/78-week metrics from records."),
    "serve": Lazy("opmodel.cli.serve:serve",
                  "Start the dashboard and REST API (http://HOST:PORT/, API docs at /api/docs)."),
    "report": Lazy("opmodel.cli.report:register",
                   "The integrated performance report (board pack) for an organisation and quarter."),
    "access": Lazy("opmodel.cli.register:register", "Explain what USER may do to CASE (or to an organisation's "
                   "cases) under the operating model on a date."),
    "overview": Lazy("opmodel.cli.overview:overview",
                     "The national structure on a date: regions, their ICBs and trust counts."),
    "org": Lazy("opmodel.cli.org:app", "Organisations: show, list, tree and changes on any date."),
    "data": Lazy("opmodel.cli.data:app",
                  "Registry data (ODS snapshots, reference lists) and the statistical series: what is held, what "
                  "is due, fetching the newest files."),
    "metrics": Lazy("opmodel.cli.metrics:app",
                    "Metrics: load NHS England publications, list metrics, show values at any level."),
    "model": Lazy("opmodel.cli.accountability:app",
                  "Operating models: list, show, check and compare who is accountable for what."),
    "records": Lazy("opmodel.cli.records:app",
                    "Record-level data: generate calibrated synthetic records, validate, derive metrics."),
    "users": Lazy("opmodel.cli.register:register",
                  "Register users: each belongs to an organisation and holds a bearer token that expires."),
    "cases": Lazy("opmodel.cli.register:register", "Support and intervention cases in the register."),
    "population": Lazy("opmodel.cli.population:app", "Population health and inequalities: ICB profiles, "
                       "Core20PLUS5, comparison across ICBs."),
    "quality": Lazy("opmodel.cli.quality:app", "Quality and safety: CQC ratings, mortality (SHMI) and patient "
                    "experience (FFT); third-party processed copies, labelled so."),
    "map": Lazy("opmodel.cli.maps:register",
                  "Shade England's ICBs or regions by a measure; writes the map and prints its data table."),
}


class _Root(LazyGroup):
    registry = COMMANDS


_readable_help()
app = typer.Typer(
    name="opmodel",
    cls=_Root,
    help="opmodel: the NHS England operating model as code (structure, accountability, metrics, "
    "oversight, variation).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from opmodel.cli.output import console

        console.print(f"opmodel {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    store: Annotated[Path | None, typer.Option("--store", envvar="OPMODEL_STORE",
                                               help="DuckDB store file (default: the user data directory).")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    from opmodel.cli.common import state

    state.store_path = store


def main() -> None:
    # Pydantic scans every installed package's entry points for plugins the first time a model is built
    # (about 30 ms a command, issue 25); opmodel uses none. Setting the variable yourself overrides this.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app()
