"""Queries on the shipped default registry: show, list, tree, changes and suggestions."""

from __future__ import annotations

import datetime as dt

import pytest

from opmodel.errors import UnknownCodeError
from opmodel.store import Store
from opmodel.structure import get_organisation, list_organisations, org_details, suggest_codes, tree


def test_show_gives_the_parent_chain_on_the_date(store: Store) -> None:
    d = org_details(store, "rj1", dt.date(2025, 6, 1))
    assert d["code"] == "RJ1" and d["kind"] == "trust" and d["subtype"] == "acute"
    assert [(p["code"], p["kind"]) for p in d["parents"]] == [("QKK", "icb"), ("Y56", "region"),
                                                              ("X24", "national")]


def test_list_by_region_and_icb(store: Store) -> None:
    day = dt.date(2025, 6, 1)
    north_west = list_organisations(store, kind="trust", region="Y62", on=day)
    assert len(north_west) == 31
    assert all(t["region"] == "Y62" for t in north_west)
    qkk = {t["code"] for t in list_organisations(store, kind="trust", icb="QKK", on=day)}
    assert {"RJ1", "RJZ", "RJ2"} <= qkk
    assert len(list_organisations(store, kind="region", on=day)) == 7
    assert len(list_organisations(store, kind="sub_icb", on=day)) == 159


def test_every_english_trust_has_an_icb_and_region_on_both_dates(store: Store) -> None:
    for day in (dt.date(2025, 6, 1), dt.date(2026, 6, 1)):
        trusts = [t for t in list_organisations(store, kind="trust", on=day) if t["subtype"] != "wales"]
        assert trusts and all(t["icb"] and t["region"] for t in trusts)


def test_tree_below_a_region(store: Store) -> None:
    root = tree(store, "Y62", dt.date(2026, 6, 1))
    assert root["code"] == "Y62"
    assert sorted(c["code"] for c in root["children"]) == ["QE1", "QOP", "QYG"]
    cheshire = next(c for c in root["children"] if c["code"] == "QYG")
    assert any(k["kind"] == "trust" for k in cheshire["children"])


def test_unknown_code_suggests_the_closest(store: Store) -> None:
    with pytest.raises(UnknownCodeError) as err:
        get_organisation(store, "RJ7X")
    assert "RJ7" in err.value.suggestions
    assert "Did you mean" in str(err.value)


def test_suggestions_find_names_too(store: Store) -> None:
    assert "RJ1" in suggest_codes(store, "guys and st thomas")


def test_suggestions_are_stable_and_prefer_trusts(store: Store) -> None:
    assert suggest_codes(store, "RJ!")[0] == "RJ1"  # same prefix, then alphabetical among equals
    assert suggest_codes(store, "manchester")[0] == "R0A"  # a trust before sub-ICB locations
    assert suggest_codes(store, "leeds teaching")[0] == "RR8"
