"""Checks for gaps, overlaps and broken lines in operating models.

A model is only useful if every function has one accountable tier, every
organisation has someone overseeing it on every date, and escalation ends
somewhere (issue 3; methodology §5 and §6.4). Each finding names the model
element by YAML path and line so it can be fixed in the file.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel

from opmodel.accountability.citations import all_citations
from opmodel.accountability.lines import escalation_route, lines_for
from opmodel.accountability.placement import places_on
from opmodel.accountability.schema import Delegation, LineKind, ModelStatus, OperatingModel, Role
from opmodel.store import Store

__all__ = [
    "Finding",
    "check_bodies",
    "check_coverage",
    "check_cycles",
    "check_dates",
    "check_delegation_codes",
    "check_delegations",
    "check_frameworks",
    "check_ladder",
    "check_lines",
    "check_model",
    "check_models",
    "check_overseers",
    "check_proposed",
    "check_references",
    "check_roles",
]


class Finding(BaseModel):
    """One problem in a model, located by YAML path and line."""

    check: str
    model: str
    file: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message} [{self.check}]"


def _finding(model: OperatingModel, check: str, path: str, message: str) -> Finding:
    return Finding(check=check, model=model.name, file=model.origin.file, path=path,
                   line=model.origin.line_of(path), message=message)


def check_references(model: OperatingModel) -> list[Finding]:
    """Tiers, functions and sources named anywhere must be defined in the model."""
    out: list[Finding] = []
    tiers, functions = set(model.tiers), set(model.functions)

    def tier(path: str, value: str | None, what: str) -> None:
        if value is not None and value not in tiers:
            out.append(_finding(model, "references", path,
                                f"{what} names unknown tier '{value}'; expected one of {sorted(tiers)}"))

    for fid, by_tier in model.roles.items():
        if fid not in functions:
            out.append(_finding(model, "references", f"roles.{fid}",
                                f"roles for unknown function '{fid}'; expected one of {sorted(functions)}"))
        for tid in by_tier:
            tier(f"roles.{fid}.{tid}", tid, "role")
    for lid, ln in model.oversight.items():
        tier(f"oversight.{lid}.overseer", ln.overseer, "overseer")
        tier(f"oversight.{lid}.subject", ln.subject, "subject")
        tier(f"oversight.{lid}.escalates_to", ln.escalates_to, "escalates_to")
        named = ([] if ln.functions == "all" else list(ln.functions)) + list(ln.except_)
        for f in named:
            if f not in functions:
                out.append(_finding(model, "references", f"oversight.{lid}.functions",
                                    f"line names unknown function '{f}'; expected one of {sorted(functions)}"))
    for i, step in enumerate(model.support_ladder.segments):
        tier(f"support_ladder.segments[{i}].delivered_by", step.delivered_by, "delivered_by")
        for t in step.involving:
            tier(f"support_ladder.segments[{i}].involving", t, "involving")
    for pid, rule in model.support_cases.items():
        for t in rule.led_by:
            tier(f"support_cases.{pid}.led_by", t, "led_by")
        known = {s.segment for s in model.support_ladder.segments}
        for seg in rule.segments:
            if seg not in known:
                out.append(_finding(model, "references", f"support_cases.{pid}.segments",
                                    f"names segment {seg}, which the support ladder lacks ({sorted(known)})"))
    for path, c in all_citations(model):
        if c.source not in model.sources:
            out.append(_finding(model, "references", f"{path}.source",
                                f"cites unknown source '{c.source}'; expected one of {sorted(model.sources)}"))
    return out


def _covers_model(model: OperatingModel, d: Delegation) -> bool:
    """Whether one delegation reaches every organisation for the model's whole period."""
    if d.regions is not None or d.icbs is not None or d.start > model.effective.from_:
        return False
    if d.end is None:
        return True
    return model.effective.to is not None and d.end >= model.effective.to


def check_delegations(model: OperatingModel) -> list[Finding]:
    """A delegation runs from the accountable tier to a delegate that is ``responsible``, never ``accountable``.

    Start date and citation are required by the schema; here the roles are checked against the
    delegation, so reading a delegation backwards (the delegate made accountable) is caught (§6.5).
    """
    out: list[Finding] = []
    for did, dl in model.delegations.items():
        path = f"delegations.{did}"
        if dl.function not in model.functions:
            out.append(_finding(model, "delegations", f"{path}.function",
                                f"delegates unknown function '{dl.function}'; "
                                f"expected one of {sorted(model.functions)}"))
            continue
        for attr in ("delegator", "delegate"):
            tier = getattr(dl, attr)
            if tier not in model.tiers:
                out.append(_finding(model, "references", f"{path}.{attr}",
                                    f"{attr} names unknown tier '{tier}'; expected one of {sorted(model.tiers)}"))
        giver, taker = model.role(dl.function, dl.delegator), model.role(dl.function, dl.delegate)
        if taker is not None and taker.role is Role.ACCOUNTABLE:
            out.append(_finding(model, "delegations", f"roles.{dl.function}.{dl.delegate}",
                                f"'{dl.delegate}' is the delegate of {did} for {dl.function} but is 'accountable'; "
                                "a delegate is 'responsible' and accountability stays with the delegator"))
        elif taker is not None and taker.role is not Role.RESPONSIBLE:
            out.append(_finding(model, "delegations", f"roles.{dl.function}.{dl.delegate}",
                                f"'{dl.delegate}' is the delegate of {did} for {dl.function}; its role should be "
                                f"'responsible', not '{taker.role.value}'"))
        if giver is not None and giver.role is not Role.ACCOUNTABLE:
            out.append(_finding(model, "delegations", f"{path}.delegator",
                                f"'{dl.delegator}' delegates {dl.function} but is '{giver.role.value}' for it; only "
                                "the accountable tier can delegate"))
        if dl.end is not None and dl.end < dl.start:
            out.append(_finding(model, "delegations", f"{path}.end", f"ends {dl.end} before it starts {dl.start}"))
        if model.effective.to is not None and dl.start > model.effective.to:
            out.append(_finding(model, "delegations", f"{path}.start",
                                f"starts {dl.start}, after the model ends ({model.effective.to}): never in force"))
    out.extend(_delegates_shown_outside(model))
    return out


def _delegates_shown_outside(model: OperatingModel) -> list[Finding]:
    """A delegate must not be shown responsible before or outside its delegation (issue 24).

    Where no single delegation reaches every organisation for the model's whole period (a later start,
    some regions or named ICBs only), the delegate's role entry must say what it is without one
    (``undelegated``), so answers on other dates and in other regions read it from there. A tier
    described as acting "by delegation" with no delegation in the model is a finding too.
    """
    out: list[Finding] = []
    pairs = {(d.function, d.delegate) for d in model.delegations.values()}
    for fid, by_tier in model.roles.items():
        for tid, entry in by_tier.items():
            path = f"roles.{fid}.{tid}"
            if (fid, tid) not in pairs:
                if entry.undelegated is not None:
                    out.append(_finding(model, "delegations", f"{path}.undelegated",
                                        f"'undelegated' is stated but nothing delegates {fid} to '{tid}'"))
                if "delegat" in (entry.capacity or "").lower() and entry.role is Role.RESPONSIBLE:
                    out.append(_finding(model, "delegations", path,
                                        f"'{tid}' is shown acting by delegation for {fid}, but the model has no "
                                        f"delegation of {fid} to '{tid}'"))
                continue
            mine = [(did, d) for did, d in model.delegations.items() if d.function == fid and d.delegate == tid]
            if entry.undelegated is None and not any(_covers_model(model, d) for _, d in mine):
                limits = "; ".join(
                    f"{did} from {d.start}" + (f" in {', '.join(d.regions)}" if d.regions else "")
                    + (f" for {', '.join(d.icbs)}" if d.icbs else "") for did, d in mine)
                out.append(_finding(model, "delegations", path,
                                    f"'{tid}' would be shown responsible for {fid} by delegation on every date and "
                                    f"everywhere in the model, but the delegations reach it only partly ({limits}); "
                                    "state its role without a delegation under 'undelegated'"))
    return out


def _statements(model: OperatingModel) -> list[tuple[str, list[str], str | None]]:
    """Every role, line, delegation, body role, case rule and framework: (path, cited source ids, carried_over)."""
    out: list[tuple[str, list[str], str | None]] = []
    for fid, by_tier in model.roles.items():
        for tid, e in by_tier.items():
            if e.role not in (Role.NONE, Role.UNKNOWN) or e.cite:
                out.append((f"roles.{fid}.{tid}", [c.source for c in e.cite], e.carried_over))
    out += [(f"oversight.{k}", [c.source for c in v.cite], v.carried_over) for k, v in model.oversight.items()]
    out += [(f"delegations.{k}", [c.source for c in v.cite], v.carried_over) for k, v in model.delegations.items()]
    out += [(f"support_cases.{k}", [c.source for c in v.cite], v.carried_over)
            for k, v in model.support_cases.items()]
    out += [(f"frameworks[{i}]", [c.source for c in f.cite], f.carried_over) for i, f in enumerate(model.frameworks)]
    for bid, body in model.bodies.items():
        out += [(f"bodies.{bid}.roles[{i}]", [c.source for c in r.cite], r.carried_over)
                for i, r in enumerate(body.roles)]
    return out


def check_proposed(model: OperatingModel) -> list[Finding]:
    """In a proposed model, a statement no announcement supports must say it is carried over (issue 24).

    A proposed model mixes what is announced with what simply continues; a reader must be able to
    tell them apart, so every statement either cites one of the model's ``announcements`` or names the
    model it is ``carried_over`` from. In an enacted model nothing may claim to be carried over.
    """
    out: list[Finding] = []
    if model.status is not ModelStatus.PROPOSED:
        for path, _, carried in _statements(model):
            if carried:
                out.append(_finding(model, "proposed", f"{path}.carried_over",
                                    f"marked carried over from {carried}, but {model.name} is not a proposed model"))
        return out
    for sid in model.announcements:
        if sid not in model.sources:
            out.append(_finding(model, "references", "announcements", f"names unknown source '{sid}'"))
    announced = set(model.announcements)
    for path, sources, carried in _statements(model):
        if carried is None and not announced.intersection(sources):
            out.append(_finding(model, "proposed", path,
                                f"cites no announcement ({', '.join(sorted(set(sources))) or 'nothing'}); "
                                "mark it carried_over: <model> or cite the announcement"))
    return out


def check_delegation_codes(model: OperatingModel, store: Store) -> list[Finding]:
    """Regions and ICBs named by delegations exist in the registry with that kind."""
    out: list[Finding] = []
    for did, dl in model.delegations.items():
        for attr, kind in (("regions", "region"), ("icbs", "icb")):
            codes = getattr(dl, attr) or []
            if not codes:
                continue
            found = {str(r[0]) for r in store.execute(
                f"SELECT code FROM organisations WHERE kind = ? AND code IN ({', '.join('?' * len(codes))})",
                [kind, *codes]).fetchall()}
            missing = [c for c in codes if c not in found]
            if missing:
                out.append(_finding(model, "delegations", f"delegations.{did}.{attr}",
                                    f"names {missing}, which are not {kind} codes in the registry"))
    return out


def check_frameworks(model: OperatingModel) -> list[Finding]:
    """Oversight frameworks follow one another without gaps or overlaps inside the model's period."""
    out: list[Finding] = []
    fws = model.frameworks
    if not fws:
        return out
    for i, (a, b) in enumerate(itertools.pairwise(fws), start=1):
        if a.effective.to is None or a.effective.to >= b.effective.from_:
            out.append(_finding(model, "frameworks", f"frameworks[{i}].effective",
                                f"{b.name} starts {b.effective.from_} while {a.name} runs to "
                                f"{a.effective.to or 'open'}"))
        elif a.effective.to + dt.timedelta(days=1) < b.effective.from_:
            out.append(_finding(model, "frameworks", f"frameworks[{i}].effective",
                                f"no framework between {a.effective.to} and {b.name} ({b.effective.from_})"))
    if fws[0].effective.from_ > model.effective.from_:
        out.append(_finding(model, "frameworks", "frameworks[0].effective",
                            f"the model starts {model.effective.from_} but its first framework "
                            f"{fws[0].effective.from_}"))
    last = fws[-1].effective.to
    if last is not None and (model.effective.to is None or last < model.effective.to):
        out.append(_finding(model, "frameworks", f"frameworks[{len(fws) - 1}].effective",
                            f"the last framework ends {last} but the model runs to {model.effective.to or 'open'}"))
    return out


def check_bodies(model: OperatingModel) -> list[Finding]:
    """Bodies named by functions exist, each body's role names real functions, and no body is idle."""
    out: list[Finding] = []
    involved: set[str] = set()
    for fid, fn in model.functions.items():
        for b in fn.involves:
            involved.add(b)
            if b not in model.bodies:
                out.append(_finding(model, "references", f"functions.{fid}.involves",
                                    f"involves unknown body '{b}'; expected one of {sorted(model.bodies)}"))
    for bid, body in model.bodies.items():
        for i, br in enumerate(body.roles):
            named = [] if br.functions == "all" else br.functions
            for f in named:
                if f not in model.functions:
                    out.append(_finding(model, "references", f"bodies.{bid}.roles[{i}].functions",
                                        f"names unknown function '{f}'; expected one of {sorted(model.functions)}"))
                elif bid not in model.functions[f].involves:
                    out.append(_finding(model, "bodies", f"functions.{f}.involves",
                                        f"body '{bid}' has a role in {f} but the function does not list it"))
        if bid not in involved and not any(br.functions == "all" for br in body.roles):
            out.append(_finding(model, "bodies", f"bodies.{bid}", f"body '{bid}' is involved in no function"))
    return out


def check_roles(model: OperatingModel) -> list[Finding]:
    """Every function has a role at every tier, and exactly one accountable tier."""
    out: list[Finding] = []
    for fid in model.functions:
        by_tier = model.roles.get(fid)
        if by_tier is None:
            out.append(_finding(model, "roles", f"functions.{fid}", f"function '{fid}' has no entry under roles"))
            continue
        missing = [t for t in model.tiers if t not in by_tier]
        if missing:
            out.append(_finding(model, "roles", f"roles.{fid}",
                                f"no role stated for tier(s) {missing}; state one (role: none or unknown if so)"))
        accountable = [t for t, e in by_tier.items() if e.role is Role.ACCOUNTABLE]
        if not accountable:
            out.append(_finding(model, "accountable", f"roles.{fid}",
                                f"function '{fid}' has no accountable tier; exactly one is expected"))
        elif len(accountable) > 1:
            out.append(_finding(model, "accountable", f"roles.{fid}.{accountable[1]}",
                                f"function '{fid}' has {len(accountable)} accountable tiers {accountable}; "
                                "exactly one is expected"))
    return out


def check_lines(model: OperatingModel) -> list[Finding]:
    """Each overseen tier has exactly one first-line overseer per function; nobody oversees itself."""
    out: list[Finding] = []
    for lid, ln in model.oversight.items():
        if ln.overseer == ln.subject:
            out.append(_finding(model, "cycles", f"oversight.{lid}", f"tier '{ln.overseer}' oversees itself"))
    for tid, tier in model.tiers.items():
        if not tier.overseen:
            continue
        gaps = [f for f in model.functions if not lines_for(model, tid, f, LineKind.FIRST_LINE)]
        if gaps:
            out.append(_finding(model, "gaps", f"tiers.{tid}",
                                f"no first-line oversight of tier '{tid}' for {gaps} (add an oversight line, "
                                "or set overseen: false for a top tier)"))
        doubled: dict[str, list[str]] = defaultdict(list)
        for f in model.functions:
            first = lines_for(model, tid, f, LineKind.FIRST_LINE)
            if len(first) > 1:
                doubled[first[1][0]].append(f"{f} ({', '.join(i for i, _ in first)})")
        for lid, what in doubled.items():
            out.append(_finding(model, "overlaps", f"oversight.{lid}",
                                f"more than one first-line overseer of tier '{tid}' for {what}"))
    return out


def _find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle in a small directed graph, as the list of nodes on it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def check_cycles(model: OperatingModel) -> list[Finding]:
    """No tier oversees its own overseer; escalation never returns to a tier on its route, nor goes nowhere."""
    out: list[Finding] = []
    seen: set[object] = set()

    def add(path: str, message: str, key: object = None) -> None:
        key = key if key is not None else path
        if key not in seen:  # one finding per cycle: the same cycle is met from every line on it
            seen.add(key)
            out.append(_finding(model, "cycles", path, message))

    def broken(path: str, message: str) -> None:
        if ("broken", path) not in seen:
            seen.add(("broken", path))
            out.append(_finding(model, "broken", path, message))

    for f in model.functions:
        edges: dict[str, set[str]] = defaultdict(set)
        by_edge: dict[tuple[str, str], str] = {}
        for lid, ln in model.oversight.items():
            if ln.line is not LineKind.CONTRACT and ln.covers(f) and ln.overseer != ln.subject:
                edges[ln.overseer].add(ln.subject)
                by_edge.setdefault((ln.overseer, ln.subject), lid)
        cycle = _find_cycle(edges)
        if cycle:
            lid = by_edge[(cycle[-2], cycle[-1])]
            add(f"oversight.{lid}", f"oversight cycle {' -> '.join(cycle)}")
    for lid, ln in model.oversight.items():
        if ln.line is LineKind.CONTRACT or ln.overseer not in model.tiers:
            continue
        for f in model.functions_of(ln):
            route = escalation_route(model, ln.subject, f, lid)
            tiers = [ln.overseer, *(s.tier for s in route.steps)]
            if route.cycle_at is not None:
                back = str(model.oversight[route.cycle_at].escalates_to)
                loop = frozenset(tiers[tiers.index(back):])
                add(f"oversight.{route.cycle_at}.escalates_to",
                    f"escalation cycle for '{ln.subject}': {' -> '.join([*tiers, back])}", (ln.subject, loop))
            if route.broken_at is not None:
                target = model.oversight[route.broken_at].escalates_to
                broken(f"oversight.{route.broken_at}.escalates_to",
                    f"escalates to '{target}', which has no escalation line over '{ln.subject}' for {f}")
    return out


def check_ladder(model: OperatingModel) -> list[Finding]:
    """Every segment names a delivering tier; segments run 1, 2, ... with no gaps or repeats."""
    out: list[Finding] = []
    numbers: list[int] = []
    for i, step in enumerate(model.support_ladder.segments):
        if step.delivered_by is None:
            out.append(_finding(model, "ladder", f"support_ladder.segments[{i}]",
                                f"segment {step.segment} has no delivering tier (delivered_by)"))
        if step.segment in numbers:
            out.append(_finding(model, "ladder", f"support_ladder.segments[{i}].segment",
                                f"segment {step.segment} appears more than once"))
        numbers.append(step.segment)
    expected = list(range(1, max(numbers) + 1))
    missing = [n for n in expected if n not in numbers]
    if missing:
        out.append(_finding(model, "ladder", "support_ladder.segments",
                            f"segment(s) {missing} missing; expected {expected[0]}..{expected[-1]}"))
    return out


def check_dates(store: Store, model: OperatingModel) -> list[dt.date]:
    """Representative dates for the registry checks: the model's start and every structure change in its period."""
    rows = store.execute(
        """
        SELECT DISTINCT d FROM (
            SELECT valid_from AS d FROM relationships
            UNION SELECT CAST(valid_to + INTERVAL 1 DAY AS DATE) FROM relationships WHERE valid_to IS NOT NULL
            UNION SELECT open_date FROM organisations WHERE open_date IS NOT NULL
            UNION SELECT CAST(close_date + INTERVAL 1 DAY AS DATE) FROM organisations WHERE close_date IS NOT NULL
        ) t WHERE d > ? AND (? IS NULL OR d <= ?) ORDER BY d
        """,
        [model.effective.from_, model.effective.to, model.effective.to],
    ).fetchall()
    days = [model.effective.from_, *(r[0] for r in rows)]
    if model.effective.to is not None and model.effective.to not in days:
        days.append(model.effective.to)
    return days


def check_overseers(model: OperatingModel, store: Store, dates: Sequence[dt.date] | None = None) -> list[Finding]:
    """On each date, every organisation in an overseen tier has an open first-line overseer and escalation bodies."""
    out: list[Finding] = []
    for day in dates if dates is not None else check_dates(store, model):
        orphans: dict[tuple[str, str], set[str]] = defaultdict(set)
        for place in places_on(store, model, day).values():
            assert place.tier is not None
            if not model.tiers[place.tier].overseen:
                continue
            for f in model.functions:
                first = lines_for(model, place.tier, f, LineKind.FIRST_LINE)
                if not first:
                    continue  # reported once by check_lines
                lid, ln = first[0]
                if ln.overseer in model.tiers and place.body_at(ln.overseer) is None:
                    orphans[(lid, ln.overseer)].add(place.code)
                for step in escalation_route(model, place.tier, f, lid).steps:
                    if step.line_id and step.tier in model.tiers and place.body_at(step.tier) is None:
                        orphans[(step.line_id, step.tier)].add(place.code)
        for (lid, tier), codes in sorted(orphans.items()):
            shown = sorted(codes)
            more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
            out.append(_finding(model, "overseers", f"oversight.{lid}",
                                f"on {day.isoformat()} {len(shown)} organisation(s) have no open '{tier}' to "
                                f"oversee them: {', '.join(shown[:10])}{more}"))
    return out


def check_coverage(models: Sequence[OperatingModel]) -> list[Finding]:
    """From the first model's start on, every date is covered by exactly one model."""
    out: list[Finding] = []
    ordered = sorted(models, key=lambda m: m.effective.from_)
    for a, b in itertools.pairwise(ordered):
        if a.effective.to is None or a.effective.to >= b.effective.from_:
            out.append(_finding(b, "coverage", "effective",
                                f"{b.name} starts {b.effective.from_} while {a.name} is still in force "
                                f"(to {a.effective.to or 'open'}); each date needs exactly one model"))
        elif (gap := a.effective.to + dt.timedelta(days=1)) < b.effective.from_:
            out.append(_finding(b, "coverage", "effective",
                                f"no model covers {gap} to {b.effective.from_ - dt.timedelta(days=1)} "
                                f"(between {a.name} and {b.name})"))
    if ordered and ordered[-1].effective.to is not None:
        last = ordered[-1]
        out.append(_finding(last, "coverage", "effective.to",
                            f"no model covers dates after {last.effective.to} ({last.name} is the last)"))
    return out


def check_model(model: OperatingModel, store: Store | None = None) -> list[Finding]:
    """All checks on one model; the registry checks run when a store is given."""
    out = [*check_references(model), *check_roles(model), *check_lines(model), *check_cycles(model),
           *check_ladder(model), *check_delegations(model), *check_bodies(model), *check_frameworks(model),
           *check_proposed(model)]
    if store is not None:
        out.extend(check_overseers(model, store))
        out.extend(check_delegation_codes(model, store))
    return out


def _carried_from(model: OperatingModel) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for fid, by_tier in model.roles.items():
        out += [(f"roles.{fid}.{t}.carried_over", e.carried_over) for t, e in by_tier.items() if e.carried_over]
    out += [(f"oversight.{k}.carried_over", v.carried_over) for k, v in model.oversight.items() if v.carried_over]
    out += [(f"delegations.{k}.carried_over", v.carried_over) for k, v in model.delegations.items() if v.carried_over]
    out += [(f"support_cases.{k}.carried_over", v.carried_over) for k, v in model.support_cases.items()
            if v.carried_over]
    out += [(f"frameworks[{i}].carried_over", f.carried_over) for i, f in enumerate(model.frameworks)
            if f.carried_over]
    for bid, body in model.bodies.items():
        out += [(f"bodies.{bid}.roles[{i}].carried_over", r.carried_over) for i, r in enumerate(body.roles)
                if r.carried_over]
    return out


def check_models(models: Sequence[OperatingModel], store: Store | None = None) -> list[Finding]:
    """Every model's own checks, then whether together they cover every date once."""
    out: list[Finding] = []
    names = {m.name for m in models}
    for m in models:
        out.extend(check_model(m, store))
        for path, source in _carried_from(m):
            if source not in names or source == m.name:
                out.append(_finding(m, "references", path,
                                    f"carried over from '{source}', which is not another model checked "
                                    f"({sorted(names - {m.name})})"))
    out.extend(check_coverage(models))
    return out
