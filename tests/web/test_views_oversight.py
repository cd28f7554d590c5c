"""Unit tests for the oversight view models on NHS England's published NOF 2025/26 MH/community file."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opmodel.errors import UnknownCodeError
from opmodel.oversight import segment
from opmodel.store import Store, open_store
from opmodel.web.views_oversight import (
    league_csv,
    league_view,
    org_oversight,
    periods_available,
    segment_summary,
)


@pytest.fixture(scope="module")
def store(seeded_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One copy of the seeded store for this module: its tests only read, so the quarters' segmentation
    and likely ranges are computed once and kept in it, not once a test (issue 25: the suite's time)."""
    path = tmp_path_factory.mktemp("views-oversight") / "store.duckdb"
    shutil.copy(seeded_store_file, path)
    s = open_store(path)
    yield s
    s.close()


def _kept_for_this_test() -> Callable[[Any, Callable[[], Any]], Any]:
    """A memo as the server's, for one test: what every region's page shares is computed once."""
    kept: dict[Any, Any] = {}

    def memo(key: Any, compute: Callable[[], Any]) -> Any:
        if key not in kept:
            kept[key] = compute()
        return kept[key]

    return memo


def test_periods_are_the_quarters_loaded(store: Store, empty_store: Store) -> None:
    assert periods_available(store) == ["2025-26-Q1", "2025-26-Q2", "2025-26-Q3"]
    # A fresh store computes acute Q1–Q3 (and ambulance Q1) from the shipped derived statistics (issue 11
    # item 3, issue 20 item 5); nothing is published in it, so every headline is computed, provisional.
    assert periods_available(empty_store) == ["2025-26-Q1", "2025-26-Q2", "2025-26-Q3"]
    fresh = segment_summary(empty_store)
    assert fresh is not None and set(fresh.by_peer_group) == {"Acute"}
    assert sum(fresh.by_peer_group["Acute"].values()) == 129 and fresh.headline_sources == {"computed": 129}


def test_league_defaults_to_the_latest_quarter_in_engine_order(store: Store) -> None:
    vm = league_view(store)
    assert vm.period == "2025-26-Q3"
    assert vm.previous_period == "2025-26-Q2"
    engine = segment(store, "2025-26-Q3", save=False).by_org()
    # In NHS England's published order (issue 20): peer group, then the published league rank.
    keys = [(r.peer_group, r.headline_rank or 10**9, r.org_code) for r in vm.rows]
    assert keys == sorted(keys)
    for r in vm.rows:
        h = engine[r.org_code].headline
        assert h is not None and (r.headline_segment, r.headline_rank, r.headline_average) == (h.segment, h.rank,
                                                                                              h.average)
        assert r.final_segment == engine[r.org_code].final_segment  # the computed result beside it
    assert len(vm.rows) == 191  # 61 MH/community (NHS England) + 129 acute + 1 ambulance (third-party extract)
    assert {r.headline_source for r in vm.rows} == {"published"}


def test_movement_compares_like_with_like(store: Store) -> None:
    """Issue 20 item 2: NHS England's segments where both quarters are published (12 better, 2 worse, 47 the
    same for MH/community Q2 -> Q3, as NHS England's CSV gives), else the computed ones under one rule."""
    vm = league_view(store)
    before = segment(store, "2025-26-Q2", save=False).by_org()
    published = [r for r in vm.rows if r.movement_basis == "published"]
    assert len(published) == 61 and {r.peer_group for r in published} == {"mental_health_community"}
    for r in published:
        h = before[r.org_code].headline
        assert h is not None and r.previous_segment == h.segment
        want = ("improved" if r.headline_segment < h.segment else "worsened" if r.headline_segment > h.segment
                else "unchanged")  # type: ignore[operator]
        assert r.movement == want, r.org_code
    sm = segment_summary(store)
    assert sm is not None and sm.movement_by_basis["published"] == {"unchanged": 47, "improved": 12, "worsened": 2}
    assert all(r.movement_basis == "computed" for r in vm.rows if r.peer_group == "acute" and r.movement != "new")
    assert league_view(store, period="2025-26-Q1").previous_period is None


def test_filters_and_sorting(store: Store) -> None:
    london = league_view(store, region="y56", sort="average", order="desc")
    assert london.rows and {r.region for r in london.rows} == {"Y56"}
    averages = [r.headline_average for r in london.rows if r.headline_average is not None]
    assert averages == sorted(averages, reverse=True)
    by_name = league_view(store, sort="name")
    assert [r.org_name.lower() for r in by_name.rows] == sorted(r.org_name.lower() for r in by_name.rows)
    with pytest.raises(UnknownCodeError):
        league_view(store, period="2025-26-Q2", peer_group="ambulance")  # no ambulance inputs in Q2
    with pytest.raises(UnknownCodeError):
        league_view(store, sort="bogus")
    with pytest.raises(UnknownCodeError):
        league_view(store, period="2024-25-Q1")


def test_csv_has_every_row_in_the_order_shown(store: Store) -> None:
    vm = league_view(store, sort="average")
    rows = list(csv.DictReader(io.StringIO(league_csv(vm))))
    assert [r["org_code"] for r in rows] == [r.org_code for r in vm.rows]
    assert rows[0]["final_segment"] == str(vm.rows[0].final_segment)


def test_segment_summary_counts_match_the_league(store: Store) -> None:
    sm = segment_summary(store)
    assert sm is not None
    vm = league_view(store)
    segmented = [r for r in vm.rows if r.final_segment is not None]
    assert sum(sum(c.values()) for c in sm.by_peer_group.values()) == len(segmented)
    assert sum(sum(c.values()) for c in sm.by_region.values()) == len(segmented)
    assert sum(sm.movement.values()) == len(vm.rows)


def test_org_oversight_explains_and_places_metrics_among_peers(store: Store) -> None:
    vm = league_view(store)
    top = next(r for r in vm.rows if r.peer_group == "mental_health_community")  # acute results have no metrics
    found = org_oversight(store, top.org_code.lower())
    assert found is not None
    assert found.period == "2025-26-Q3"
    assert found.explanation["final_segment"] == top.final_segment
    assert found.explanation["summary"].startswith(top.org_name)
    stats = [m for m in found.metrics if m.peers >= 4]
    assert stats
    for m in stats:
        assert m.peer_q1 is not None and m.peer_median is not None and m.peer_q3 is not None
        assert m.peer_q1 <= m.peer_median <= m.peer_q3
    assert org_oversight(store, "RYF", period="2025-26-Q2") is None  # ambulance: no Q2 inputs
    q2 = org_oversight(store, "RJ1", period="2025-26-Q2")  # acute Q2 computed (issue 20 item 5)
    assert q2 is not None and q2.headline["source"] == "computed" and q2.agreement["status"] == "not_published"


def test_league_states_coverage_result_source_and_why_new(store: Store) -> None:
    """Issue 11 item 7 and issue 16 item 15: coverage, computed/provisional/published, and why 'New'."""
    vm = league_view(store, "2025-26-Q3", peer_group="acute")
    assert "acute: 129 provisional of 129 (5 missing of 134: REN, RGM, RP4, RPY, RRJ)" in vm.coverage
    assert {r.result_source for r in vm.rows} == {"provisional"}
    assert all(r.metrics_expected == 18 and 0 < r.metrics_used <= 18 for r in vm.rows)
    assert all(r.movement == "new" or r.movement_basis == "computed" for r in vm.rows)
    rj1 = next(r for r in vm.rows if r.org_code == "RJ1")
    assert rj1.published_average == 1.67 and rj1.headline_average == 1.67 and rj1.headline_rank == 10
    assert rj1.agreement == "different" and "average" in rj1.agreement_text


def test_profile_says_computed_or_provisional_with_coverage_and_published_comparison(store: Store) -> None:
    ov = org_oversight(store, "RWR", "2025-26-Q3")
    assert ov is not None
    ex = ov.explanation
    assert ex["result_source"] == "provisional" and ex["provisional_reasons"]
    assert set(ex["metrics_used"]) <= set(ex["metrics_expected"]) and ex["published_average_score"] == 2.06
    assert all("population" in m for m in ex["metrics"])


def test_region_segment_counts_sum_to_the_national_counts_on_one_stated_date(store: Store) -> None:
    """Issue 16 item 14: the home page and a region page count segments by the structure on one stated date.

    A London trust closed on 31 March 2026, so counting the region page on today's structure and the home
    page on the quarter's made London's segment-4 count differ. Both count on the quarter's last day.
    """
    import datetime as dt
    from collections import Counter

    from opmodel.oversight import parse_period
    from opmodel.structure import list_organisations
    from opmodel.web.extensions import area_sections

    summary = segment_summary(store)
    assert summary is not None
    end = parse_period(summary.period).end
    assert summary.structure_date == end
    regions = list_organisations(store, kind="region", on=end)
    assert len(regions) == 7
    total: Counter[int] = Counter()
    memo = _kept_for_this_test()
    for reg in regions:
        # Viewed today (after the closure), the region page still counts on the quarter's last day.
        sec = area_sections(store, reg["code"], "region", dt.date(2026, 12, 1), memo)
        assert sec["segment_structure_date"] == end
        assert sec["segment_mix"] == dict(sorted(summary.by_region.get(reg["name"], {}).items())), reg["code"]
        total.update(sec["segment_mix"])
    national: Counter[int] = Counter()
    for name, counts in summary.by_region.items():
        if name != "Not placed in a region":
            national.update(counts)
    assert total == national


def test_profile_published_comparison_shows_the_published_rank(store: Store) -> None:
    """Issue 11 item 4: the profile's comparison puts NHS England's rank beside the computed one."""
    ov = org_oversight(store, "RWR", "2025-26-Q3")
    assert ov is not None
    ex = ov.explanation
    assert ex["published_rank"] == 31 and ex["rank"] == 33 and ex["rank_difference"] == 2
    rj1 = org_oversight(store, "RJ1", "2025-26-Q3")
    assert rj1 is not None and rj1.explanation["published_rank"] == 10
    row = next(r for r in league_view(store, "2025-26-Q3").rows if r.org_code == "RWR")
    assert (row.rank, row.published_rank) == (33, 31)


def test_rjz_profile_and_league_headline_the_published_segment(client: TestClient) -> None:
    """Issue 20 "done when": RJZ's profile and league headline NHS England's published segment 3 and show the
    computed 4 beside it with the reason; the league CSV carries the published columns (issue 23 item 7)."""
    import re

    html = client.get("/organisations/RJZ").text
    badge = re.search(r'<p[^>]*id="segment-badge"[^>]*>(.*?)</p>', html, re.S)
    assert badge is not None and "Segment 3" in badge.group(1) and "ranked 89 of 134" in badge.group(1)
    beside = re.search(r'<p id="reconstruction">(.*?)</p>', html, re.S)
    assert beside is not None and "segment 4" in beside.group(1) and "It differs in segment" in beside.group(1)
    assert "metrics NHS England scored that opmodel holds no value for" in beside.group(1)
    page = client.get("/league", params={"peer_group": "acute", "region": "Y56"}).text
    row = re.search(r'<tr class="nhsuk-table__row">((?:(?!</tr>).)*?RJZ.*?)</tr>', page, re.S)
    assert row is not None and "Segment 3" in row.group(1) and "Published by NHS England" in row.group(1)
    assert "segment 4, 2.85" in row.group(1) and "different (segment" in row.group(1)
    table = list(csv.DictReader(io.StringIO(client.get("/league.csv", params={"peer_group": "acute"}).text)))
    rjz = next(r for r in table if r["org_code"] == "RJZ")
    assert (rjz["headline_source"], rjz["headline_segment"], rjz["headline_rank"]) == ("published", "3", "89")
    assert (rjz["published_segment"], rjz["published_rank"], rjz["published_average"]) == ("3", "89", "2.59")
    assert "nof_q3_2025-26_trust_extract.csv" in rjz["publication"] and rjz["adjusted_segment"] == "4"
    home = client.get("/").text
    moved = re.search(r'<ul class="nhsuk-list" id="movement-published">(.*?)</ul>', home, re.S)
    assert moved is not None
    assert [int(n) for n in re.findall(r": (\d+)</li>", moved.group(1))] == [12, 2, 47]
