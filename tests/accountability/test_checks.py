"""The checks: shipped models pass; mutated copies fail, naming the element by YAML path and line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from opmodel.accountability import check_model, check_models, load_model, shipped_models
from opmodel.accountability.checks import Finding, check_coverage, check_dates, check_overseers
from opmodel.store import Store

from .conftest import Mutator, line_text

Make = Callable[[str, Mutator], Path]


def _findings(path: Path, store: Store | None = None) -> list[Finding]:
    return check_model(load_model(path), store)


def _one(findings: list[Finding], check: str) -> Finding:
    hits = [f for f in findings if f.check == check]
    assert len(hits) == 1, findings
    return hits[0]


def test_shipped_models_pass_every_check(shared_store: Store) -> None:
    assert check_models(shipped_models(), shared_store) == []


def test_representative_dates_include_the_icb_mergers(shared_store: Store) -> None:
    m22, m25, _ = shipped_models()
    d22, d25 = check_dates(shared_store, m22), check_dates(shared_store, m25)
    assert d22[0] == dt.date(2022, 7, 1) and d22[-1] == dt.date(2025, 6, 25)
    assert all(m22.effective.covers(d) for d in d22)
    assert d25[0] == dt.date(2025, 6, 26) and dt.date(2026, 4, 1) in d25


def test_accountable_tier_removed(mutated: Make) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["roles"]["finance"]["provider"]["role"] = "responsible"

    path = mutated("nhs-2025", fn)
    f = _one(_findings(path), "accountable")
    assert f.path == "roles.finance" and "no accountable tier" in f.message
    assert line_text(path, f.line).strip() == "finance:"
    assert f.file == str(path)


def test_duplicate_accountable_tier(mutated: Make) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["roles"]["cancer"]["region"]["role"] = "accountable"

    path = mutated("nhs-2022", fn)
    f = _one(_findings(path), "accountable")
    assert f.path == "roles.cancer.region" and "2 accountable tiers" in f.message
    assert line_text(path, f.line).strip() == "region:"
    above = [ln for ln in path.read_text().splitlines()[: f.line] if ln.startswith("  ") and not ln.startswith("   ")]
    assert above[-1] == "  cancer:"


def test_escalation_cycle(mutated: Make) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["oversight"]["national-escalation-providers"]["escalates_to"] = "region"

    path = mutated("nhs-2022", fn)
    f = _one(_findings(path), "cycles")
    assert f.path == "oversight.national-escalation-providers.escalates_to"
    assert "escalation cycle" in f.message and "national -> region" in f.message
    assert line_text(path, f.line).strip() == "escalates_to: region"


def test_oversight_cycle(mutated: Make) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["oversight"]["provider-oversees-icb"] = {
            "overseer": "provider", "subject": "icb", "functions": ["primary_care"], "line": "escalation",
            "cite": [{"source": "nof-2025-26", "section": "made up"}]}

    path = mutated("nhs-2025", fn)
    hits = [f for f in _findings(path) if f.check == "cycles" and "oversight cycle" in f.message]
    assert len(hits) == 1 and "icb -> provider -> icb" in hits[0].message


def test_unknown_tiers_functions_and_sources(mutated: Make) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["oversight"]["region-performance-manages-icbs"]["subject"] = "ics"
        d["oversight"]["icb-oversees-primary-care"]["functions"] = ["primary_care", "primary_care_pod", "dentistry"]
        d["roles"]["finance"]["icb"]["cite"][0]["source"] = "hsj"

    path = mutated("nhs-2025", fn)
    refs = [f for f in _findings(path) if f.check == "references"]
    paths = {f.path for f in refs}
    assert paths == {"oversight.region-performance-manages-icbs.subject",
                     "oversight.icb-oversees-primary-care.functions", "roles.finance.icb.cite[0].source"}
    assert all(f.line is not None for f in refs)
    assert any("'ics'" in f.message and "provider" in f.message for f in refs)
    # the ICB tier has lost its first-line overseer: a gap
    gap = _one(_findings(path), "gaps")
    assert gap.path == "tiers.icb" and line_text(path, gap.line).strip() == "icb:"


def test_two_first_line_overseers_is_an_overlap(mutated: Make) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["oversight"]["region-performance-manages-providers"]["except"] = []

    path = mutated("nhs-2025", fn)
    f = _one(_findings(path), "overlaps")
    assert "primary_care" in f.message and f.path.startswith("oversight.")


def test_missing_role_cell(mutated: Make) -> None:
    def fn(d: dict[str, Any]) -> None:
        del d["roles"]["workforce"]["icb"]

    f = _one(_findings(mutated("nhs-2025", fn)), "roles")
    assert f.path == "roles.workforce" and "icb" in f.message


def test_support_segment_without_delivering_tier_and_gap(mutated: Make) -> None:
    def fn(d: dict[str, Any]) -> None:
        del d["support_ladder"]["segments"][2]["delivered_by"]
        del d["support_ladder"]["segments"][3]

    path = mutated("nhs-2025", fn)
    ladder = [f for f in _findings(path) if f.check == "ladder"]
    assert {f.path for f in ladder} == {"support_ladder.segments[2]", "support_ladder.segments"}
    assert any("segment 3 has no delivering tier" in f.message for f in ladder)
    assert any("[4] missing" in f.message for f in ladder)
    assert line_text(path, next(f for f in ladder if f.path.endswith("[2]")).line).strip() == "- segment: 3"


def test_trust_whose_icb_closed_has_no_overseer(store: Store) -> None:
    """Close QKK early in a private store: its trusts are left with no first-line overseer (2022 model)."""
    store.execute("UPDATE organisations SET close_date = DATE '2023-12-31' WHERE code = 'QKK'")
    m22 = shipped_models()[0]
    findings = check_overseers(m22, store, [dt.date(2024, 1, 1)])
    f = next(f for f in findings if f.path == "oversight.icb-oversees-providers")
    assert "RJ1" in f.message and "2024-01-01" in f.message and "'icb'" in f.message
    assert f.line is not None
    assert check_overseers(m22, store, [dt.date(2023, 12, 31)]) == []
    # the date of the closure is one of the representative dates the full check uses
    assert dt.date(2024, 1, 1) in check_dates(store, m22)
    assert any("RJ1" in f.message for f in check_model(m22, store))


def test_dates_no_model_covers(mutated: Make) -> None:
    m22 = shipped_models()[0]

    def late(d: dict[str, Any]) -> None:
        d["effective"] = {"from": dt.date(2025, 7, 1)}

    gap = check_coverage([m22, load_model(mutated("nhs-2025", late))])
    assert len(gap) == 1 and "2025-06-26 to 2025-06-30" in gap[0].message and gap[0].path == "effective"

    def closed(d: dict[str, Any]) -> None:
        d["effective"] = {"from": dt.date(2025, 6, 26), "to": dt.date(2027, 3, 31)}

    end = check_coverage([m22, load_model(mutated("nhs-2025", closed))])
    assert len(end) == 1 and "after 2027-03-31" in end[0].message

    def early(d: dict[str, Any]) -> None:
        d["effective"] = {"from": dt.date(2025, 1, 1)}

    overlap = check_coverage([m22, load_model(mutated("nhs-2025", early))])
    assert len(overlap) == 1 and "still in force" in overlap[0].message
    assert check_coverage(shipped_models()) == []
