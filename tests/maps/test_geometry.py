"""The shipped boundaries: one shape per ICB and region the registry knows, dissolved correctly."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

from opmodel.maps import ATTRIBUTION, boundaries
from opmodel.maps.geometry import BOUNDARIES_FILE, Shape
from opmodel.store import Store
from opmodel.structure import list_organisations

from ..conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]


def area(shape: Shape) -> float:
    """Polygon area by the shoelace formula (outer rings and holes alike: none has holes)."""
    total = 0.0
    for ring in shape.rings:
        total += abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2
    return total


def test_every_icb_and_region_in_force_has_a_shape(store: Store) -> None:
    b = boundaries()
    for day, count in ((dt.date(2025, 6, 1), 42), (dt.date(2026, 3, 31), 42), (dt.date(2026, 4, 1), 36),
                       (dt.date(2026, 6, 1), 36)):
        icbs = list_organisations(store, kind="icb", on=day)
        assert len(icbs) == count
        for icb in icbs:
            s = b.get("icb", icb["code"])
            assert s is not None, icb["code"]
            assert s.in_force(day)
    regions = list_organisations(store, kind="region", on=dt.date(2026, 6, 1))
    assert sorted(r["code"] for r in regions) == sorted(s.code for s in b.of_kind("region")) and len(regions) == 7


def test_ons_codes_match_the_registry(store: Store) -> None:
    b = boundaries()
    known = {r["code"]: r["ons_code"] for r in store.rows("SELECT code, ons_code FROM organisations WHERE kind='icb'")}
    old = [s for s in b.of_kind("icb") if s.valid_to is not None or known.get(s.code)]
    assert len(old) == 42
    for s in old:
        assert s.ons == known[s.code], s.code
        assert s.ons and s.ons.startswith("E54")


def test_merged_icbs_are_their_predecessors_dissolved() -> None:
    b = boundaries()
    west_north_london = b.get("icb", "Z9B2Z")
    assert west_north_london is not None
    assert sorted(west_north_london.formed_from) == ["QMJ", "QRV"]
    parts = [b.get("icb", "QMJ"), b.get("icb", "QRV")]
    assert area(west_north_london) == pytest.approx(sum(area(p) for p in parts if p), rel=1e-9)
    # Essex took Mid and South Essex whole and one sub-ICB location from each of two split ICBs
    essex = b.get("icb", "D7T5G")
    assert essex is not None and sorted(essex.formed_from) == ["QH8", "QJG:06T", "QM7:07H"]
    mid_south = b.get("icb", "QH8")
    assert mid_south is not None and area(mid_south) < area(essex) < 3 * area(mid_south)


def test_frimley_is_a_split_area_not_a_guess() -> None:
    b = boundaries()
    split = b.of_kind("split")
    assert [s.code for s in split] == ["QNQ"]
    assert split[0].successors == ("S0E4D", "S9B9J")
    thames_valley, bob = b.get("icb", "S0E4D"), b.get("icb", "QU9")
    assert thames_valley is not None and bob is not None
    assert area(thames_valley) == pytest.approx(area(bob), rel=1e-9)


def test_regions_tile_the_icbs() -> None:
    b = boundaries()
    icbs = [s for s in b.of_kind("icb") if s.valid_to is not None or s.valid_from == dt.date(2022, 7, 1)]
    assert len(icbs) == 42
    # the union on a 100 m grid may drop a speck of a few hundred square metres
    assert sum(area(s) for s in b.of_kind("region")) == pytest.approx(sum(area(s) for s in icbs), rel=1e-6)
    london = b.get("region", "Y56")
    assert london is not None
    assert area(london) == pytest.approx(sum(area(s) for s in icbs if s.region == "Y56"), abs=10)  # 0.1 km²


def test_england_is_drawn_the_right_way_up() -> None:
    b = boundaries()
    north_east = b.get("icb", "QHM")
    cornwall = b.get("icb", "QT6")
    assert north_east is not None and cornwall is not None
    assert north_east.bbox[1] < cornwall.bbox[1]  # y grows down the page: the North East is nearer the top
    assert north_east.bbox[0] > cornwall.bbox[0]
    assert 0.75 < b.width / b.height < 0.95  # British National Grid, not stretched longitude


def test_neighbours_share_a_border() -> None:
    b = boundaries()
    on = dt.date(2025, 6, 1)
    icbs = [s for s in b.of_kind("icb") if s.in_force(on)]
    sel = b.get("icb", "QKK")
    assert sel is not None
    near = {s.code for s in b.neighbours(sel, icbs)}
    assert {"QWE", "QMF", "QKS"} <= near
    assert "QYG" not in near and "QKK" not in near


def test_paths_are_compact_relative_svg() -> None:
    s = boundaries().get("region", "Y56")
    assert s is not None
    assert s.path.startswith("M") and s.path.endswith("z") and "l" in s.path
    assert " -" not in s.path


def test_shipped_file_is_attributed_and_compact() -> None:
    topo = json.loads(BOUNDARIES_FILE.read_text(encoding="utf-8"))
    assert topo["type"] == "Topology"
    assert topo["metadata"]["attribution"] == ATTRIBUTION
    assert BOUNDARIES_FILE.stat().st_size < 150_000
    text = (BOUNDARIES_FILE.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert ATTRIBUTION.split(";")[0] in text and "Open Government Licence v3.0" in text


@pytest.mark.slow
def test_build_script_reproduces_the_shipped_file(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_boundaries", ROOT / "scripts/build_boundaries.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "boundaries.topo.json"
    module.build(SHARED, out)
    assert out.read_bytes() == BOUNDARIES_FILE.read_bytes()
