"""Unit tests for the structure view models (no HTTP): what the pages and the API show."""

from __future__ import annotations

import datetime as dt

import pytest

from opmodel.errors import UnknownCodeError
from opmodel.store import Store
from opmodel.structure import org_details
from opmodel.web.views_structure import area_view, org_href, organisation_view, overview, search

BEFORE = dt.date(2025, 6, 1)
AFTER = dt.date(2026, 6, 1)


def test_organisation_view_matches_org_details_and_records_history(store: Store) -> None:
    vm = organisation_view(store, "rj1", BEFORE)
    assert vm.details.model_dump() == org_details(store, "RJ1", BEFORE)
    assert [p["code"] for p in vm.details.parents] == ["QKK", "Y56", "X24"]
    assert vm.peer_group == "Acute"
    assert vm.history[0].parent.code == "QKK"
    assert vm.history[0].valid_from == dt.date(2022, 7, 1)
    assert vm.history[0].parent.href == "/icbs/QKK"


def test_overview_counts_the_april_2026_icb_mergers(store: Store) -> None:
    before, after = overview(store, BEFORE), overview(store, AFTER)
    assert (before.icb_count, after.icb_count) == (42, 36)
    assert len(after.regions) == 7
    assert sum(r.trusts for r in after.regions) == after.trust_count
    assert sum(after.trusts_by_peer_group.values()) == after.trust_count
    merged = {c.code for c in after.recent_changes if c.kind == "icb" and c.change == "closed"}
    assert len(merged) == 12
    assert not {c.code for c in before.recent_changes if c.change == "closed" and c.kind == "icb"}


def test_region_view_lists_its_icbs_and_trusts(store: Store) -> None:
    vm = area_view(store, "Y56", AFTER, "region")
    assert "QKK" in {i.code for i in vm.icbs}
    assert "RJ1" in {t.code for t in vm.trusts}
    assert all(t.region == "Y56" for t in vm.trusts)
    assert sum(vm.trusts_by_peer_group.values()) == len(vm.trusts)


def test_icb_view_has_no_icbs_and_its_own_trusts(store: Store) -> None:
    vm = area_view(store, "QKK", AFTER, "icb")
    assert vm.icbs == []
    assert {t.icb for t in vm.trusts} == {"QKK"}
    assert "RJ1" in {t.code for t in vm.trusts}


def test_area_view_refuses_an_organisation_of_another_kind(store: Store) -> None:
    with pytest.raises(UnknownCodeError, match="RJ1 is a trust"):
        area_view(store, "RJ1", AFTER, "icb")


@pytest.mark.parametrize("query", ["RJ1", "rj1", "guys and st thomas", "Guy’s and St Thomas’", "gusy"])
def test_search_tolerates_case_apostrophes_and_typos(store: Store, query: str) -> None:
    assert search(store, query).results[0].code == "RJ1"


def test_search_exact_code_and_empty_query(store: Store) -> None:
    assert search(store, "qkk").exact is not None
    assert search(store, "leeds teaching").exact is None
    assert search(store, "   ").results == []


def test_org_href_routes_by_kind() -> None:
    assert org_href("region", "Y56") == "/regions/Y56"
    assert org_href("icb", "QKK") == "/icbs/QKK"
    assert org_href("trust", "RJ1") == "/organisations/RJ1"
    assert org_href("national", "X24") == "/"
