"""``opmodel overview``: the national structure on a date."""

from __future__ import annotations

from typing import Annotated

import typer

from opmodel.cli.common import handle_errors, open_cli_store, parse_date
from opmodel.cli.output import console

__all__ = ["overview"]


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
