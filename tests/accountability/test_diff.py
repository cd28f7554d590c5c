"""The diff: what changed between two models, function by function and tier by tier."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from opmodel.accountability import diff_models, get_model, load_model

from .conftest import Mutator


def test_2022_to_2025_moves_provider_performance_management_from_icb_to_region() -> None:
    entries = diff_models(get_model("nhs-2022"), get_model("nhs-2025"))
    pm = [e for e in entries if e.area == "performance_management"]
    assert len(pm) == 1
    [move] = pm
    assert (move.subject, move.before, move.after) == ("provider", "icb", "region")
    assert "primary_care" not in move.functions and "elective_care" in move.functions
    assert "performance management" in move.text and "icb → region" in move.text
    # ICBs held provider contracts from July 2022 (methodology §6.5): not new in 2025
    contract = [e for e in entries if e.area == "commissioning"]
    assert not [e for e in contract if e.before is None and e.after == "icb"]
    assert contract == []
    roles = {(e.functions[0], e.subject): (e.before, e.after) for e in entries if e.area == "roles"}
    assert roles[("elective_care", "icb")] == ("accountable", "commissions")
    assert roles[("elective_care", "provider")] == ("responsible", "accountable")
    assert ("population_health", "icb") not in roles  # unchanged: the ICB stays accountable
    support = {e.subject: e for e in entries if e.area == "support"}
    assert "segment 5" in support and support["segment 5"].after and "PIP" in support["segment 5"].after


def test_a_model_against_itself_has_no_changes() -> None:
    m = get_model("nhs-2025")
    assert diff_models(m, m) == []


def test_a_local_variant_shows_only_its_change(mutated: Callable[[str, Mutator], Path]) -> None:
    def fn(d: dict[str, Any]) -> None:
        d["roles"]["workforce"]["icb"] = {"role": "consulted", "cite": [{"source": "mtpf", "section": "local"}]}

    path: Path = mutated("nhs-2025", fn)
    entries = diff_models(get_model("nhs-2025"), load_model(path))
    assert [(e.area, e.subject, e.functions, e.before, e.after) for e in entries] == [
        ("roles", "icb", ["workforce"], "unknown", "consulted")]
