"""The engine: who is accountable for an organisation, on a date, resolved against the registry."""

from __future__ import annotations

import datetime as dt

import pytest

from opmodel.accountability import (
    get_model,
    performance_manager,
    performance_managers,
    resolve_model,
    segment_support,
    support_body,
    tier_body,
    who,
)
from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.store import Store

D2023 = dt.date(2023, 6, 1)
D2025 = dt.date(2025, 10, 1)


def test_rj1_elective_care_2023_icb_first_line_then_region(shared_store: Store) -> None:
    r = who(shared_store, "RJ1", D2023, "elective_care")
    assert (r.org, r.model, r.tier, r.model_in_force) == ("RJ1", "nhs-2022", "provider", True)
    [f] = r.functions
    assert f.performance_managed_by == "QKK" and f.performance_managed_by_tier == "icb"
    assert f.escalation[0] == "Y56"
    assert f.escalation == ["Y56", "X24"]
    assert [(c.code, c.tier) for c in f.chain] == [("RJ1", "provider"), ("QKK", "icb"), ("Y56", "region"),
                                                   ("X24", "national")]
    first = [ln for ln in f.lines if ln.line == "first_line"]
    assert [(ln.code, ln.tier) for ln in first] == [("QKK", "icb")]
    assert f.commissioned_by == "QKK"  # ICBs held provider contracts from July 2022 (methodology §6.5)


def test_rj1_elective_care_2025_region_performance_manages_icb_commissions(shared_store: Store) -> None:
    [f] = who(shared_store, "RJ1", D2025, "elective_care").functions
    assert f.performance_managed_by == "Y56" and f.performance_managed_by_tier == "region"
    assert f.escalation == ["X24"]
    assert f.commissioned_by == "QKK"
    icb = next(c for c in f.chain if c.tier == "icb")
    assert (icb.code, icb.role) == ("QKK", "commissions")
    assert "commissioner" in (icb.capacity or "")


def test_every_link_cites_its_source(shared_store: Store) -> None:
    for day in (D2023, D2025):
        for f in who(shared_store, "RJ1", day).functions:
            for link in f.chain:
                assert link.sources or link.role in ("none", "unknown"), (day, f.function, link.tier)
            for ln in f.lines:
                assert ln.sources and all(s.title and s.section for s in ln.sources)
            assert f.sources


def test_primary_care_stays_with_the_icb_in_2025(shared_store: Store) -> None:
    [f] = who(shared_store, "RJ1", D2025, "primary_care").functions
    assert f.performance_managed_by == "QKK"
    assert f.escalation == ["Y56", "X24"]


def test_all_functions_by_default(shared_store: Store) -> None:
    r = who(shared_store, "RJ1", D2025)
    assert [f.function for f in r.functions] == list(get_model("nhs-2025").functions)


def test_icb_and_region_are_overseen_too(shared_store: Store) -> None:
    [f] = who(shared_store, "QKK", D2023, "finance").functions
    assert (f.performance_managed_by, f.escalation) == ("Y56", ["X24"])
    [g] = who(shared_store, "Y56", D2025, "finance").functions
    assert (g.performance_managed_by, g.escalation) == ("X24", [])


def test_performance_manager_across_functions(shared_store: Store) -> None:
    assert performance_manager(shared_store, "RJ1", D2023) == "QKK"
    assert performance_manager(shared_store, "RJ1", D2025) == "Y56"
    assert performance_manager(shared_store, "QKK", D2025) == "Y56"
    assert performance_manager(shared_store, "Y56", D2025) == "X24"
    assert performance_manager(shared_store, "X24", D2025) is None
    assert performance_manager(shared_store, "RQF", D2025) is None  # Welsh trust: outside the model
    assert performance_manager(shared_store, "RJ1", D2025, model="nhs-2022") == "QKK"
    with pytest.raises(UnknownCodeError):
        performance_manager(shared_store, "ZZZ9", D2025)


def test_bulk_performance_managers_match_one_by_one(shared_store: Store) -> None:
    for day in (D2023, D2025, dt.date(2026, 6, 1)):
        bulk = performance_managers(shared_store, day)
        assert len(bulk) > 200
        for code in sorted(bulk)[::25]:
            assert bulk[code] == performance_manager(shared_store, code, day), (code, day)


def test_follows_registry_changes_after_icb_mergers(shared_store: Store) -> None:
    """A trust whose ICB closed on 31 March 2026 is overseen through its new ICB from 1 April 2026."""
    moved = shared_store.rows(
        "SELECT r.child AS trust, r.parent AS old FROM relationships r JOIN organisations o ON o.code = r.parent "
        "WHERE r.rel = 'trust_icb' AND o.close_date = DATE '2026-03-31' ORDER BY r.child LIMIT 1")[0]
    [before] = who(shared_store, moved["trust"], dt.date(2026, 3, 31), "primary_care").functions
    [after] = who(shared_store, moved["trust"], dt.date(2026, 4, 1), "primary_care").functions
    assert before.performance_managed_by == moved["old"]
    assert after.performance_managed_by not in (None, moved["old"])


def test_errors_name_the_problem(shared_store: Store) -> None:
    with pytest.raises(UnknownCodeError, match="elective_cair"):
        who(shared_store, "RJ1", D2025, "elective_cair")
    with pytest.raises(OpmodelError, match="outside the operating model"):
        who(shared_store, "RQF", D2025)
    with pytest.raises(OpmodelError, match="No operating model covers 2021-01-01"):
        who(shared_store, "RJ1", dt.date(2021, 1, 1))
    closed = shared_store.scalar("SELECT min(code) FROM organisations WHERE kind = 'icb' AND close_date IS NOT NULL")
    with pytest.raises(OpmodelError, match="was not open"):
        who(shared_store, str(closed), dt.date(2026, 6, 1))


def test_model_chosen_by_date_unless_named(shared_store: Store) -> None:
    assert resolve_model(None, dt.date(2025, 6, 25)).name == "nhs-2022"
    assert resolve_model(shared_store, dt.date(2025, 6, 26)).name == "nhs-2025"
    assert resolve_model(shared_store, dt.date(2027, 4, 1)).name == "nhs-2027-proposed"
    assert resolve_model(None, dt.date(2023, 1, 1), "nhs-2025").name == "nhs-2025"
    r = who(shared_store, "RJ1", D2025, "elective_care", model="nhs-2022")
    assert r.model == "nhs-2022" and not r.model_in_force
    assert r.functions[0].performance_managed_by == "QKK"
    with pytest.raises(UnknownCodeError, match="nhs-2024"):
        resolve_model(None, D2025, "nhs-2024")


def test_who_result_dump_is_the_json_contract(shared_store: Store) -> None:
    d = who(shared_store, "RJ1", D2023, "elective_care").model_dump(mode="json")
    assert {"org", "date", "model", "functions"} <= set(d)
    assert d["date"] == "2023-06-01"
    [f] = d["functions"]
    assert {"function", "chain", "performance_managed_by", "escalation", "sources"} <= set(f)
    assert all({"code", "tier", "role"} <= set(c) for c in f["chain"])
    assert all(isinstance(c, str) for c in f["escalation"])


def test_support_ladder(shared_store: Store) -> None:
    m22, m25 = get_model("nhs-2022"), get_model("nhs-2025")
    assert segment_support(m22, 4).programme == "RSP" and segment_support(m22, 4).delivered_by == "national"
    assert segment_support(m25, 5).programme == "PIP" and segment_support(m25, 5).delivered_by == "national"
    assert segment_support(m25, 3).delivered_by == "region"
    with pytest.raises(OpmodelError, match="no segment 5"):
        segment_support(m22, 5)
    assert support_body(shared_store, m25, 3, "RJ1", D2025) == "Y56"
    assert support_body(shared_store, m25, 5, "RJ1", D2025) == "X24"
    assert support_body(shared_store, m22, 1, "RJ1", D2023) == "Y56"
    assert tier_body(shared_store, m25, "RJ1", "icb", D2025) == "QKK"
    assert tier_body(shared_store, m25, "RJ1", "provider", D2025) == "RJ1"
    with pytest.raises(OpmodelError, match="no tier 'ics'"):
        tier_body(shared_store, m25, "RJ1", "ics", D2025)
