"""Reorganisation scenarios (issue 13): merge ICBs, move a trust, abolish a tier, give a function away."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from opmodel.accountability import SCENARIOS_DIR, apply_scenario, get_model, load_scenario
from opmodel.accountability.placement import places_on
from opmodel.errors import InputError
from opmodel.store import Store


def _trusts_of(store: Store, icb: str, on: dt.date) -> set[str]:
    return {p.code for p in places_on(store, get_model("nhs-2025"), on).values()
            if p.kind == "trust" and p.body_at("icb") == icb}


def test_merging_two_icbs_lists_every_trust_whose_icb_line_changes_and_passes(shared_store: Store) -> None:
    s = load_scenario(SCENARIOS_DIR / "merge-south-london-icbs.yaml")
    r = apply_scenario(shared_store, s)
    moved = _trusts_of(shared_store, "QWE", s.date)
    assert moved  # the registry's south west London trusts
    icb_lines = {c.org_code for c in r.changes if c.line == "contract" and c.before == "QWE" and c.after == "QKK"}
    assert icb_lines == moved
    assert not ({c.org_code for c in r.changes} & _trusts_of(shared_store, "QKK", s.date))  # QKK's own: unchanged
    assert r.passed and r.checks == [] and r.orphaned_functions == []
    span = {x.code: x for x in r.span_of_control}
    assert span["QKK"].trusts_after == span["QKK"].trusts_before + len(moved)
    assert span["QWE"].trusts_after == 0 and span["Y56"].icbs_after == span["Y56"].icbs_before - 1


def test_abolishing_the_icb_tier_reports_the_orphaned_functions(shared_store: Store) -> None:
    r = apply_scenario(shared_store, load_scenario(SCENARIOS_DIR / "abolish-icb-tier.yaml"))
    assert not r.passed
    # ICBs oversee primary care and are accountable for population health in nhs-2025
    assert {"primary_care", "primary_care_pod", "population_health"} <= set(r.orphaned_functions)
    assert {f.check for f in r.checks} >= {"accountable", "gaps"}
    rj1 = {(c.function, c.line): (c.before, c.after) for c in r.changes if c.org_code == "RJ1"}
    assert rj1[("elective_care", "contract")] == ("QKK", None)
    assert rj1[("primary_care", "first_line")] == ("QKK", None)


def test_moving_a_trust_changes_its_icb_and_region_lines(shared_store: Store) -> None:
    r = apply_scenario(shared_store, load_scenario(SCENARIOS_DIR / "move-trust.yaml"))
    rj1 = {(c.function, c.line): (c.before, c.after) for c in r.changes if c.org_code == "RJ1"}
    assert rj1[("elective_care", "first_line")] == ("Y56", "Y59")
    assert rj1[("elective_care", "contract")] == ("QKK", "QKS")
    assert {c.org_code for c in r.changes} == {"RJ1"} and r.passed


def test_giving_elective_oversight_to_icbs_moves_only_that_function(shared_store: Store) -> None:
    r = apply_scenario(shared_store, load_scenario(SCENARIOS_DIR / "icbs-keep-elective-oversight.yaml"))
    assert r.changes and all(c.function == "elective_care" and c.line == "first_line" for c in r.changes)
    rj1 = [c for c in r.changes if c.org_code == "RJ1"]
    assert [(c.before, c.after) for c in rj1] == [("Y56", "QKK")]
    assert r.passed


def test_bad_scenario_names_file_and_field(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\ndate: 2025-10-01\nchanges:\n  - action: merge_icbs\n    merge: [QKK]\n    into: QKK\n")
    with pytest.raises(InputError) as info:
        load_scenario(p)
    [problem] = info.value.problems
    assert problem.field == "changes[0].merge" and problem.line == 5


def test_cli_scenario_json_contract(cli: Any) -> None:
    r = cli("model", "scenario", str(SCENARIOS_DIR / "merge-south-london-icbs.yaml"), "--format", "json")
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert {"changes", "checks", "span_of_control"} <= set(d)
    assert d["changes"] and all({"org_code", "function", "before", "after"} <= set(c) for c in d["changes"])
    assert d["checks"] == []
