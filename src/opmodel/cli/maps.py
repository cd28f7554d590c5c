"""``opmodel map``: a map of England's ICBs or regions on a date, shaded by a measure, as SVG or PNG.

A thin adapter over :func:`opmodel.maps.choropleth`; the data table is printed (or written as CSV)
beside the image.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from opmodel.cli.common import handle_errors, open_cli_store, parse_date
from opmodel.cli.output import Format, emit_rows, err_console

__all__ = ["map_command", "register"]


class MapLevel(StrEnum):
    icb = "icb"
    region = "region"


def map_command(
    measure: Annotated[str, typer.Argument(help="What to shade: a metric (ae_4hr, rtt_18wk), segment_3_5 (trusts in "
                                                "oversight segments 3 to 5), a quality measure "
                                                "(cqc_good_or_outstanding, shmi_higher_than_expected, shmi, "
                                                "fft_positive), a population indicator (qof_hypertension, "
                                                "core20_share) or SOURCE:ID.")],
    level: Annotated[MapLevel, typer.Option("--level", help="Areas to shade.")] = MapLevel.icb,
    on: Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD) whose areas are drawn; default "
                                                        "today (42 ICBs before April 2026, 36 after).")] = None,
    period: Annotated[str | None, typer.Option("--period", help="The measure's period: a month (2025-07), a "
                                                                "quarter (2025-26-Q3) or a year (2023); default "
                                                                "the latest up to --on.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only this region's ICBs (e.g. Y56).")] = None,
    focus: Annotated[str | None, typer.Option("--focus", help="One ICB or region among its neighbours.")] = None,
    svg: Annotated[Path | None, typer.Option("--svg", help="Write the map as SVG.")] = None,
    png: Annotated[Path | None, typer.Option("--png", help="Write the map as PNG (for slides).")] = None,
    width: Annotated[int, typer.Option("--width", min=240, max=2000, help="Width in pixels.")] = 600,
    fmt: Annotated[Format, typer.Option("--format", help="Format of the data table on standard output.")
                   ] = Format.table,
) -> None:
    """Shade England's ICBs or regions by a measure; writes the map and prints its data table."""
    from opmodel.maps import choropleth, svg_to_png

    day = parse_date(on)
    with open_cli_store() as store:
        result = choropleth(store, measure, level.value, day, period, focus=focus, within=region, width=width,
                            show_title=True)
    if svg is not None:
        tmp = svg.with_name(svg.name + ".part")
        tmp.write_text(result.svg, encoding="utf-8")
        tmp.replace(svg)
        err_console.print(f"wrote {svg}")
    if png is not None:
        svg_to_png(result.svg, png)
        err_console.print(f"wrote {png}")
    v = result.values
    rows = [{"code": r["code"], "name": r["name"], "value": None if r["value"] is None else round(r["value"], 4),
             "note": r["note"]} for r in result.rows]
    emit_rows(rows, fmt, title=result.title)
    if fmt is Format.table:
        err_console.print(f"England: {v.format(v.england)} · {v.period} · {v.source}", highlight=False)
        for note in v.notes:
            err_console.print(note, highlight=False)
        err_console.print(result.attribution, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``opmodel map`` to the root app."""
    app.command("map")(handle_errors(map_command))
