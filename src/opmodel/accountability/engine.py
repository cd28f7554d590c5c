"""Who holds an organisation to account, for each function, on a date.

The model says which tier plays which role and which tier oversees which; the
registry says which organisations those tiers are for this organisation on the
date. Every link carries the citations of the statements it rests on
(methodology §5 and §6.4: the performance-management line as data).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pydantic import BaseModel, Field

from opmodel.accountability.delegation import DelegationState, delegation_state, delegations_of, resolved_role
from opmodel.accountability.library import resolve_model
from opmodel.accountability.lines import escalation_route, lines_for
from opmodel.accountability.placement import Place, place_of, places_on
from opmodel.accountability.schema import ALL_FUNCTIONS, Citation, LineKind, ModelStatus, OperatingModel
from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.store import Store

__all__ = [
    "BodyLink",
    "ChainLink",
    "CitationOut",
    "DelegationLink",
    "FunctionAccountability",
    "LineLink",
    "Relation",
    "TransitionOut",
    "WhoResult",
    "case_leads",
    "cite_out",
    "overseers",
    "performance_manager",
    "performance_managers",
    "who",
]


class CitationOut(BaseModel):
    """A citation resolved against the model's sources, saying which statement it supports."""

    source: str
    title: str | None
    url: str | None
    section: str
    evidence: str
    about: str
    note: str | None = None


class ChainLink(BaseModel):
    code: str
    name: str
    tier: str
    role: str
    capacity: str | None = None
    note: str | None = None
    delegation: str | None = Field(None, description="Id of the delegation in force this role rests on, if any.")
    carried_over: str | None = Field(None, description="In a proposed model: the model the role is carried from.")
    sources: list[CitationOut] = Field(default_factory=list)


class LineLink(BaseModel):
    """One oversight line applied to the organisation: which body, in what capacity, with what powers."""

    line_id: str
    line: str
    code: str | None
    tier: str
    powers: list[str]
    carried_over: str | None = Field(None, description="In a proposed model: the model the line is carried from.")
    sources: list[CitationOut] = Field(default_factory=list)


class DelegationLink(BaseModel):
    """A delegation applying to the organisation's chain: the delegator stays accountable (§6.5)."""

    delegation_id: str
    delegator: str | None
    delegator_tier: str
    delegate: str | None
    delegate_tier: str
    start: dt.date
    end: dt.date | None = None
    in_effect: bool
    scope: str | None = None
    services: int | None = None
    regions: list[str] | None = None
    icbs: list[str] | None = None
    sources: list[CitationOut] = Field(default_factory=list)


class BodyLink(BaseModel):
    """A body outside the tiers with a role in the function (DHSC, CQC, ICP, HWB, ...)."""

    body: str
    name: str
    kind: str
    role: str
    dormant: bool = False
    sources: list[CitationOut] = Field(default_factory=list)


class FunctionAccountability(BaseModel):
    function: str
    name: str
    chain: list[ChainLink]
    performance_managed_by: str | None
    performance_managed_by_tier: str | None
    escalation: list[str]
    commissioned_by: str | None = None
    commissioned_under: str | None = Field(
        None, description="Id of the delegation in force under which commissioned_by commissions, if any.")
    previous_performance_managed_by: str | None = Field(
        None, description="Inside a transition: the first-line overseer under the model being replaced.")
    previous_performance_managed_by_tier: str | None = None
    delegations: list[DelegationLink] = Field(default_factory=list)
    bodies: list[BodyLink] = Field(default_factory=list)
    lines: list[LineLink] = Field(default_factory=list)
    sources: list[CitationOut] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class TransitionOut(BaseModel):
    """The transition a date falls in: the model being replaced, the one it leads to, and why (§6.5)."""

    replaces: str
    toward: str | None
    summary: str
    sources: list[CitationOut] = Field(default_factory=list)


class WhoResult(BaseModel):
    """The answer to ``opmodel who``; ``model_dump()`` is the JSON contract."""

    org: str
    name: str
    tier: str
    date: dt.date
    model: str
    model_status: str = Field(description="in_force, transition or proposed (announced, not enacted).")
    model_status_note: str | None = None
    model_in_force: bool
    transition: TransitionOut | None = None
    functions: list[FunctionAccountability]


class Relation(BaseModel):
    """One body that holds an organisation to account for a function on a date, and how."""

    code: str | None
    tier: str
    relation: str = Field(description="performance_manages, escalation, commissions or delegates.")
    function: str
    line_id: str


def cite_out(model: OperatingModel, cites: list[Citation], about: str) -> list[CitationOut]:
    out = []
    for c in cites:
        src = model.sources.get(c.source)
        evidence = c.evidence or (src.evidence if src else None)
        out.append(CitationOut(source=c.source, title=src.title if src else None, url=src.url if src else None,
                               section=c.section, evidence=evidence.value if evidence else "?", about=about,
                               note=c.note))
    return out


def _model(store: Store, on: dt.date, model: OperatingModel | str | None) -> OperatingModel:
    if isinstance(model, OperatingModel):
        return model
    return resolve_model(store, on, model)


def _function(model: OperatingModel, place: Place, function: str, on: dt.date) -> FunctionAccountability:
    assert place.tier is not None
    chain: list[ChainLink] = []
    notes: list[str] = []
    bodies = [(place.code, place.name, place.tier), *((a.code, a.name, a.tier) for a in place.ancestors)]
    state = delegation_state(model, place, function, on)
    for code, name, tier in bodies:
        if tier is None:
            continue
        got = resolved_role(model, tier, function, state)
        entry = model.role(function, tier)
        chain.append(ChainLink(
            code=code, name=name, tier=tier, role=got.role if got else "unstated",
            capacity=got.capacity if got else None, note=got.note if got else None,
            delegation=got.delegation if got else None, carried_over=entry.carried_over if entry else None,
            sources=cite_out(model, got.cite, f"role of {tier} for {function}") if got else []))
    lines: list[LineLink] = []

    def link(line_id: str) -> LineLink:
        ln = model.oversight[line_id]
        body = place.body_at(ln.overseer)
        if body is None:
            notes.append(f"no open {ln.overseer} for {place.code} on this date (line {line_id})")
        made = LineLink(line_id=line_id, line=ln.line.value, code=body, tier=ln.overseer, powers=ln.powers,
                        carried_over=ln.carried_over,
                        sources=cite_out(model, ln.cite, f"line {line_id}: {ln.overseer} -> {ln.subject}"))
        lines.append(made)
        return made

    first = lines_for(model, place.tier, function, LineKind.FIRST_LINE)
    pm_code = pm_tier = None
    escalation: list[str] = []
    if first:
        pm = link(first[0][0])
        pm_code, pm_tier = pm.code, pm.tier
        route = escalation_route(model, place.tier, function, first[0][0])
        for step in route.steps:
            if step.line_id is not None:
                esc = link(step.line_id)
                if esc.code is not None:
                    escalation.append(esc.code)
        if route.broken_at or route.cycle_at:
            stop = route.broken_at or route.cycle_at
            notes.append(f"escalation route stops at line {stop} (see `opmodel model check`)")
    else:
        notes.append(f"the model names no first-line overseer of {place.tier} for {function}")
    contract = lines_for(model, place.tier, function, LineKind.CONTRACT)
    commissioned_by: str | None = None
    commissioned_under: str | None = None
    if state.in_force:
        # a commissioning delegation in force: the delegate commissions under it, the delegator stays
        # accountable (methodology §6.5); the delegator's own contract line is not the route then
        commissioned_under, live = state.in_force[0]
        commissioned_by = place.body_at(live.delegate)
        notes.append(f"Commissioned by {commissioned_by or '-'} ({live.delegate}) under delegation "
                     f"{commissioned_under}; {place.body_at(live.delegator) or '-'} ({live.delegator}) stays "
                     "accountable.")
    elif contract:
        commissioned_by = link(contract[0][0]).code
    elif delegations_of(model, function):
        commissioned_by = place.body_at(delegations_of(model, function)[0][1].delegator)
    delegations = _delegations(model, place, function, on, state, notes)
    involved = _bodies(model, function)
    sources: list[CitationOut] = []
    for link_ in chain:
        sources.extend(link_.sources)
    for line_ in lines:
        sources.extend(line_.sources)
    return FunctionAccountability(
        function=function, name=model.functions[function].name, chain=chain, performance_managed_by=pm_code,
        performance_managed_by_tier=pm_tier, escalation=escalation, commissioned_by=commissioned_by,
        commissioned_under=commissioned_under, lines=lines, delegations=delegations, bodies=involved,
        sources=sources, notes=notes)


def _delegations(model: OperatingModel, place: Place, function: str, on: dt.date, state: DelegationState,
                 notes: list[str]) -> list[DelegationLink]:
    """The delegations that reach the organisation (in force or not yet), with a note when none is in force."""
    if not (state.applicable or state.elsewhere):
        return []
    where = place.body_at("region") or "-"
    if not state.in_force:
        first = state.elsewhere[0][1] if state.elsewhere else state.applicable[0][1]
        notes.append(f"No delegation of {function} is in force for {place.code} (region {where}) on "
                     f"{on.isoformat()}: the {first.delegator} tier ({place.body_at(first.delegator) or '-'}) "
                     "commissions directly.")
    for did, dl in state.applicable:
        if dl.start > on:
            notes.append(f"Delegation {did} ({dl.scope or function}) applies here from {dl.start.isoformat()}.")
        elif dl.end is not None and dl.end < on:
            notes.append(f"Delegation {did} ({dl.scope or function}) ended on {dl.end.isoformat()}.")
    return [DelegationLink(
        delegation_id=did, delegator=place.body_at(dl.delegator), delegator_tier=dl.delegator,
        delegate=place.body_at(dl.delegate), delegate_tier=dl.delegate, start=dl.start, end=dl.end,
        in_effect=dl.in_effect(on), scope=dl.scope, services=dl.services, regions=dl.regions, icbs=dl.icbs,
        sources=cite_out(model, dl.cite, f"delegation {did}: {dl.delegator} -> {dl.delegate}"))
        for did, dl in state.applicable]


def _bodies(model: OperatingModel, function: str) -> list[BodyLink]:
    """One link per body (and per dormant power): a body with several roles is listed once."""
    out: dict[tuple[str, bool], BodyLink] = {}
    for bid in model.functions[function].involves:
        body = model.bodies.get(bid)
        if body is None:
            continue
        for br in body.roles:
            if br.functions == ALL_FUNCTIONS or function in br.functions:
                role = " ".join(br.role.split())
                sources = cite_out(model, br.cite, f"role of {bid}")
                key = (bid, br.dormant)
                if key in out:
                    out[key].role += f"; {role}"
                    out[key].sources.extend(sources)
                else:
                    out[key] = BodyLink(body=bid, name=body.name, kind=body.kind, role=role, dormant=br.dormant,
                                        sources=sources)
    return list(out.values())


def who(store: Store, org_code: str, on: dt.date, function: str | None = None,
        model: OperatingModel | str | None = None) -> WhoResult:
    """For one organisation on a date: per function, the chain, performance manager and escalation route."""
    m = _model(store, on, model)
    if function is not None and function not in m.functions:
        raise UnknownCodeError("function", function, list(m.functions))
    place = place_of(store, m, org_code, on)
    if not place.active:
        raise OpmodelError(f"{place.code} ({place.name}) was not open on {on.isoformat()}.")
    if place.tier is None:
        raise OpmodelError(f"{place.code} ({place.name}; {place.kind}"
                           f"{'/' + place.subtype if place.subtype else ''}) belongs to no tier of model {m.name}: "
                           "it is outside the operating model.")
    functions = [function] if function is not None else list(m.functions)
    out = [_function(m, place, f, on) for f in functions]
    transition = None
    if m.transition is not None:
        t = m.transition
        transition = TransitionOut(replaces=t.replaces, toward=t.toward, summary=" ".join(t.summary.split()),
                                   sources=cite_out(m, t.cite, f"transition from {t.replaces}"))
        _previous_lines(store, m, t.replaces, org_code, on, out)
    if m.status is ModelStatus.PROPOSED:
        for f in out:
            carried = sorted({x for x in [*(c.carried_over for c in f.chain), *(ln.carried_over for ln in f.lines)]
                              if x})
            f.notes.insert(0, f"Proposed model {m.name}: announced, not enacted."
                           + (f" Lines marked as carried over come from {', '.join(carried)}, not from the "
                              "announcements." if carried else ""))
    # a proposed model is never "in force", whatever its dates say (it is announced, not enacted)
    in_force = m.effective.covers(on) and m.status is not ModelStatus.PROPOSED
    return WhoResult(org=place.code, name=place.name, tier=place.tier, date=on, model=m.name,
                     model_status=m.status.value,
                     model_status_note=" ".join(m.status_note.split()) if m.status_note else None,
                     model_in_force=in_force, transition=transition, functions=out)


def _previous_lines(store: Store, model: OperatingModel, replaced: str, org_code: str, on: dt.date,
                    out: list[FunctionAccountability]) -> None:
    """Inside a transition, name the outgoing first line too, so both lines are on the answer (§6.5)."""
    try:
        prev = resolve_model(store, on, replaced)
    except OpmodelError:
        return
    place = place_of(store, prev, org_code, on)
    if place.tier is None:
        return
    for f in out:
        if f.function not in prev.functions:
            continue
        first = lines_for(prev, place.tier, f.function, LineKind.FIRST_LINE)
        if not first:
            continue
        f.previous_performance_managed_by = place.body_at(first[0][1].overseer)
        f.previous_performance_managed_by_tier = first[0][1].overseer
        if f.previous_performance_managed_by != f.performance_managed_by:
            f.notes.insert(0, f"Transition from {replaced} to {model.name}: first-line oversight moves from "
                              f"{f.previous_performance_managed_by or '-'} ({first[0][1].overseer}) to "
                              f"{f.performance_managed_by or '-'} ({f.performance_managed_by_tier or '-'}).")


def _overall_manager(model: OperatingModel, place: Place) -> str | None:
    """The tier that is first line for most functions (ties: the one nearest the organisation)."""
    if place.tier is None:
        return None
    counts: Counter[str] = Counter()
    for f in model.functions:
        first = lines_for(model, place.tier, f, LineKind.FIRST_LINE)
        if first:
            counts[first[0][1].overseer] += 1
    if not counts:
        return None
    order = [a.tier for a in place.ancestors]
    best = max(counts.items(), key=lambda kv: (kv[1], -order.index(kv[0]) if kv[0] in order else -99))
    return place.body_at(best[0])


def performance_manager(store: Store, org_code: str, on: dt.date,
                        model: OperatingModel | str | None = None, function: str | None = None) -> str | None:
    """Code of the body that performance-manages ``org_code`` on ``on``, for ``function`` or overall.

    Overall, that is the first-line overseer for most of the model's functions (for a provider: its ICB
    under nhs-2022, its NHS England region under nhs-2025). None when the organisation was not open, is
    outside the model's tiers, or has no overseer (e.g. NHS England itself).
    """
    m = _model(store, on, model)
    if function is not None and function not in m.functions:
        raise UnknownCodeError("function", function, list(m.functions))
    place = place_of(store, m, org_code, on)
    if not place.active or place.tier is None:
        return None
    if function is None:
        return _overall_manager(m, place)
    first = lines_for(m, place.tier, function, LineKind.FIRST_LINE)
    return place.body_at(first[0][1].overseer) if first else None


def overseers(store: Store, org_code: str, on: dt.date, function: str | None = None,
              model: OperatingModel | str | None = None) -> list[Relation]:
    """Every body that performance-manages, escalates for, commissions or delegates to ``org_code`` on ``on``.

    One row per (body, relation, function): what the support register asks when deciding who may see
    an organisation's data (issue 15). Empty when the organisation is closed or outside the model.
    """
    m = _model(store, on, model)
    if function is not None and function not in m.functions:
        raise UnknownCodeError("function", function, list(m.functions))
    place = place_of(store, m, org_code, on)
    if not place.active or place.tier is None:
        return []
    kinds = {LineKind.FIRST_LINE: "performance_manages", LineKind.ESCALATION: "escalation",
             LineKind.CONTRACT: "commissions"}
    out: list[Relation] = []
    for f in [function] if function is not None else list(m.functions):
        for kind, relation in kinds.items():
            for lid, ln in lines_for(m, place.tier, f, kind):
                out.append(Relation(code=place.body_at(ln.overseer), tier=ln.overseer, relation=relation,
                                    function=f, line_id=lid))
        for did, dl in delegation_state(m, place, f, on).in_force:
            if place.body_at(dl.delegate):
                out.append(Relation(code=place.body_at(dl.delegate), tier=dl.delegate, relation="delegates",
                                    function=f, line_id=did))
    return out


def case_leads(store: Store, org_code: str, on: dt.date,
               model: OperatingModel | str | None = None) -> dict[str, list[str]] | None:
    """Register programme id -> codes of the bodies that open and change ``org_code``'s cases of it.

    Read from the model's ``support_cases`` (e.g. under NOF 2022/23 the region leads mandated support
    and, with NHS England national, the RSP, while the ICB leads local support; methodology §5, §6.4).
    None when the organisation is not a provider of the model or the model states no case rules, so
    the caller falls back to the performance manager.
    """
    m = _model(store, on, model)
    if not m.support_cases:
        return None
    place = place_of(store, m, org_code, on)
    if not place.active or place.tier != "provider":
        return None
    return {pid: [c for t in rule.led_by if (c := place.body_at(t))] for pid, rule in m.support_cases.items()}


def performance_managers(store: Store, on: dt.date, model: OperatingModel | str | None = None) -> dict[str, str | None]:
    """:func:`performance_manager` for every organisation open on ``on`` in the model's tiers, in two queries."""
    m = _model(store, on, model)
    return {code: _overall_manager(m, place) for code, place in places_on(store, m, on).items()}
