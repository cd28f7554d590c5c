"""Choropleth maps of England's ICBs and regions on a date, shaded by any measure held at that level.

One function, :func:`choropleth`, serves every place a map appears: the home page (England),
ICB and region pages (the area among its neighbours: ``focus``), a region's board pack (its ICBs:
``within``), the consistency page (:func:`small_maps`) and ``opmodel map``. The areas drawn are
those the registry has in force on the date (42 ICBs to 31 March 2026, 36 from 1 April), each with
its shipped boundary (:mod:`opmodel.maps.geometry`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.maps.geometry import ATTRIBUTION, Shape, boundaries
from opmodel.maps.measures import MeasureRequest, MeasureValues, check_level, resolve_measure
from opmodel.maps.scales import scale_for
from opmodel.maps.svg import Legend, MapArea, TickFormat, render_svg
from opmodel.store import Store

__all__ = ["DEFAULT_MEASURE", "MapResult", "area_map", "areas_on", "choropleth", "region_map", "render_values",
           "small_maps", "svg_to_png"]

#: The measure the home page, area pages and board packs open with.
DEFAULT_MEASURE = "segment_3_5"
_LEVEL_WORD = {"icb": "ICB", "region": "region"}


@dataclass
class MapResult:
    """A rendered map and the data table that goes with it (one row per area shaded)."""

    svg: str
    values: MeasureValues
    rows: list[dict[str, Any]]
    title: str
    caption: str
    attribution: str = ATTRIBUTION
    missing: list[str] = field(default_factory=list)


def areas_on(store: Store, level: str, on: dt.date) -> list[tuple[dict[str, Any], Shape | None]]:
    """The registry's ICBs (or regions) in force on ``on``, each with its boundary (None if none is held)."""
    from opmodel.structure import list_organisations

    b = boundaries()
    return [(a, b.get(level, a["code"])) for a in list_organisations(store, kind=level, on=on)]


def _splits(in_force: set[str], on: dt.date) -> list[Shape]:
    """Parts of closed ICBs the data cannot divide, shown while all their successors are in force."""
    return [s for s in boundaries().of_kind("split")
            if s.in_force(on) and s.code not in in_force and all(c in in_force for c in s.successors)]


def _pid(*parts: object) -> str:
    return "m" + hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:8]


def render_values(store: Store, values: MeasureValues, *, focus: str | None = None, within: str | None = None,
                  width: int = 600, show_title: bool = False, pid: str | None = None) -> MapResult:
    """Draw already computed values (a caller holding a memoised result skips the source)."""
    level, on = values.level, values.on
    found = areas_on(store, level, on)
    if not found:
        start = "ICBs began on 1 July 2022" if level == "icb" else "regions began on 1 April 2019"
        raise OpmodelError(f"No {level}s were in force on {on} ({start}).")
    missing = [a["code"] for a, s in found if s is None]
    drawn = [(a, s) for a, s in found if s is not None]
    names = {a["code"]: a["name"] for a, _ in found}
    shapes = {a["code"]: s for a, s in drawn}
    subject = set(shapes)
    if within is not None:
        subject = {c for c, s in shapes.items() if s.region == within.upper()}
        if not subject:
            raise UnknownCodeError("region with areas on the map", within,
                                   sorted({s.region or "" for s in shapes.values()}))
    if focus is not None:
        code = focus.upper()
        if code not in shapes:
            raise UnknownCodeError(f"{_LEVEL_WORD[level]} in force on {on}", focus, sorted(shapes))
        b = boundaries()
        subject = {code} | {n.code for n in b.neighbours(shapes[code], list(shapes.values()))}
    held = [v.value for c, v in values.values.items() if c in subject and v.value is not None]
    comparable = values.england if values.england_comparable else None
    # Values that cannot be negative (shares, rates, counts, ratios) keep the legend at or above 0; percentages
    # at or below 100.
    floor = 0.0 if held and min(held) >= 0 else None
    ceiling = 100.0 if values.unit in ("%", "percent") and held and max(held) <= 100 else None
    scale = scale_for(held, values.polarity, comparable, floor, ceiling) if held else None
    areas: list[MapArea] = []
    rows: list[dict[str, Any]] = []
    notes = list(values.notes)
    for code, shape in shapes.items():
        if code not in subject:
            areas.append(MapArea(shape, "", None, context=True))
            continue
        v = values.values.get(code)
        value = v.value if v is not None else None
        text = values.format(value) if value is not None else "no data"
        note = v.note if v is not None else ""
        label = f"{names[code]} ({code}): {text}" + (f"; {note}" if note else "")
        colour = scale.colour(value) if scale is not None and value is not None else None
        areas.append(MapArea(shape, label, colour, focus=code == (focus or "").upper()))
        rows.append({"code": code, "name": names[code], "value": value, "formatted": text, "note": note,
                     "ons_code": shape.ons if shape.kind != "split" else None})
    for s in _splits(set(names), on):
        heirs = " and ".join(f"{names.get(c, c)} ({c})" for c in s.successors)
        if within is None or s.region == within.upper():
            label = (f"Part of the former {s.name} ({s.code}), divided on {s.valid_from:%-d %B %Y} between {heirs}: "
                     "not shaded, as the boundary data does not divide it")
            if focus is None or any(c in subject for c in s.successors):
                areas.append(MapArea(s, label, None))
                notes.append(label + ".")
            else:
                areas.append(MapArea(s, "", None, context=True))
    if focus is not None or within is not None:  # only what is near the subject, as context
        sub = [a.shape for a in areas if not a.context]
        x0 = min(s.bbox[0] for s in sub)
        y0 = min(s.bbox[1] for s in sub)
        x1 = max(s.bbox[2] for s in sub)
        y1 = max(s.bbox[3] for s in sub)
        areas = [a for a in areas if not a.context or _overlaps(a.shape.bbox, (x0, y0, x1, y1))]
    rows.sort(key=lambda r: r["name"])
    word = _LEVEL_WORD[level]
    place = _name(store, within) if within is not None else "England"
    title = f"{values.name}, {values.period}, by {word} ({len(rows)} {word}s in force on {on:%-d %B %Y})"
    if focus is not None:
        title = f"{names[focus.upper()]} among its neighbours: {values.name}, {values.period}"
    elif within is not None:
        title = f"{values.name}, {values.period}: the {len(rows)} {word}s of {place} on {on:%-d %B %Y}"
    eng = (f"England {values.format(values.england)}" if values.england is not None and values.england_comparable
           else "")
    caption = (f"{title}. " + (f"{eng}. " if eng else "") + f"Source: {values.source}. " + " ".join(notes)
               + f" {ATTRIBUTION}").strip()
    steps = [b - a for a, b in itertools.pairwise(scale.breaks)] if scale is not None else []
    legend = Legend(title=values.name + (f" ({values.unit})" if values.unit else ""), scale=scale,
                    england=comparable if scale is not None else None,
                    england_text=eng, tick=TickFormat(steps, values.decimals if scale is not None
                                                       and scale.kind == "diverging" else 0))
    england_view = focus is None and within is None
    inset = [c for c, s in shapes.items() if s.region == "Y56"] if england_view and level == "icb" else None
    source = f"{values.period} · {values.source}" + (" (third-party figures)" if values.third_party else "")
    svg = render_svg(areas, legend, title=title, description=caption, source=source,
                     pid=pid or _pid(values.measure, level, on, focus, within, width), width=width,
                     show_title=show_title, england_view=england_view, inset=inset)
    return MapResult(svg=svg, values=values, rows=rows, title=title, caption=caption, missing=missing)


def _name(store: Store, code: str) -> str:
    from opmodel.structure import get_organisation

    return get_organisation(store, code).name


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def choropleth(store: Store, measure: str, level: str = "icb", on: dt.date | None = None,
               period: str | None = None, *, focus: str | None = None, within: str | None = None,
               width: int = 600, show_title: bool = False) -> MapResult:
    """A shaded map of ``measure`` for the ICBs (or regions) in force on ``on`` (default today).

    ``period`` is the measure's own (a month ``2025-07`` for a metric, a quarter ``2025-26-Q3`` for
    segments, a year for a population indicator; default the latest held up to ``on``). ``focus``
    draws one area among its neighbours; ``within`` a region's areas only.
    """
    lvl = check_level(level)
    day = on or dt.date.today()
    values = resolve_measure(store, MeasureRequest(measure, lvl, day, period))
    return render_values(store, values, focus=focus, within=within, width=width, show_title=show_title)


def area_map(store: Store, code: str, on: dt.date | None = None, measure: str = DEFAULT_MEASURE,
             period: str | None = None, width: int = 480) -> MapResult:
    """An ICB or region highlighted among its neighbours (the ICB and region pages)."""
    from opmodel.structure import get_organisation

    kind = get_organisation(store, code).kind.value
    if kind not in ("icb", "region"):
        raise OpmodelError(f"{code} is a {kind.replace('_', ' ')}: maps show ICBs and regions")
    return choropleth(store, measure, kind, on, period, focus=code, width=width)


def region_map(store: Store, region: str, on: dt.date | None = None, measure: str = DEFAULT_MEASURE,
               period: str | None = None, width: int = 560) -> MapResult:
    """A region's ICBs shaded by ``measure`` (the region's board pack)."""
    return choropleth(store, measure, "icb", on, period, within=region, width=width)


def small_maps(store: Store, measures: list[str], level: str = "icb", on: dt.date | None = None,
               width: int = 260) -> list[MapResult]:
    """One small England map per measure, each with its own scale (the consistency page)."""
    return [choropleth(store, m, level, on, width=width) for m in measures]


def svg_to_png(svg: str, path: Path | None = None, scale: float = 2.0) -> bytes:
    """The map as PNG (for slides), rasterised without a browser by vl-convert's resvg."""
    import vl_convert as vlc

    png: bytes = vlc.svg_to_png(svg, scale=scale)
    if path is not None:
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(png)
        tmp.replace(path)
    return png
