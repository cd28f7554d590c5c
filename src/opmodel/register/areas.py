"""Which organisations a region or an ICB holds on a date, for filtering cases by area.

Shared by the API (``?region=``), the pages and ``opmodel cases list --region`` so the three
filter alike: a region holds its ICBs and the trusts in them; an ICB holds its trusts.
"""

from __future__ import annotations

import datetime as dt

from opmodel.store import Store
from opmodel.structure import list_organisations

__all__ = ["area_org_codes"]


def area_org_codes(store: Store, on: dt.date, region: str | None = None, icb: str | None = None) -> set[str] | None:
    """Organisations in a region or an ICB on ``on`` (trusts and, for a region, its ICBs); None: no filter."""
    if region is None and icb is None:
        return None
    codes: set[str] = set()
    for kind in ("trust", "icb"):
        for o in list_organisations(store, kind=kind, on=on):
            if (region and o.get("region") == region.upper()) or (icb and o.get("icb") == icb.upper()):
                codes.add(o["code"])
    return codes
