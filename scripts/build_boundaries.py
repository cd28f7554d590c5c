#!/usr/bin/env python3
"""Build the map geometry shipped in the package from the ONS boundaries in ../shared/data.

Reads ``ons-boundaries-2023-2024/`` (ONS, generalised to 200 m and clipped to the coastline) and
writes one TopoJSON file, ``src/opmodel/maps/data/boundaries.topo.json``, holding:

- ``icb``: the 42 ICBs of July 2022 to March 2026 and the 6 formed on 1 April 2026 (48 shapes);
- ``split``: areas of a closed ICB that the boundary data cannot divide between its successors;
- ``region``: the 7 NHS England regions.

Everything is built from the 106 sub-ICB locations of April 2023, so every level shares one set of
boundaries (TopoJSON arcs: each border is stored once and used by every shape on either side):

1. project to the British National Grid (EPSG:27700, pyproj), so the map has England's true shape;
2. simplify the shared borders once, preserving topology (topojson, Douglas-Peucker), snap to a
   grid and drop islands too small to see at page size;
3. join to the registry by ODS code: each sub-ICB location to its ICB (ODS ``eccg`` file), each
   ICB to its ONS code and region (the registry shipped in ``opmodel.structure``), and each ICB of
   April 2026 to its predecessors by the registry's successions (``opmodel.population.successions``:
   the trusts that moved from each closed ICB to the new one);
4. dissolve (shapely): a new ICB is the union of the predecessors it took whole, plus the sub-ICB
   locations of a split predecessor named in :data:`SPLIT_SUBICBS` (checked against the
   successions); a split predecessor with no sub-ICB division (Frimley: one sub-ICB location) is
   kept as a ``split`` shape naming its successors, never guessed;
5. check every ICB and region against ONS's own ICB and region layers (area overlap), and that the
   42 ICBs tile England without overlap, then write quantised, delta-encoded arcs.

Run-time code (``opmodel.maps``) reads the file with the standard library only.
Attribution: src/opmodel/maps/data/ATTRIBUTION.md (ONS and OS, Open Government Licence v3.0).

Build-time dependencies (not needed at run time): ``pip install 'opmodel[maps-build]'``.

Run:  python scripts/build_boundaries.py [--shared ../shared] [--tolerance 400] [--grid 100]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import itertools
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import topojson
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, shape

from opmodel.population import successions
from opmodel.store import open_store
from opmodel.structure import seed_structure

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "opmodel" / "maps" / "data" / "boundaries.topo.json"
FOLDER = "ons-boundaries-2023-2024"
SUBICB_FILE = "NHS_SubICB_April_2023_EN_BSC_8040841744469859785.geo.json"
ICB_FILE = "Integrated_Care_Boards_April_2023_EN_BSC_-187828753279616787.geo.json"
REGION_FILE = "NHS_England_Regions_January_2024_EN_BSC_7500404208533377417.geo.json"
ECCG_FILE = "ods-org-hierarchy/eccg_snapshot_2025b.csv"
ATTRIBUTION = ("Contains OS data © Crown copyright and database right; source: Office for National Statistics "
               "licensed under the Open Government Licence v3.0.")

#: Sub-ICB locations of an ICB split on 1 April 2026 -> the ICB that took them. NHS England's
#: boundary changes of April 2026: West Essex and North East Essex joined Mid and South Essex as
#: NHS Essex ICB; Suffolk joined Norfolk and Waveney as NHS Norfolk and Suffolk ICB; Hertfordshire
#: joined Bedfordshire, Luton and Milton Keynes and Cambridgeshire and Peterborough as NHS Central
#: East ICB. The ODS headquarters of each location (Harlow, Colchester, Ipswich, Bury St Edmunds,
#: Welwyn Garden City, Hemel Hempstead) identify it; :func:`check_splits` verifies every pair
#: against the registry's successions, so a changed registry stops the build.
SPLIT_SUBICBS = {
    "07H": "D7T5G",  # West Essex (Hertfordshire and West Essex) -> Essex
    "06T": "D7T5G",  # North East Essex (Suffolk and North East Essex) -> Essex
    "06L": "T6Y0W",  # Ipswich and East Suffolk -> Norfolk and Suffolk
    "07K": "T6Y0W",  # West Suffolk -> Norfolk and Suffolk
    "06K": "S1Y5D",  # East and North Hertfordshire -> Central East
    "06N": "S1Y5D",  # Herts Valleys -> Central East
}

#: Minimum overlap (intersection over union) with ONS's own ICB and region layers; those were
#: generalised separately from the sub-ICB layer, so estuaries differ by a few per cent.
MIN_IOU = 0.95


def sha16(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def to_bng(geom: Any, tr: Transformer) -> Any:
    def project(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])
    return shapely.transform(geom, project)


def read_subicbs(shared: Path, tr: Transformer) -> dict[str, Any]:
    """Sub-ICB location ODS code (the suffix of its ONS name, e.g. '- 02P') -> projected shape."""
    data = json.loads((shared / FOLDER / SUBICB_FILE).read_text(encoding="utf-8"))
    out = {}
    for f in data["features"]:
        name = f["properties"]["SICBL23NM"]
        code = name.rsplit("- ", 1)[1].strip()
        out[code] = to_bng(shape(f["geometry"]), tr)
    if len(out) != 106:
        raise SystemExit(f"expected 106 sub-ICB locations in {SUBICB_FILE}, found {len(out)}")
    return out


def read_eccg(shared: Path) -> dict[str, str]:
    """Open sub-ICB location -> its ICB (ODS code), from the ODS eccg file."""
    with (shared / ECCG_FILE).open(encoding="utf-8", newline="") as fh:
        return {r[0]: r[3] for r in csv.reader(fh) if not r[11]}


def simplify(subs: dict[str, Any], tolerance: float, grid: float, min_area: float) -> dict[str, Any]:
    """Simplify the shared borders once (topology kept), snap to ``grid`` metres, drop specks."""
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c}, "geometry": g.__geo_interface__} for c, g in subs.items()]}
    topo = topojson.Topology(fc, prequantize=False, toposimplify=tolerance, prevent_oversimplify=True)
    out = {}
    for f in json.loads(topo.to_geojson())["features"]:
        # Round every vertex (a shared vertex rounds the same way on both sides), then repair the
        # few rings that simplification and rounding leave self-touching or collapsed.
        g = shapely.transform(shape(f["geometry"]), lambda xy: np.round(xy / grid) * grid)
        parts = [q for p in _polygons(g) if p.area > 0
                 for q in (_polygons(shapely.make_valid(p)) if not p.is_valid else [p]) if q.area >= min_area]
        out[f["properties"]["code"]] = MultiPolygon(parts)
    return out


def _polygons(g: Any) -> list[Polygon]:
    if isinstance(g, Polygon):
        return [g]
    return [p for part in getattr(g, "geoms", []) for p in _polygons(part)]


def registry() -> tuple[list[dict[str, Any]], dict[str, list[tuple[str, float]]]]:
    """The ICBs the shipped registry knows (code, name, ONS code, region, dates) and its successions."""
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "build.duckdb", seed=False)
        seed_structure(store)
        icbs = store.rows("""
            SELECT o.code, o.name, o.ons_code, o.open_date, o.close_date, r.parent AS region
            FROM organisations o LEFT JOIN relationships r ON r.child = o.code AND r.rel = 'icb_region'
            WHERE o.kind = 'icb' ORDER BY o.code""")
        regions = store.rows("SELECT code, name, ons_code FROM organisations WHERE kind = 'region' ORDER BY code")
        succ = {k: [(p.code, p.share) for p in v] for k, v in successions(store).items()}
        store.close()
    for r in regions:
        r["kind"] = "region"
    return icbs + regions, succ


def check_splits(succ: dict[str, list[tuple[str, float]]], eccg: dict[str, str], located: set[str]) -> None:
    """Every curated sub-ICB assignment agrees with the registry's successions, and every split
    predecessor with more than one sub-ICB location (with a boundary) has all of them assigned."""
    for sub, new in SPLIT_SUBICBS.items():
        old = eccg[sub]
        if (old, True) not in {(p, s < 1) for p, s in succ.get(new, [])}:
            raise SystemExit(f"SPLIT_SUBICBS: {sub} ({old}) -> {new} is not a split succession in the registry")
    split_preds = {p for preds in succ.values() for p, s in preds if s < 1}
    for old in split_preds:
        subs = sorted(s for s in located if eccg[s] == old)
        if len(subs) > 1 and not all(s in SPLIT_SUBICBS for s in subs):
            raise SystemExit(f"{old} is split in the registry; assign each of its sub-ICB locations {subs}")


def iou(a: Any, b: Any) -> float:
    return float(a.intersection(b).area / a.union(b).area)


def dissolve(parts: list[Any], grid: float) -> Any:
    return shapely.unary_union(parts, grid_size=grid)


def build_shapes(shared: Path, subs: dict[str, Any], eccg: dict[str, str], orgs: list[dict[str, Any]],
                 succ: dict[str, list[tuple[str, float]]], grid: float, tr: Transformer) -> list[dict[str, Any]]:
    by_icb: dict[str, list[str]] = defaultdict(list)
    for sub in subs:
        by_icb[eccg[sub]].append(sub)
    icbs = {o["code"]: o for o in orgs if o.get("kind") != "region"}
    regions = {o["code"]: o for o in orgs if o.get("kind") == "region"}
    ons_icbs = {f["properties"]["ICB23CD"]: to_bng(shape(f["geometry"]), tr) for f in
                json.loads((shared / FOLDER / ICB_FILE).read_text(encoding="utf-8"))["features"]}
    # ONS recoded two regions in January 2024 (East of England E40000007 -> E40000013, North West
    # E40000010 -> E40000014); the registry keeps the older codes, so regions are joined by name and
    # both codes are written.
    region_file = json.loads((shared / FOLDER / REGION_FILE).read_text(encoding="utf-8"))
    ons_regions = {f["properties"]["NHSER24NM"].lower(): (f["properties"]["NHSER24CD"],
                                                           to_bng(shape(f["geometry"]), tr))
                   for f in region_file["features"]}
    shapes: list[dict[str, Any]] = []
    old: dict[str, Any] = {}
    for code, members in sorted(by_icb.items()):
        o = icbs[code]
        g = dissolve([subs[s] for s in members], grid)
        ref = ons_icbs.get(o["ons_code"])
        if ref is None or iou(g, ref) < MIN_IOU:
            raise SystemExit(f"{code}: dissolved shape does not match ONS {o['ons_code']}")
        old[code] = g
        shapes.append({"kind": "icb", "code": code, "name": o["name"], "ons": o["ons_code"], "region": o["region"],
                       "valid_from": str(o["open_date"]), "valid_to": o["close_date"] and str(o["close_date"]),
                       "formed_from": sorted(members), "geometry": g})
    total = sum(g.area for g in old.values())
    england = dissolve(list(old.values()), grid)
    if abs(total - england.area) > 1e-6 * total:
        raise SystemExit("the 42 ICBs overlap after simplification")
    check_splits(succ, eccg, set(subs))
    covered: dict[str, set[str]] = defaultdict(set)  # split predecessor -> successors given a share
    for new, preds in sorted(succ.items()):
        o = icbs[new]
        parts, formed = [], []
        for p, share in preds:
            if share >= 1:
                parts.append(old[p])
                formed.append(p)
                continue
            mine = [s for s, n in SPLIT_SUBICBS.items() if n == new and eccg[s] == p]
            parts += [subs[s] for s in mine]
            formed += [f"{p}:{s}" for s in mine]
            if mine:
                covered[p].add(new)
        shapes.append({"kind": "icb", "code": new, "name": o["name"], "ons": o["ons_code"], "region": o["region"],
                       "valid_from": str(o["open_date"]), "valid_to": o["close_date"] and str(o["close_date"]),
                       "formed_from": formed, "geometry": dissolve(parts, grid)})
    for p in sorted({p for preds in succ.values() for p, s in preds if s < 1} - set(covered)):
        heirs = sorted(n for n, preds in succ.items() if any(q == p and s < 1 for q, s in preds))
        shapes.append({"kind": "split", "code": p, "name": icbs[p]["name"], "ons": icbs[p]["ons_code"],
                       "region": icbs[p]["region"], "valid_from": str(icbs[p]["close_date"] + dt.timedelta(days=1)),
                       "valid_to": None, "successors": heirs, "geometry": old[p]})
    for code, r in sorted(regions.items()):
        g = dissolve([old[c] for c in old if icbs[c]["region"] == code], grid)
        ons24, ref = ons_regions[r["name"].lower()]
        if iou(g, ref) < MIN_IOU:
            raise SystemExit(f"{code}: dissolved region does not match ONS {ons24}")
        shapes.append({"kind": "region", "code": code, "name": r["name"], "ons": ons24,
                       "registry_ons": r["ons_code"], "region": code, "valid_from": None, "valid_to": None,
                       "geometry": g})
    return shapes


def quantised_topology(shapes: list[dict[str, Any]], grid: float) -> dict[str, Any]:
    """One TopoJSON topology for every shape (shared arcs), arcs as grid integers, delta-encoded."""
    layers = ("icb", "split", "region")
    data = [{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {k: v for k, v in s.items() if k != "geometry"},
         "geometry": s["geometry"].__geo_interface__} for s in shapes if s["kind"] == kind]} for kind in layers]
    topo = topojson.Topology(data, object_name=list(layers), prequantize=False, winding_order="CW_CCW").to_dict()
    xs = [p[0] for a in topo["arcs"] for p in a]
    ys = [p[1] for a in topo["arcs"] for p in a]
    x0, y0 = min(xs), min(ys)
    arcs = []
    for arc in topo["arcs"]:
        q = [(round((x - x0) / grid), round((y - y0) / grid)) for x, y in arc]
        arcs.append([list(q[0])] + [[b[0] - a[0], b[1] - a[1]] for a, b in itertools.pairwise(q)])
    # topojson nests every polygon's arcs as a MultiPolygon's, whatever the input type said
    objects = {name: {"type": "GeometryCollection", "geometries": [
        {"type": "MultiPolygon" if isinstance(g["arcs"][0][0], list) else "Polygon", "arcs": g["arcs"],
         "properties": g["properties"]}
        for g in obj["geometries"]]} for name, obj in topo["objects"].items()}
    return {"type": "Topology", "transform": {"scale": [grid, grid], "translate": [x0, y0]},
            "bbox": [x0, y0, max(xs), max(ys)], "objects": objects, "arcs": arcs}


def build(shared: Path, out: Path, tolerance: float = 400.0, grid: float = 100.0,
          min_island_km2: float = 1.0) -> dict[str, Any]:
    """Write the TopoJSON for ``shared`` (the ``shared`` folder, holding ``data/``) to ``out``."""
    data = shared / "data"
    tr = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    subs = simplify(read_subicbs(data, tr), tolerance, grid, min_island_km2 * 1e6)
    eccg = read_eccg(data)
    orgs, succ = registry()
    topo = quantised_topology(build_shapes(data, subs, eccg, orgs, succ, grid, tr), grid)
    files = [FOLDER + "/" + f for f in (SUBICB_FILE, ICB_FILE, REGION_FILE)] + [ECCG_FILE]
    topo["metadata"] = {
        "attribution": ATTRIBUTION,
        "licence": "Open Government Licence v3.0",
        "crs": "EPSG:27700 (British National Grid), metres",
        "sources": {f: sha16(data / f) for f in files},
        "tolerance_m": tolerance, "grid_m": grid, "min_island_km2": min_island_km2,
        "built_by": "scripts/build_boundaries.py",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(json.dumps(topo, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(out)
    return topo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--tolerance", type=float, default=400.0, help="simplification tolerance, metres")
    parser.add_argument("--grid", type=float, default=100.0, help="coordinate grid, metres")
    parser.add_argument("--min-island", type=float, default=1.0, help="smallest island kept, km²")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started = time.perf_counter()
    topo = build(args.shared.resolve(), args.out, args.tolerance, args.grid, args.min_island)
    n = {k: len(v["geometries"]) for k, v in topo["objects"].items()}
    points = sum(len(a) for a in topo["arcs"])
    print(f"{n} shapes, {len(topo['arcs'])} arcs, {points} points; {args.out.stat().st_size / 1024:.0f} KiB "
          f"written to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
