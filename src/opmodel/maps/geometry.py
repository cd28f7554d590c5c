"""The shipped boundaries: ICBs (before and after April 2026) and regions, read from TopoJSON.

``data/boundaries.topo.json`` is built by ``scripts/build_boundaries.py`` from the ONS boundaries
(British National Grid, simplified once with shared borders). It is standard TopoJSON
(https://github.com/topojson/topojson-specification): quantised, delta-encoded arcs that every
shape on either side of a border shares. Decoding it is a few lines of arithmetic, so run time
needs no geometry library; each shape's SVG path is built once per process.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["ATTRIBUTION", "BOUNDARIES_FILE", "Boundaries", "Shape", "boundaries"]

BOUNDARIES_FILE = Path(str(resources.files("opmodel.maps") / "data" / "boundaries.topo.json"))

#: The line every map must carry (shared/data/ons-boundaries-2023-2024/PROVENANCE.md).
ATTRIBUTION = ("Contains OS data © Crown copyright and database right; source: Office for National Statistics "
               "licensed under the Open Government Licence v3.0.")

Point = tuple[int, int]


@dataclass(frozen=True)
class Shape:
    """One area's outline in map units (grid cells, x east, y *down* the page) and what it is.

    ``kind`` is ``icb``, ``region`` or ``split`` (part of a closed ICB that the boundary data cannot
    divide between its ``successors``).
    """

    kind: str
    code: str
    name: str
    ons: str | None
    region: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    rings: tuple[tuple[Point, ...], ...]
    arcs: frozenset[int]
    successors: tuple[str, ...] = ()
    formed_from: tuple[str, ...] = ()

    @functools.cached_property
    def path(self) -> str:
        """The SVG path data: absolute move to each ring's start, then relative integer steps
        (built once per process; every map reuses it)."""
        parts = []
        for ring in self.rings:
            (x, y), rest = ring[0], ring[1:]
            steps = []
            for nx, ny in rest:
                steps.append(f"{nx - x} {ny - y}")
                x, y = nx, ny
            parts.append(f"M{ring[0][0]} {ring[0][1]}l" + " ".join(steps).replace(" -", "-") + "z")
        return "".join(parts)

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        xs = [p[0] for r in self.rings for p in r]
        ys = [p[1] for r in self.rings for p in r]
        return min(xs), min(ys), max(xs), max(ys)

    def in_force(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Boundaries:
    """Every shipped shape, by kind and ODS code, and the extent of England in map units."""

    shapes: dict[tuple[str, str], Shape]
    width: int
    height: int
    metres_per_unit: float
    metadata: dict[str, Any]

    def get(self, kind: str, code: str) -> Shape | None:
        return self.shapes.get((kind, code))

    def of_kind(self, kind: str) -> list[Shape]:
        return [s for (k, _), s in sorted(self.shapes.items()) if k == kind]

    def neighbours(self, shape: Shape, candidates: list[Shape]) -> list[Shape]:
        """Candidates sharing a border with ``shape`` (a common arc)."""
        return [c for c in candidates if c.code != shape.code and c.arcs & shape.arcs]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _decode_arcs(raw: list[list[list[int]]], height: int) -> list[list[Point]]:
    """Undo the delta encoding and turn north up into y down (SVG)."""
    out = []
    for arc in raw:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x, height - y))
        out.append(pts)
    return out


def _ring(arcs: list[list[Point]], indices: list[int]) -> tuple[Point, ...]:
    pts: list[Point] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(arc if not pts else arc[1:])
    return tuple(pts)


def _polygons(geom: dict[str, Any]) -> list[list[list[int]]]:
    if geom["type"] == "Polygon":
        return [geom["arcs"]]
    if geom["type"] == "MultiPolygon":
        return list(geom["arcs"])
    return []


def read_boundaries(path: Path) -> Boundaries:
    """Decode a TopoJSON file written by ``scripts/build_boundaries.py``."""
    topo = json.loads(path.read_text(encoding="utf-8"))
    grid = float(topo["transform"]["scale"][0])
    x0, y0, x1, y1 = topo["bbox"]
    width, height = round((x1 - x0) / grid), round((y1 - y0) / grid)
    arcs = _decode_arcs(topo["arcs"], height)
    shapes: dict[tuple[str, str], Shape] = {}
    for obj in topo["objects"].values():
        for g in obj["geometries"]:
            p = g["properties"]
            polys = _polygons(g)
            rings = tuple(_ring(arcs, ring) for poly in polys for ring in poly)
            used = frozenset(i if i >= 0 else ~i for poly in polys for ring in poly for i in ring)
            shapes[(p["kind"], p["code"])] = Shape(
                kind=p["kind"], code=p["code"], name=p["name"], ons=p.get("ons"), region=p.get("region"),
                valid_from=_date(p.get("valid_from")), valid_to=_date(p.get("valid_to")), rings=rings, arcs=used,
                successors=tuple(p.get("successors") or ()), formed_from=tuple(p.get("formed_from") or ()))
    return Boundaries(shapes=shapes, width=width, height=height, metres_per_unit=grid,
                      metadata=dict(topo.get("metadata", {})))


@functools.cache
def boundaries() -> Boundaries:
    """The shipped boundaries, decoded once per process."""
    return read_boundaries(BOUNDARIES_FILE)
