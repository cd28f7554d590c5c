"""Hypothesis-generated models: well-formed models pass; each kind of damage is found, at the right line."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opmodel.accountability import OperatingModel, check_model, parse_model

ROLES = ["responsible", "oversees", "commissions", "supports", "consulted", "none"]
CITE = [{"source": "src", "section": "s1"}]


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    """A valid model: tier i is overseen by a strictly higher tier (lower index), escalating further up."""
    n_tiers = draw(st.integers(2, 5))
    tiers = [f"t{i}" for i in range(n_tiers)]
    functions = [f"f{i}" for i in range(draw(st.integers(1, 4)))]
    roles: dict[str, dict[str, Any]] = {}
    for f in functions:
        accountable = draw(st.sampled_from(tiers))
        roles[f] = {t: {"role": "accountable" if t == accountable else draw(st.sampled_from(ROLES)),
                        "note": "n", "cite": CITE} for t in tiers}
    oversight: dict[str, Any] = {}
    for i in range(1, n_tiers):
        above = draw(st.lists(st.integers(0, i - 1), min_size=1, max_size=i, unique=True))
        chain = sorted(above, reverse=True)  # nearest overseer first, then higher tiers
        for k, over in enumerate(chain):
            oversight[f"l-{i}-{over}"] = {
                "overseer": tiers[over], "subject": tiers[i], "functions": "all",
                "line": "first_line" if k == 0 else "escalation",
                "escalates_to": tiers[chain[k + 1]] if k + 1 < len(chain) else None, "cite": CITE}
    segments = [{"segment": s, "meaning": "m", "support": "s", "delivered_by": draw(st.sampled_from(tiers)),
                 "cite": CITE} for s in range(1, draw(st.integers(1, 5)) + 1)]
    return {
        "name": "gen", "title": "generated", "version": "1", "effective": {"from": "2022-07-01"},
        "sources": {"src": {"title": "a source", "evidence": "R"}},
        "tiers": {t: {"name": t, "overseen": t != "t0", "cite": CITE} for t in tiers},
        "functions": {f: {"name": f} for f in functions},
        "roles": roles, "oversight": oversight,
        "support_ladder": {"framework": "gen", "segments": segments},
    }


def _checked(data: dict[str, Any]) -> tuple[list[Any], list[str]]:
    """Check the model after a YAML round trip; also return the file's lines to test finding lines."""
    text = yaml.safe_dump(data, sort_keys=False)
    return check_model(parse_model(text, "gen.yaml")), text.splitlines()


def _key_at(lines: list[str], line: int | None, path: str) -> None:
    """The finding's line holds the last key of its path (or a list item of it)."""
    assert line is not None
    last = path.rsplit(".", 1)[-1]
    text = lines[line - 1].strip()
    assert text.startswith((f"{last.split('[')[0]}:", "- ")), (path, text)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(models())
def test_generated_models_pass(data: dict[str, Any]) -> None:
    findings, _ = _checked(data)
    assert findings == []


@SETTINGS
@given(models(), st.data())
def test_accountable_removed_or_doubled_is_found(data: dict[str, Any], pick: st.DataObject) -> None:
    f = pick.draw(st.sampled_from(sorted(data["roles"])))
    removed = copy.deepcopy(data)
    for entry in removed["roles"][f].values():
        if entry["role"] == "accountable":
            entry["role"] = "responsible"
    findings, lines = _checked(removed)
    assert [x.path for x in findings] == [f"roles.{f}"] and "no accountable" in findings[0].message
    _key_at(lines, findings[0].line, findings[0].path)

    doubled = copy.deepcopy(data)
    others = [t for t, e in doubled["roles"][f].items() if e["role"] != "accountable"]
    extra = pick.draw(st.sampled_from(others))
    doubled["roles"][f][extra]["role"] = "accountable"
    findings, lines = _checked(doubled)
    assert [x.check for x in findings] == ["accountable"] and "2 accountable tiers" in findings[0].message
    _key_at(lines, findings[0].line, findings[0].path)


@SETTINGS
@given(models(), st.data())
def test_escalation_back_to_the_route_is_a_cycle(data: dict[str, Any], pick: st.DataObject) -> None:
    line_id = pick.draw(st.sampled_from(sorted(data["oversight"])))
    subject = data["oversight"][line_id]["subject"]
    route = [ln for ln in data["oversight"].values() if ln["subject"] == subject]
    # the last line of the route escalates back to the first overseer (or to itself)
    last = next(ln for ln in route if ln["escalates_to"] is None)
    last["escalates_to"] = route[0]["overseer"]
    findings, lines = _checked(data)
    cycles = [x for x in findings if x.check == "cycles"]
    assert len(cycles) == 1 and "escalation cycle" in cycles[0].message
    assert cycles[0].path.endswith(".escalates_to")
    _key_at(lines, cycles[0].line, cycles[0].path)


@SETTINGS
@given(models(), st.data())
def test_reverse_line_is_an_oversight_cycle(data: dict[str, Any], pick: st.DataObject) -> None:
    line = data["oversight"][pick.draw(st.sampled_from(sorted(data["oversight"])))]
    data["oversight"]["reverse"] = {"overseer": line["subject"], "subject": line["overseer"], "functions": "all",
                                    "line": "escalation", "cite": CITE}
    findings, _ = _checked(data)
    assert any(x.check == "cycles" and "oversight cycle" in x.message for x in findings)


@SETTINGS
@given(models(), st.data())
def test_segment_without_deliverer_or_unknown_tier_is_found(data: dict[str, Any], pick: st.DataObject) -> None:
    i = pick.draw(st.integers(0, len(data["support_ladder"]["segments"]) - 1))
    step = data["support_ladder"]["segments"][i]
    if pick.draw(st.booleans()):
        del step["delivered_by"]
        want = ("ladder", f"support_ladder.segments[{i}]")
    else:
        step["delivered_by"] = "nowhere"
        want = ("references", f"support_ladder.segments[{i}].delivered_by")
    findings, lines = _checked(data)
    assert [(x.check, x.path) for x in findings] == [want]
    _key_at(lines, findings[0].line, findings[0].path)


@SETTINGS
@given(models(), st.data())
def test_dropping_a_first_line_leaves_a_gap(data: dict[str, Any], pick: st.DataObject) -> None:
    firsts = sorted(k for k, ln in data["oversight"].items() if ln["line"] == "first_line")
    dropped = data["oversight"].pop(pick.draw(st.sampled_from(firsts)))
    findings, _ = _checked(data)
    assert any(x.check == "gaps" and x.path == f"tiers.{dropped['subject']}" for x in findings)


@given(models())
@settings(max_examples=20, deadline=None)
def test_generated_models_validate_without_yaml(data: dict[str, Any]) -> None:
    m = OperatingModel.model_validate(data)
    assert check_model(m) == []
    assert all(f.line is None for f in check_model(m))
