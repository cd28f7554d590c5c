"""Unit tests for the operating-model view models: who, explorer, diff and checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from opmodel.accountability import diff_models, get_model
from opmodel.errors import UnknownCodeError
from opmodel.store import Store
from opmodel.web.views_accountability import (
    explorer_view,
    model_checks,
    model_diff,
    org_accountability,
    shipped_model,
)


def test_rj1_is_performance_managed_by_its_icb_then_its_region(store: Store) -> None:
    before = org_accountability(store, "RJ1", dt.date(2023, 1, 1))
    after = org_accountability(store, "RJ1", dt.date(2025, 10, 1), segment=3)
    assert before is not None and after is not None
    assert (before.who.model, before.performance_manager) == ("nhs-2022", "QKK")
    assert (after.who.model, after.performance_manager) == ("nhs-2025", "Y56")
    assert after.support is not None and after.support.segment == 3
    assert after.support.delivered_by == "Y56"
    assert len(after.who.functions) >= 9


def test_explorer_gives_the_chain_tier_by_tier_for_one_function(store: Store) -> None:
    vm = explorer_view(store, dt.date(2023, 1, 1), "cancer", "rj1")
    assert vm.model is not None and vm.model.name == "nhs-2022"
    assert vm.who is not None
    chain = vm.who.functions[0].chain
    assert [c.tier for c in chain] == ["provider", "icb", "region", "national"]
    assert [c.code for c in chain] == ["RJ1", "QKK", "Y56", "X24"]
    assert vm.who.functions[0].performance_managed_by == "QKK"


def test_explorer_reports_a_date_no_model_covers(store: Store) -> None:
    vm = explorer_view(store, dt.date(2021, 1, 1))
    assert vm.who is None
    assert vm.problem is not None and "2021-01-01" in vm.problem


def test_explorer_rejects_unknown_functions_and_organisations(store: Store) -> None:
    with pytest.raises(UnknownCodeError):
        explorer_view(store, dt.date(2025, 6, 1), "dentistry")
    with pytest.raises(UnknownCodeError):
        explorer_view(store, dt.date(2025, 6, 1), None, "ZZZ")


def test_diff_and_checks_come_from_the_library(store: Store) -> None:
    assert model_diff("nhs-2022", "nhs-2025") == diff_models(get_model("nhs-2022"), get_model("nhs-2025"))
    assert model_diff("nhs-2025", "nhs-2025") == []
    assert model_checks(store) == []


def test_only_shipped_model_names_are_accepted() -> None:
    with pytest.raises(UnknownCodeError):
        shipped_model("/etc/passwd")
    assert shipped_model("nhs-2022").name == "nhs-2022"


def test_operating_model_page_diagrams_status_and_model_selects(private_client: Any) -> None:
    """Issue 13: the From/To selects list every shipped model; the chain and side-by-side are SVG."""
    client = private_client  # its own app: the session app's store is closed once schemathesis has run
    r = client.get("/operating-model?on=2025-10-01&org=RJ1&function=primary_care&a=nhs-2025&b=nhs-2027-proposed")
    assert r.status_code == 200
    html = r.text
    for sel in ('id="diff-a"', 'id="diff-b"'):
        select = html[html.index(sel):html.index("</select>", html.index(sel))]
        assert select.count("<option") == 3 and "nhs-2027-proposed" in select
    assert 'id="chain-diagram"' in html and "<svg" in html and 'id="models-diagram"' in html
    assert "Transition" in html and 'id="delegations"' in html and "stays accountable" in html
    proposed = client.get("/operating-model?on=2027-06-01&org=RJ1").text
    assert "announced, not enacted" in proposed and 'id="model-status"' in proposed


def test_chain_svg_labels_every_line(store: Store) -> None:
    from opmodel.accountability import who
    from opmodel.accountability.diagrams import chain_svg

    svg = chain_svg(who(store, "RJ1", dt.date(2025, 10, 1), "primary_care"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for label in ("oversees", "escalation", "delegates", "QKK", "X24", "(transition)"):
        assert label in svg


def test_overseers_api_for_the_register(private_client: Any) -> None:
    client = private_client
    rows = client.get("/api/v1/organisations/RJ1/overseers",
                      params={"on": "2025-10-01", "function": "primary_care"}).json()
    rel = {(r["relation"], r["code"]) for r in rows}
    assert ("delegates", "QKK") in rel and ("performance_manages", "QKK") in rel
    assert client.get("/api/v1/organisations/ZZZ9/overseers").status_code == 404
