"""A region's board pack: a map of its ICBs shaded by the template's ``map`` measure (issue 26).

The map is drawn by :mod:`opmodel.maps` for the ICBs in force on the quarter's last day, the
region's own ICBs shaded and its neighbours grey; segment shares reuse the pack's segmentation run
(``ctx``). Trust and ICB packs get no map (their template has no ``map`` line).
"""

from __future__ import annotations

from typing import Any

from opmodel.errors import OpmodelError
from opmodel.reports.model import MapSection
from opmodel.store import Store

__all__ = ["region_map_section"]


def region_map_section(store: Store, code: str, level: str, measure: str | None, ctx: Any) -> MapSection | None:
    """The region's ICBs on ``ctx.period_end`` shaded by ``measure``; None when the pack has no map."""
    if measure is None or level != "region":
        return None
    from opmodel.maps import SEGMENT_MEASURE, choropleth, render_values, segment_share

    try:
        if measure in (SEGMENT_MEASURE, "segments") and getattr(ctx, "run", None) is not None:
            values = segment_share(store, "icb", ctx.period_end, run=ctx.run)
            result = render_values(store, values, within=code, width=560)
        else:
            result = choropleth(store, measure, "icb", ctx.period_end, within=code, width=560)
    except OpmodelError as exc:
        return MapSection(available=False, measure=measure, note=f"The map could not be drawn: {exc}")
    v = result.values
    return MapSection(available=True, measure=measure, title=result.title, caption=result.caption,
                      svg=result.svg, period=v.period,
                      england=v.format(v.england) if v.england is not None and v.england_comparable else None,
                      rows=[{k: r[k] for k in ("code", "name", "formatted", "note")} for r in result.rows],
                      attribution=result.attribution)
