"""Quality measures on maps (issue 26, item 2): ``opmodel.quality.map_measure`` as the maps area draws it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from opmodel.errors import OpmodelError
from opmodel.maps import MeasureRequest, choropleth, resolve_measure
from opmodel.quality import MAP_MEASURES, map_measure, quality_show, shmi_banding, trusts_in
from opmodel.store import Store
from opmodel.structure import list_organisations
from opmodel.variation import consistency_across
from tests.quality.conftest import profile_rows

DAY = dt.date(2026, 6, 1)  # after the April 2026 ICB mergers, before North Bristol (RVJ) closed
REGIONS = {"Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"}
TITLE_CODE = re.compile(r'role="img"><title>[^<]*\(([A-Z0-9]{3,5})\): ([^<]+)</title>')


def _values(store: Store, measure: str, level: str = "region", on: dt.date = DAY) -> dict[str, float]:
    found = map_measure(store, MeasureRequest(measure, level, on))  # type: ignore[arg-type]
    assert found is not None
    return {c: v.value for c, v in found.values.items() if v.value is not None}


def test_other_ids_are_left_to_the_other_sources(qstore: Store) -> None:
    assert map_measure(qstore, MeasureRequest("ae_4hr", "region", DAY)) is None
    assert {"cqc_good_or_outstanding", "shmi_higher_than_expected", "fft_positive"} <= set(MAP_MEASURES)


def test_cqc_share_by_region_is_the_consistency_views_and_each_regions_quality_view(qstore: Store) -> None:
    m = map_measure(qstore, MeasureRequest("cqc_good_or_outstanding", "region", DAY))
    assert m is not None and set(m.values) == REGIONS
    assert m.polarity == "high_is_good" and m.unit == "%" and m.third_party
    assert "third-party" in m.source and m.period.startswith("latest ratings to")
    report = consistency_across(qstore, "region", DAY)
    quality = {x["id"]: x for x in report["dimensions"]["quality"]["measures"]}["cqc_good_or_outstanding"]
    for code, v in m.values.items():
        assert v.value == pytest.approx(report["dimensions"]["quality"]["regions"][code]["cqc_good_or_outstanding"])
        assert v.value == pytest.approx(quality_show(qstore, code, DAY)["cqc"]["good_or_outstanding_pct"])
        good, rated = map(int, re.findall(r"\d+", v.note))  # "10 of 22 rated trusts"
        assert v.value == pytest.approx(100 * good / rated)
    assert m.england == pytest.approx(quality["england"])
    counted = sum(int(v.note.split(" of ")[1].split()[0]) for v in m.values.values())
    assert counted == quality["trusts"] and m.notes[0].startswith(f"{counted} trusts with a CQC rating counted")


def test_shmi_higher_than_expected_counts_the_published_bands(qstore: Store) -> None:
    m = map_measure(qstore, MeasureRequest("shmi_higher_than_expected", "region", DAY))
    assert m is not None and set(m.values) == REGIONS and m.polarity == "low_is_good"
    placed = trusts_in(qstore, DAY)
    bands = {r.org_code: r.published_band or r.band for r in shmi_banding(qstore, DAY).rows}
    for code, v in m.values.items():
        mine = [c for c in bands if placed.get(c, {}).get("region") == code]
        high = sum(1 for c in mine if bands[c] == "Higher than expected")
        assert v.note == f"{high} of {len(mine)} trusts with a SHMI"
        assert v.value == pytest.approx(100 * high / len(mine))
    # England: the file's published bands, read with csv (9 of the trusts held higher than expected)
    published = [r["shmi_banding_label"] for c, r in profile_rows().items() if c in bands and r["shmi_banding_label"]]
    assert m.england == pytest.approx(100 * published.count("Higher than expected") / len(bands))
    assert m.values["Y62"].value == max(v.value for v in m.values.values() if v.value is not None)


def test_fft_is_pooled_from_responses(qstore: Store) -> None:
    m = map_measure(qstore, MeasureRequest("fft_positive", "region", DAY))
    assert m is not None and set(m.values) == REGIONS and m.period == "March 2026"
    rows = profile_rows()
    placed = trusts_in(qstore, DAY)
    for code, v in m.values.items():
        mine = [r for c, r in rows.items() if placed.get(c, {}).get("region") == code
                and r["fft_total_responses_latest"] and r["fft_pct_positive_latest"]]
        positive = sum(round(float(r["fft_pct_positive_latest"]) * float(r["fft_total_responses_latest"]))
                       for r in mine)
        total = sum(float(r["fft_total_responses_latest"]) for r in mine)
        assert v.value == pytest.approx(100 * positive / total, abs=0.01)
        assert v.note == f"{len(mine)} trusts, {total:,.0f} responses"
    assert any("AAH" in n for n in m.notes)  # an independent provider: not in any ICB, left out and named


@pytest.mark.parametrize(("on", "count"), [(DAY, 36), (dt.date(2025, 6, 1), 42)])
def test_icb_maps_shade_the_icbs_in_force(qstore: Store, on: dt.date, count: int) -> None:
    icbs = {i["code"] for i in list_organisations(qstore, kind="icb", on=on)}
    assert len(icbs) == count
    assert set(_values(qstore, "cqc_good_or_outstanding", "icb", on)) == icbs  # every ICB has a rated trust
    # FFT is held for March 2026 only: a map of the 42 ICBs of 2025 asks for that month, as for a metric
    found = map_measure(qstore, MeasureRequest("fft_positive", "icb", on, "2026-03"))
    assert found is not None and found.period == "March 2026"
    fft = {c: v.value for c, v in found.values.items() if v.value is not None}
    assert set(fft) <= icbs and all(80 < v < 100 for v in fft.values())
    # an ICB left unshaded ("no data") has no trust with FFT responses in the file (Somerset, Lincolnshire)
    rows = profile_rows()
    placed = trusts_in(qstore, on)
    for icb in icbs - set(fft):
        mine = [c for c, t in placed.items() if t["icb"] == icb]
        assert mine and not any(rows.get(c, {}).get("fft_total_responses_latest") for c in mine), icb
    assert len(fft) >= count - 3


def test_ratings_are_those_published_by_the_maps_date(qstore: Store) -> None:
    early = map_measure(qstore, MeasureRequest("cqc_good_or_outstanding", "region", dt.date(2021, 6, 1)))
    late = map_measure(qstore, MeasureRequest("cqc_good_or_outstanding", "region", DAY))
    assert early is not None and late is not None
    last = dt.datetime.strptime(early.period.removeprefix("latest ratings to "), "%d %B %Y").date()
    assert last <= dt.date(2021, 6, 1)
    n_early = int(early.notes[0].split()[0])
    n_late = int(late.notes[0].split()[0])
    assert n_early < n_late


def test_a_closed_trusts_rating_is_left_out_but_its_shmi_is_placed(qstore: Store) -> None:
    after = dt.date(2026, 7, 1)  # North Bristol (RVJ) closed on 30 June 2026
    cqc = map_measure(qstore, MeasureRequest("cqc_good_or_outstanding", "region", after))
    shmi = map_measure(qstore, MeasureRequest("shmi", "region", after))
    assert cqc is not None and shmi is not None
    assert any("RVJ" in n and "not NHS trusts" in n for n in cqc.notes)
    assert not any("RVJ" in n for n in shmi.notes)  # its March 2026 SHMI goes where it was then (South West)
    assert shmi.notes[0].startswith(f"{len(shmi_banding(qstore).rows)} trusts with a SHMI counted")
    assert shmi.values["Y58"].value is not None and "observed" in shmi.values["Y58"].note


def test_periods_are_checked(qstore: Store) -> None:
    with pytest.raises(OpmodelError, match="--period does not apply"):
        map_measure(qstore, MeasureRequest("cqc_good_or_outstanding", "region", DAY, "2026-03"))
    with pytest.raises(OpmodelError, match="No SHMI is held for 2024-01; months held: 2026-03"):
        map_measure(qstore, MeasureRequest("shmi_higher_than_expected", "region", DAY, "2024-01"))
    with pytest.raises(OpmodelError, match=r"on or before 2025-06-01; months held: 2026-03 \(choose one with --period"):
        map_measure(qstore, MeasureRequest("shmi", "region", dt.date(2025, 6, 1)))
    found = map_measure(qstore, MeasureRequest("fft_positive", "region", DAY, "2026-03"))
    assert found is not None and found.period == "March 2026"
    with pytest.raises(OpmodelError, match="2025-01"):
        map_measure(qstore, MeasureRequest("fft_positive", "region", DAY, "2025-01"))


def test_maps_ask_the_quality_area_before_the_generic_metric_source(qstore: Store) -> None:
    """``fft_positive`` and ``shmi`` are metrics too; the map must carry the quality area's third-party labels."""
    for measure in ("fft_positive", "shmi", "cqc_good_or_outstanding"):
        v = resolve_measure(qstore, MeasureRequest(measure, "region", DAY))
        assert v.third_party and "third-party processed copy" in v.source, measure
        assert "counted" in v.notes[0], measure
    generic = resolve_measure(qstore, MeasureRequest("metrics:fft_positive", "region", DAY))
    assert generic.third_party  # the metric source labels the processed copy too


def test_the_map_draws_every_region_with_its_value_and_england(qstore: Store) -> None:
    m = choropleth(qstore, "cqc_good_or_outstanding", "region", DAY)
    found = dict(TITLE_CODE.findall(m.svg))
    assert set(found) == REGIONS
    for code, text in found.items():
        assert text.startswith(m.values.format(m.values.values[code].value)) and "rated trusts" in text
    assert "(third-party figures)" in m.svg and f"England {m.values.format(m.values.england)}" in m.caption
