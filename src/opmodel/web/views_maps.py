"""View models for maps: the home page's segment map, an area among its neighbours, small multiples.

Built on :mod:`opmodel.maps`; the oversight quarter's run comes from the page's memo
(:func:`opmodel.web.views_oversight.run_for`), so the map and the home page's segment figures rest
on the same run and the same quarter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from opmodel.errors import OpmodelError
from opmodel.maps import ATTRIBUTION, MapResult, MeasureValues, choropleth, render_values, segment_share
from opmodel.store import Store
from opmodel.web.views_oversight import Memo, no_memo, periods_available, run_for

__all__ = ["MapRow", "MapView", "area_page_map", "map_view", "overview_map", "small_map_views"]


class MapRow(BaseModel):
    code: str
    name: str
    value: float | None
    formatted: str
    note: str = ""


class MapView(BaseModel):
    """A rendered map with its data table, ready for ``_map_macros.jinja``."""

    id: str
    measure: str
    level: str
    title: str
    caption: str
    period: str
    source: str
    england: str = Field(description="England's value, formatted ('' when not comparable).")
    svg: str
    rows: list[MapRow]
    notes: list[str] = Field(default_factory=list)
    attribution: str = ATTRIBUTION


def map_view(result: MapResult, id_: str) -> MapView:
    v = result.values
    return MapView(id=id_, measure=v.measure, level=v.level, title=result.title, caption=result.caption,
                   period=v.period, source=v.source + (" (third-party figures)" if v.third_party else ""),
                   england=v.format(v.england) if v.england is not None and v.england_comparable else "",
                   svg=result.svg, rows=[MapRow(**{k: r[k] for k in MapRow.model_fields}) for r in result.rows],
                   notes=list(v.notes), attribution=result.attribution)


def _segments(store: Store, level: str, on: dt.date, memo: Memo[Any]) -> Any | None:
    periods = periods_available(store, memo)
    if not periods:
        return None
    run = run_for(store, periods[-1], memo)
    return None if run is None else segment_share(store, level, on, run=run)


def overview_map(store: Store, on: dt.date, memo: Memo[Any] = no_memo) -> MapView | None:
    """Every ICB in force on ``on`` shaded by the share of its trusts in segments 3 to 5 (home page)."""
    def compute() -> MapView | None:
        values = _segments(store, "icb", on, memo)
        if values is None:
            return None
        try:
            return map_view(render_values(store, values, width=600), "england-map")
        except OpmodelError:
            return None

    found: MapView | None = memo(("map-overview", on), compute)
    return found


def area_page_map(store: Store, code: str, kind: str, on: dt.date, memo: Memo[Any] = no_memo) -> MapView | None:
    """An ICB or region highlighted among its neighbours, shaded like the home page (ICB and region pages)."""
    def compute() -> MapView | None:
        values = _segments(store, kind, on, memo)
        if values is None:
            return None
        try:
            return map_view(render_values(store, values, focus=code, width=480), "area-map")
        except OpmodelError:
            return None  # an area not in force on the page's date has no place on its map

    found: MapView | None = memo(("map-area", code, kind, on), compute)
    return found


def small_map_views(store: Store, measures: Sequence[str | MeasureValues], level: str, on: dt.date,
                    memo: Memo[Any] = no_memo, width: int = 300) -> list[MapView]:
    """One small map per measure (the consistency page): ``{% for m in maps %}{{ map_figure(m) }}``.

    A measure id is resolved through the maps' sources (one that cannot be drawn is left out); a
    :class:`~opmodel.maps.MeasureValues` already computed (the consistency report's own figures, so the
    maps and the tables beside them agree) is drawn as it is.
    """
    def compute() -> list[MapView]:
        out = []
        for item in measures:
            try:
                result = (render_values(store, item, width=width) if isinstance(item, MeasureValues)
                          else choropleth(store, item, level, on, width=width))
            except OpmodelError:
                continue
            out.append(map_view(result, "map-" + re.sub(r"[^A-Za-z0-9_-]", "-", result.values.measure)))
        return out

    key = tuple(m if isinstance(m, str) else ("given", m.measure, m.period, m.source) for m in measures)
    found: list[MapView] = memo(("map-small", key, level, on, width), compute)
    return found
