"""Choropleths by measure, level and date: the areas in force, titles, legend, no data, attribution."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.maps import (
    ATTRIBUTION,
    AreaValue,
    MeasureRequest,
    MeasureValues,
    area_map,
    choropleth,
    region_map,
    register_source,
    small_maps,
    svg_to_png,
    unregister_source,
)
from opmodel.maps.svg import NO_DATA
from opmodel.store import Store
from opmodel.structure import list_organisations

TITLE = re.compile(r'<path id="[^"]+" d="[^"]+" fill="([^"]+)" role="img"><title>([^<]+)</title></path>')


def titled(svg: str) -> dict[str, tuple[str, str]]:
    """ODS code in each area's title -> (fill, title text)."""
    out = {}
    for fill, text in TITLE.findall(svg):
        m = re.search(r"\(([A-Z0-9]{3,5})\)", text)
        assert m, text
        out[m.group(1)] = (fill, text)
    return out


@pytest.mark.parametrize(("day", "count"), [(dt.date(2026, 6, 1), 36), (dt.date(2025, 6, 1), 42)])
def test_icb_map_names_every_icb_in_force(store: Store, day: dt.date, count: int) -> None:
    m = choropleth(store, "ae_4hr", "icb", day)
    codes = {i["code"] for i in list_organisations(store, kind="icb", on=day)}
    found = titled(m.svg)
    assert len(codes) == count
    assert codes <= set(found)
    assert {r["code"] for r in m.rows} == codes
    assert "Contains OS data © Crown copyright and database right;" in m.svg
    assert "Open Government Licence v3.0." in m.svg and m.attribution == ATTRIBUTION
    for code in codes:
        fill, text = found[code]
        assert re.search(r"\d+\.\d%", text), text  # every ICB has a July/June A&E value
        assert fill.startswith("#")


def test_after_the_mergers_a_month_before_them_is_summed_from_trusts(store: Store) -> None:
    m = choropleth(store, "ae_4hr", "icb", dt.date(2026, 6, 1))
    assert m.values.period == "March 2026"  # the newest A&E month held, before the April 2026 mergers
    assert any("summed from its trusts" in n for n in m.values.notes)
    # Frimley, split between two new ICBs, is drawn unshaded and said to be so
    fill, text = titled(m.svg)["QNQ"]
    assert fill.startswith("url(#") and "divided on 1 April 2026" in text


def test_region_map_names_the_seven_regions(store: Store) -> None:
    m = choropleth(store, "ae_4hr", "region", dt.date(2026, 6, 1))
    assert set(titled(m.svg)) == {"Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"}
    assert len(m.rows) == 7


def test_values_match_the_metrics_aggregation(store: Store) -> None:
    from opmodel.metrics import metric_values

    m = choropleth(store, "ae_4hr", "icb", dt.date(2025, 6, 1), period="2025-06")
    want = {r["org_code"]: r["value"] for r in metric_values(store, "ae_4hr", level="icb", start=dt.date(2025, 6, 1),
                                                                end=dt.date(2025, 6, 1))}
    got = {r["code"]: r["value"] for r in m.rows}
    assert got == pytest.approx(want)
    eng = metric_values(store, "ae_4hr", level="england", start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 1))
    assert m.values.england == pytest.approx(eng[0]["value"])
    assert f"England {eng[0]['value']:.1f}%" in m.svg  # marked on the legend


def test_colours_follow_polarity(store: Store) -> None:
    m = choropleth(store, "ae_4hr", "icb", dt.date(2025, 6, 1))
    eng = m.values.england
    assert eng is not None
    best = max(m.rows, key=lambda r: r["value"])
    worst = min(m.rows, key=lambda r: r["value"])
    found = titled(m.svg)
    assert found[best["code"]][0] == "#2166ac"  # higher A&E performance is better: blue
    assert found[worst["code"]][0] == "#b2182b"
    seq = choropleth(store, "qof_hypertension", "icb", dt.date(2025, 6, 1))
    assert seq.values.polarity == "no_judgement"
    assert {f for f, _ in titled(seq.svg).values()} <= {"#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"}


def test_segment_share_counts_trusts_by_headline_segment(store: Store) -> None:
    from opmodel.maps import headline_segment
    from opmodel.oversight import segment

    m = choropleth(store, "segment_3_5", "icb", dt.date(2026, 6, 1), period="2025-26-Q3")
    run = segment(store, "2025-26-Q3", save=False, link=False)
    segs = [s for r in run.results if (s := headline_segment(r)) is not None]
    assert m.values.england == pytest.approx(100 * sum(s >= 3 for s in segs) / len(segs))
    qkk = next(r for r in m.rows if r["code"] == "QKK")
    n, total = map(int, re.match(r"(\d+) of (\d+) trusts", qkk["note"]).groups())  # type: ignore[union-attr]
    assert qkk["value"] == pytest.approx(100 * n / total)
    assert m.values.polarity == "low_is_good" and len(m.rows) == 36


def test_headline_segment_is_the_published_one_where_held(store: Store) -> None:
    """RJZ: NHS England published segment 3 for 2025/26 Q3; opmodel's reconstruction says 4 (issue 20)."""
    from opmodel.maps import headline_segment
    from opmodel.oversight import segment

    run = segment(store, "2025-26-Q3", save=False, link=False)
    rjz = next(r for r in run.results if r.org_code == "RJZ")
    assert rjz.final_segment != 3  # the reconstruction differs, so the map must not use it
    assert headline_segment(rjz) == 3


def test_population_indicator_by_region_is_population_weighted(store: Store) -> None:
    m = choropleth(store, "core20_share", "region", dt.date(2026, 6, 1))
    assert len(m.rows) == 7 and m.values.third_party
    assert "Third-party figures" in m.values.source
    assert "(third-party figures)" in m.svg
    assert all("population-weighted" in r["note"] for r in m.rows)


def test_no_data_is_hatched_and_said(store: Store) -> None:
    def partial(_store: Store, req: MeasureRequest) -> MeasureValues | None:
        if req.measure != "half_known":
            return None
        codes = sorted(a["code"] for a in list_organisations(_store, kind=req.level, on=req.on))
        vals = {c: AreaValue(c, float(i)) for i, c in enumerate(codes) if i % 2 == 0}
        return MeasureValues("half_known", "Half known", "%", "high_is_good", req.level, req.on, "2025", "test",
                             vals, england=10.0)

    register_source("test-partial", partial, lambda _s: ["half_known"])
    try:
        m = choropleth(store, "half_known", "icb", dt.date(2026, 6, 1))
    finally:
        unregister_source("test-partial")
    found = titled(m.svg)
    blank = [c for c, (fill, text) in found.items() if text.endswith("no data")]
    assert len(blank) == 18
    assert all(found[c][0].startswith("url(#") for c in blank)
    assert "No data" in m.svg and NO_DATA in m.svg
    assert sum(1 for r in m.rows if r["value"] is None) == 18


def test_quality_measures_plug_in_through_the_optional_hook(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    fake = types.ModuleType("opmodel.quality")

    def map_measure(_store: Store, req: MeasureRequest) -> MeasureValues | None:
        if req.measure != "good_or_outstanding":
            return None
        vals = {a["code"]: AreaValue(a["code"], 80.0) for a in list_organisations(_store, kind=req.level, on=req.on)}
        return MeasureValues("good_or_outstanding", "Trusts rated good or outstanding", "%", "high_is_good",
                             req.level, req.on, "2026", "CQC (test)", vals, england=75.0)

    fake.map_measure = map_measure  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "opmodel.quality", fake)
    m = choropleth(store, "quality:good_or_outstanding", "region", dt.date(2026, 6, 1))
    assert len(m.rows) == 7 and all(r["formatted"] == "80.0%" for r in m.rows)


def test_unknown_measure_level_and_date_are_clear_errors(store: Store) -> None:
    with pytest.raises(UnknownCodeError, match=r"map measure 'ae_4hrs'.*ae_4hr"):
        choropleth(store, "ae_4hrs", "icb", dt.date(2025, 6, 1))
    with pytest.raises(OpmodelError, match="expected icb or region"):
        choropleth(store, "ae_4hr", "trust", dt.date(2025, 6, 1))
    with pytest.raises(OpmodelError, match="No ae_4hr values"):
        choropleth(store, "ae_4hr", "icb", dt.date(2021, 1, 1))
    with pytest.raises(OpmodelError, match="not shown for ICBs"):
        choropleth(store, "amb_c1_mean", "icb", dt.date(2025, 6, 1))


def test_area_among_its_neighbours(store: Store) -> None:
    m = area_map(store, "QKK", dt.date(2025, 6, 1), measure="ae_4hr")
    codes = set(titled(m.svg))
    assert "QKK" in codes and {"QWE", "QMF", "QKS"} <= codes and "QYG" not in codes
    assert 'stroke="#212b32" stroke-width' in m.svg  # the area itself outlined
    assert "among its neighbours" in m.title


def test_region_map_shades_only_its_icbs(store: Store) -> None:
    m = region_map(store, "Y56", dt.date(2025, 12, 31))
    assert set(titled(m.svg)) == {"QKK", "QMF", "QMJ", "QRV", "QWE"}
    assert "London" in m.title and 'aria-hidden="true"/>' in m.svg  # neighbours drawn grey, silent


def test_small_maps_and_png(store: Store, tmp_path: Path) -> None:
    maps = small_maps(store, ["ae_4hr", "qof_hypertension"], "icb", dt.date(2026, 6, 1))
    assert [m.values.measure for m in maps] == ["ae_4hr", "qof_hypertension"]
    ids = [re.search(r'<title id="([^"]+)-t">', m.svg).group(1) for m in maps]  # type: ignore[union-attr]
    assert len(set(ids)) == 2  # unique ids: several maps on one page
    png = svg_to_png(maps[0].svg, tmp_path / "m.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and (tmp_path / "m.png").read_bytes() == png
