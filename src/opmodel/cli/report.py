"""``opmodel report``: the board pack for a trust, ICB or region as PDF or PowerPoint.

A thin adapter over :mod:`opmodel.reports`; ``--all-trusts`` writes one pack per trust in a region
or ICB with a progress bar, rendering on up to two worker processes.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from opmodel.cli.common import handle_errors, open_cli_store, working
from opmodel.cli.output import console, err_console
from opmodel.errors import OpmodelError

__all__ = ["register", "report"]


class PackFormat(StrEnum):
    pdf = "pdf"
    pptx = "pptx"


def report(
    org: Annotated[str, typer.Argument(help="Trust, ICB or region code (e.g. RJ1, QKK, Y56).")],
    period: Annotated[str, typer.Option("--period", help="Oversight quarter, e.g. 2025-26-Q3.")],
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF board pack to this file.")] = None,
    pptx: Annotated[Path | None, typer.Option("--pptx", help="Write the PowerPoint slide pack to this file.")] = None,
    template: Annotated[Path | None, typer.Option("--template", help="Report template YAML (default: the one "
                                                                     "shipped for the organisation's level).")] = None,
    all_trusts: Annotated[bool, typer.Option("--all-trusts", help="One pack per trust in the region or ICB ORG.")
                          ] = False,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", help="With --all-trusts: folder for the packs.")
                       ] = None,
    fmt: Annotated[PackFormat, typer.Option("--format", help="With --all-trusts: pdf or pptx.")] = PackFormat.pdf,
    jobs: Annotated[int, typer.Option("--jobs", min=1, max=8, help="With --all-trusts: render processes.")] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar or progress line.")] = False,
) -> None:
    """The integrated performance report (board pack) for an organisation and quarter."""
    from opmodel.reports import build_report, load_template, render_pdf, render_pptx

    tpl = load_template(template) if template is not None else None
    if all_trusts:
        _all_trusts(org, period, out_dir, fmt, tpl, jobs, quiet)
        return
    if pdf is None and pptx is None:
        raise typer.BadParameter("give --pdf FILE and/or --pptx FILE (or --all-trusts --out-dir DIR)",
                                 param_hint="--pdf")
    with working(f"Building the board pack for {org.upper()}, {period}", quiet=quiet) as step:  # issue 25
        with open_cli_store() as store:
            rep = build_report(store, org, period, template=tpl)
        if pdf is not None:
            step(f"Laying out the PDF for {rep.org_name} ({len(rep.charts)} charts)")
            render_pdf(rep, pdf, title=tpl.title if tpl else "Integrated performance report")
        if pptx is not None:
            step(f"Writing the slides for {rep.org_name}")
            render_pptx(rep, pptx)
    if pdf is not None:
        console.print(f"Wrote {pdf} ({rep.org_name}, {rep.period}, {len(rep.charts)} chart(s))")
    if pptx is not None:
        console.print(f"Wrote {pptx}")


def _all_trusts(org: str, period: str, out_dir: Path | None, fmt: PackFormat, tpl: object, jobs: int,
                quiet: bool) -> None:
    from opmodel.oversight import parse_period
    from opmodel.reports import ReportTemplate, render_many
    from opmodel.structure import get_organisation, list_organisations

    if out_dir is None:
        raise typer.BadParameter("--all-trusts needs --out-dir DIR", param_hint="--out-dir")
    end = parse_period(period).end
    with open_cli_store() as store:
        area = get_organisation(store, org)
        if area.kind.value not in ("region", "icb"):
            raise OpmodelError(f"--all-trusts needs a region or ICB, and {area.code} is a {area.kind.value}")
        scope = {"region": area.code} if area.kind.value == "region" else {"icb": area.code}
        codes = [t["code"] for t in list_organisations(store, kind="trust", on=end, **scope)]
        with Progress(TextColumn(f"Board packs for {area.code}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err_console, disable=quiet) as bar:
            task = bar.add_task("packs", total=len(codes))
            result = render_many(store, codes, period, out_dir, fmt="pdf" if fmt is PackFormat.pdf else "pptx",
                                 template=tpl if isinstance(tpl, ReportTemplate) else None, jobs=jobs,
                                 progress=lambda _c: bar.advance(task))
    console.print(f"Wrote {len(result.written)} {fmt.value.upper()} pack(s) to {out_dir}")
    for code, why in sorted(result.failed.items()):
        err_console.print(f"  {code}: not written: {why}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``opmodel report`` to the root app."""
    app.command("report")(handle_errors(report))
