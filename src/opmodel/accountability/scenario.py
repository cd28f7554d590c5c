"""Reorganisation scenarios: apply structural and model changes on a date and see what moves.

A scenario is a YAML file naming a base model, a date and a list of changes (merge ICBs, move a
trust, abolish a tier, give a function's line to another tier). It is applied in memory to the
registry as it stood on the date and to a copy of the model, never to the store, so scenarios can
be saved, re-run and compared. The report lists every accountability line that changes, the model
checks after the change (orphans, gaps, duplicates, cycles) and each overseer's span of control
before and after (issue 13; methodology §6.2-§6.5 for the reorganisations announced); for a merger,
the merged ICB's population and headline performance before and after, from summed counts (issue 24).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from opmodel.accountability.checks import Finding, check_model
from opmodel.accountability.library import resolve_model
from opmodel.accountability.lines import lines_for
from opmodel.accountability.loader import yaml_with_lines
from opmodel.accountability.placement import Body, Place, places_on
from opmodel.accountability.schema import ALL_FUNCTIONS, LineKind, OperatingModel, OversightLine, Role
from opmodel.errors import InputError, InputProblem, OpmodelError
from opmodel.store import Store

__all__ = [
    "SCENARIOS_DIR",
    "AbolishTier",
    "GiveFunction",
    "LineChange",
    "MergeIcbs",
    "MergedIcb",
    "MoveTrust",
    "Scenario",
    "ScenarioResult",
    "SpanRow",
    "apply_scenario",
    "load_scenario",
]

#: Example scenario files shipped with the package.
SCENARIOS_DIR = Path(__file__).resolve().parent / "scenarios"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class MergeIcbs(_Strict):
    """ICBs in ``merge`` become one, keeping the code ``into`` (which must be one of them or new)."""

    action: Literal["merge_icbs"]
    merge: list[str] = Field(min_length=2)
    into: str = Field(min_length=1)
    name: str | None = None


class MoveTrust(_Strict):
    """A trust moves to another ICB (and so to that ICB's region)."""

    action: Literal["move_trust"]
    trust: str = Field(min_length=1)
    to_icb: str = Field(min_length=1)


class AbolishTier(_Strict):
    """A tier is abolished: its bodies, roles, lines and delegations go; nothing is reassigned."""

    action: Literal["abolish_tier"]
    tier: str = Field(min_length=1)


class GiveFunction(_Strict):
    """The ``line`` over ``subject`` for ``function`` passes to tier ``to`` (the old overseer loses it)."""

    action: Literal["give_function"]
    function: str = Field(min_length=1)
    to: str = Field(min_length=1)
    subject: str = "provider"
    line: LineKind = LineKind.FIRST_LINE


Change = Annotated[MergeIcbs | MoveTrust | AbolishTier | GiveFunction, Field(discriminator="action")]


class Scenario(_Strict):
    name: str = Field(min_length=1)
    title: str | None = None
    description: str | None = None
    model: str | None = Field(None, description="Base model name; default: the model in force on the date.")
    date: dt.date = Field(description="The date whose registry the scenario starts from.")
    changes: list[Change] = Field(min_length=1)


class LineChange(BaseModel):
    """One accountability line of one organisation that the scenario changes."""

    org_code: str
    function: str
    line: str
    before: str | None
    after: str | None


class SpanRow(BaseModel):
    """What one overseer spans: trusts and ICBs beneath it (population when the store has it)."""

    code: str
    tier: str
    trusts_before: int
    trusts_after: int
    icbs_before: int
    icbs_after: int
    population_before: int | None = None
    population_after: int | None = None


class MergedIcb(BaseModel):
    """A merged ICB's population and headline performance: each ICB before, the merged one after."""

    into: str
    name: str | None
    merged: list[str]
    trusts_before: dict[str, list[str]]
    population: dict[str, Any] = Field(description="Resident population and profile indicators before and after.")
    performance: list[dict[str, Any]] = Field(
        description="Headline trust metrics: summed numerators and denominators per ICB and merged, same month.")


class ScenarioResult(BaseModel):
    """``opmodel model scenario --format json``: changes, checks and span of control."""

    scenario: str
    model: str
    on: dt.date
    changes: list[LineChange]
    checks: list[Finding]
    orphaned_functions: list[str] = Field(description="Functions left with no accountable tier or no first line.")
    span_of_control: list[SpanRow]
    merged_icbs: list[MergedIcb] = Field(default_factory=list)
    passed: bool


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario file; every problem names the file, line and field."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.one(p, None, None, "file not found; expected a scenario YAML file") from None
    data, lines = yaml_with_lines(text, str(p))
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            # drop the union tags pydantic adds to a discriminated change ("merge_icbs", ...)
            loc = [x for x in err["loc"] if not (isinstance(x, str) and x in _ACTIONS)]
            path = "".join(f"[{x}]" if isinstance(x, int) else (f".{x}" if i else str(x)) for i, x in enumerate(loc))
            problems.append(InputProblem(str(p), _near(lines, path) or 1, path or None, err["msg"]))
        raise InputError(problems) from None


_ACTIONS = {"merge_icbs", "move_trust", "abolish_tier", "give_function"}


def _near(lines: dict[str, int], path: str) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def _line_map(model: OperatingModel, places: dict[str, Place]) -> dict[tuple[str, str, str], str | None]:
    out: dict[tuple[str, str, str], str | None] = {}
    for code, place in places.items():
        if place.tier is None or place.tier not in model.tiers:
            continue
        for f in model.functions:
            for kind in (LineKind.FIRST_LINE, LineKind.CONTRACT):
                found = lines_for(model, place.tier, f, kind)
                if found:
                    out[(code, f, kind.value)] = place.body_at(found[0][1].overseer)
                elif kind is LineKind.FIRST_LINE and model.tiers[place.tier].overseen:
                    out[(code, f, kind.value)] = None
    return out


def _span(places: dict[str, Place]) -> dict[str, tuple[str, int, int]]:
    trusts: dict[str, int] = defaultdict(int)
    icbs: dict[str, int] = defaultdict(int)
    tiers: dict[str, str] = {}
    for place in places.values():
        for a in place.ancestors:
            if a.tier in ("region", "icb"):
                tiers[a.code] = a.tier
                if place.kind == "trust":
                    trusts[a.code] += 1
                elif place.kind == "icb":
                    icbs[a.code] += 1
    return {c: (t, trusts[c], icbs[c]) for c, t in tiers.items()}


def _reparent(place: Place, tier: str, body: Body, region: Body | None) -> None:
    kept = [a for a in place.ancestors if a.tier not in (tier, "region" if region else "")]
    at = [a for a in place.ancestors if a.tier == tier]
    if not at:
        return
    new = [body] + ([region] if region else [])
    place.ancestors = sorted(kept + new, key=lambda a: _ORDER.get(a.tier or "", 9))


_ORDER = {"provider": 0, "icb": 1, "region": 2, "national": 3}


def _drop_function(line: OversightLine, function: str) -> None:
    if line.functions == ALL_FUNCTIONS:
        line.except_ = [*line.except_, function]
    else:
        line.functions = [f for f in line.functions if f != function]


def _apply(model: OperatingModel, places: dict[str, Place], change: Any) -> None:
    if isinstance(change, MergeIcbs):
        for code in change.merge:
            if code not in places or places[code].tier != "icb":
                raise OpmodelError(f"merge_icbs: {code} is not an ICB open on the scenario date.")
        keep = places.get(change.into)
        base = keep or places[change.merge[0]]
        body = Body(change.into, change.name or base.name, "icb")
        region = next((a for a in base.ancestors if a.tier == "region"), None)
        for code in change.merge:
            if code != change.into:
                del places[code]
        if keep is None:
            places[change.into] = Place(change.into, body.name, "icb", None, "icb", True, list(base.ancestors))
        elif change.name:
            keep.name = change.name
        for place in places.values():
            if any(a.code in change.merge for a in place.ancestors):
                _reparent(place, "icb", body, region)
    elif isinstance(change, MoveTrust):
        trust, icb = places.get(change.trust), places.get(change.to_icb)
        if trust is None or icb is None or icb.tier != "icb":
            raise OpmodelError(f"move_trust: {change.trust} or {change.to_icb} is not open on the scenario date "
                               "(or the target is not an ICB).")
        region = next((a for a in icb.ancestors if a.tier == "region"), None)
        _reparent(trust, "icb", Body(icb.code, icb.name, "icb"), region)
    elif isinstance(change, AbolishTier):
        tier = change.tier
        if tier not in model.tiers:
            raise OpmodelError(f"abolish_tier: the model has no tier '{tier}'; its tiers are {', '.join(model.tiers)}.")
        del model.tiers[tier]
        for by_tier in model.roles.values():
            by_tier.pop(tier, None)
        model.oversight = {k: v for k, v in model.oversight.items() if tier not in (v.overseer, v.subject)}
        for ln in model.oversight.values():
            if ln.escalates_to == tier:
                ln.escalates_to = None
        model.delegations = {k: d for k, d in model.delegations.items() if tier not in (d.delegator, d.delegate)}
        for step in model.support_ladder.segments:
            step.involving = [t for t in step.involving if t != tier]
            if step.delivered_by == tier:
                step.delivered_by = None
        for code in [c for c, p in places.items() if p.tier == tier]:
            del places[code]
        for place in places.values():
            place.ancestors = [a for a in place.ancestors if a.tier != tier]
    elif isinstance(change, GiveFunction):
        if change.function not in model.functions or change.to not in model.tiers:
            raise OpmodelError(f"give_function: unknown function '{change.function}' or tier '{change.to}' "
                               f"in model {model.name}.")
        old = lines_for(model, change.subject, change.function, change.line)
        template = old[0][1] if old else None
        for _, ln in old:
            _drop_function(ln, change.function)
        lid = f"scenario-{change.to}-{change.line.value}-{change.function}".replace("_", "-")
        if template is None:
            raise OpmodelError(f"give_function: no existing {change.line.value} line for {change.function} to move.")
        model.oversight[lid] = OversightLine.model_validate({
            "overseer": change.to, "subject": change.subject, "functions": [change.function],
            "line": change.line.value, "escalates_to": template.escalates_to,
            "powers": template.powers, "cite": [c.model_dump() for c in template.cite],
            "note": "Scenario change, not a sourced statement."})


def _orphans(model: OperatingModel, places: dict[str, Place]) -> tuple[list[str], list[Finding]]:
    orphaned: set[str] = set()
    findings: list[Finding] = []
    for fid in model.functions:
        by_tier = model.roles.get(fid, {})
        if not any(e.role is Role.ACCOUNTABLE for e in by_tier.values()):
            orphaned.add(fid)
        for tid, tdef in model.tiers.items():
            if tdef.overseen and not lines_for(model, tid, fid, LineKind.FIRST_LINE):
                orphaned.add(fid)
    missing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, place in places.items():
        if place.tier is None or place.tier not in model.tiers or not model.tiers[place.tier].overseen:
            continue
        for fid in model.functions:
            found = lines_for(model, place.tier, fid, LineKind.FIRST_LINE)
            if found and place.body_at(found[0][1].overseer) is None:
                missing[(found[0][0], found[0][1].overseer)].append(code)
    for (lid, tier), codes in sorted(missing.items()):
        shown = sorted(set(codes))
        findings.append(Finding(check="orphans", model=model.name, file=model.origin.file, path=f"oversight.{lid}",
                                line=None, message=f"{len(shown)} organisation(s) have no '{tier}' to oversee them: "
                                                   f"{', '.join(shown[:10])}"))
    return sorted(orphaned), findings


def apply_scenario(store: Store, scenario: Scenario) -> ScenarioResult:
    """Apply ``scenario`` in memory and report changed lines, checks and span of control."""
    base = resolve_model(store, scenario.date, scenario.model)
    model = base.model_copy(deep=True).with_origin(base.origin)
    before_places = places_on(store, base, scenario.date)
    after_places = copy.deepcopy(before_places)
    for change in scenario.changes:
        _apply(model, after_places, change)
    model = OperatingModel.model_validate(model.model_dump(by_alias=True)).with_origin(base.origin)
    before, after = _line_map(base, before_places), _line_map(model, after_places)
    changes = [LineChange(org_code=k[0], function=k[1], line=k[2], before=before.get(k), after=after.get(k))
               for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    orphaned, orphan_findings = _orphans(model, after_places)
    checks = [*check_model(model), *orphan_findings]
    sb, sa = _span(before_places), _span(after_places)
    merged = [_merged(store, ch, before_places, scenario.date) for ch in scenario.changes if isinstance(ch, MergeIcbs)]
    pops = {m.into: m.population.get("population_after") for m in merged}
    for m in merged:
        for code in m.merged:
            pops.setdefault(code, m.population["population_before"].get(code))
    span = [SpanRow(code=c, tier=(sa.get(c) or sb[c])[0], trusts_before=sb.get(c, ("", 0, 0))[1],
                    trusts_after=sa.get(c, ("", 0, 0))[1], icbs_before=sb.get(c, ("", 0, 0))[2],
                    icbs_after=sa.get(c, ("", 0, 0))[2],
                    population_before=_int(next((m.population["population_before"].get(c) for m in merged
                                                 if c in m.merged), None)),
                    population_after=_int(next((m.population.get("population_after") for m in merged
                                                if c == m.into), None)))
            for c in sorted(set(sb) | set(sa))]
    return ScenarioResult(scenario=scenario.name, model=base.name, on=scenario.date, changes=changes, checks=checks,
                          orphaned_functions=orphaned, span_of_control=span, merged_icbs=merged,
                          passed=not checks and not orphaned)


def _int(v: float | None) -> int | None:
    return None if v is None else round(v)


def _merged(store: Store, change: MergeIcbs, places: dict[str, Place], on: dt.date) -> MergedIcb:
    """Population and headline performance of the ICBs a merger joins, each and together (issue 24)."""
    from opmodel.population.scenario import merged_performance, merged_population

    trusts = {code: sorted(c for c, p in places.items() if p.kind == "trust" and p.body_at("icb") == code)
              for code in change.merge}
    groups = {**trusts, f"{change.into} (merged)": sorted({t for ts in trusts.values() for t in ts})}
    return MergedIcb(into=change.into, name=change.name, merged=list(change.merge), trusts_before=trusts,
                     population=merged_population(store, list(change.merge), on, change.into),
                     performance=merged_performance(store, groups, on))
