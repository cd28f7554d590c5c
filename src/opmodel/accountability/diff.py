"""What changed between two operating models, function by function and tier by tier.

Lines are compared by what they mean (who is first line over whom, for which
functions) rather than by their ids, so renaming a line is not a change and
moving provider performance management from ICBs to regions is one entry
(methodology §6.4).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from pydantic import BaseModel

from opmodel.accountability.lines import escalation_route, lines_for
from opmodel.accountability.schema import LineKind, OperatingModel

__all__ = ["DiffEntry", "diff_models"]


class DiffEntry(BaseModel):
    area: str
    subject: str
    functions: list[str]
    before: str | None
    after: str | None
    text: str


def _scope(functions: list[str], every: list[str]) -> str:
    if sorted(functions) == sorted(every):
        return "all functions"
    rest = [f for f in every if f not in functions]
    if len(rest) <= 2 and len(functions) > len(rest):
        return "all functions except " + ", ".join(rest)
    return ", ".join(functions)


def _first(model: OperatingModel, subject: str, function: str) -> str | None:
    found = lines_for(model, subject, function, LineKind.FIRST_LINE) if function in model.functions else []
    return found[0][1].overseer if found else None


def _contract(model: OperatingModel, subject: str, function: str) -> str | None:
    found = lines_for(model, subject, function, LineKind.CONTRACT) if function in model.functions else []
    return found[0][1].overseer if found else None


def _escalation(model: OperatingModel, subject: str, function: str) -> str | None:
    found = lines_for(model, subject, function, LineKind.FIRST_LINE) if function in model.functions else []
    if not found:
        return None
    route = escalation_route(model, subject, function, found[0][0])
    return "(" + (" then ".join(s.tier for s in route.steps) or "nobody") + ")"


def _grouped(area: str, label: str, a: OperatingModel, b: OperatingModel, tiers: list[str], every: list[str],
             get: Callable[[OperatingModel, str, str], str | None]) -> list[DiffEntry]:
    out: list[DiffEntry] = []
    for subject in tiers:
        groups: dict[tuple[str | None, str | None], list[str]] = defaultdict(list)
        for f in every:
            before, after = get(a, subject, f), get(b, subject, f)
            if before != after:
                groups[(before, after)].append(f)
        for (before, after), fns in groups.items():
            out.append(DiffEntry(area=area, subject=subject, functions=fns, before=before, after=after,
                                 text=f"{label} of {subject}: {before or 'none'} → {after or 'none'} "
                                      f"({_scope(fns, every)})"))
    return out


def _powers(model: OperatingModel) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ln in model.oversight.values():
        out[(ln.overseer, ln.subject)].update(ln.powers)
    return out


def diff_models(a: OperatingModel, b: OperatingModel) -> list[DiffEntry]:
    """Changes from model ``a`` to model ``b``: period, tiers, functions, roles, lines, powers, who leads which
    support cases, delegations, oversight frameworks and the ladder."""
    out: list[DiffEntry] = []
    if a.effective != b.effective:
        pa = f"{a.effective.from_}..{a.effective.to or 'open'}"
        pb = f"{b.effective.from_}..{b.effective.to or 'open'}"
        out.append(DiffEntry(area="period", subject="effective", functions=[], before=pa, after=pb,
                             text=f"effective period: {pa} → {pb}"))
    tiers = list(dict.fromkeys([*a.tiers, *b.tiers]))
    every = list(dict.fromkeys([*a.functions, *b.functions]))
    for kind, left, right in (("tiers", a.tiers, b.tiers), ("functions", a.functions, b.functions)):
        for key in [k for k in left if k not in right]:
            out.append(DiffEntry(area=kind, subject=key, functions=[], before=key, after=None,
                                 text=f"{kind[:-1]} '{key}' removed"))
        for key in [k for k in right if k not in left]:
            out.append(DiffEntry(area=kind, subject=key, functions=[], before=None, after=key,
                                 text=f"{kind[:-1]} '{key}' added"))
    out.extend(_grouped("performance_management", "performance management (first-line oversight)", a, b, tiers,
                        every, _first))
    out.extend(_grouped("escalation", "escalation beyond the first line", a, b, tiers, every, _escalation))
    out.extend(_grouped("commissioning", "contract management", a, b, tiers, every, _contract))
    for f in every:
        for t in tiers:
            ra, rb = a.role(f, t), b.role(f, t)
            va, vb = (ra.role.value if ra else None), (rb.role.value if rb else None)
            if va != vb:
                out.append(DiffEntry(area="roles", subject=t, functions=[f], before=va, after=vb,
                                     text=f"{f} at {t}: {va or 'unstated'} → {vb or 'unstated'}"))
    pa_, pb_ = _powers(a), _powers(b)
    empty: set[str] = set()
    for pair in list(dict.fromkeys([*pa_, *pb_])):
        was, now = pa_.get(pair, empty), pb_.get(pair, empty)
        subject = f"{pair[0]} -> {pair[1]}"
        for power in sorted(was - now):
            out.append(DiffEntry(area="powers", subject=subject, functions=[], before=power, after=None,
                                 text=f"power of {pair[0]} over {pair[1]} removed: {power}"))
        for power in sorted(now - was):
            out.append(DiffEntry(area="powers", subject=subject, functions=[], before=None, after=power,
                                 text=f"power of {pair[0]} over {pair[1]} added: {power}"))
    for pid in list(dict.fromkeys([*a.support_cases, *b.support_cases])):
        ca, cb = a.support_cases.get(pid), b.support_cases.get(pid)
        va = ", ".join(ca.led_by) if ca else None
        vb = ", ".join(cb.led_by) if cb else None
        if va != vb:
            out.append(DiffEntry(area="support_cases", subject=pid, functions=[], before=va, after=vb,
                                 text=f"{pid} cases led by: {va or 'nobody below national'} → "
                                      f"{vb or 'nobody below national'}"))
    for fid in every:
        da = {(d.delegate, d.start, tuple(d.regions or ()), tuple(d.icbs or ())) for d in a.delegations.values()
              if d.function == fid}
        db = {(d.delegate, d.start, tuple(d.regions or ()), tuple(d.icbs or ())) for d in b.delegations.values()
              if d.function == fid}
        for tag, items in (("removed", da - db), ("added", db - da)):
            for delegate, start, regions, icbs in sorted(items):
                where = (f" in {', '.join(regions)}" if regions else "") + (f" for {', '.join(icbs)}" if icbs else "")
                out.append(DiffEntry(area="delegations", subject=delegate, functions=[fid],
                                     before=str(start) if tag == "removed" else None,
                                     after=str(start) if tag == "added" else None,
                                     text=f"delegation of {fid} to {delegate} from {start}{where} {tag}"))
    fa = [f"{f.name} ({f.effective.from_}..{f.effective.to or 'open'})" for f in a.frameworks]
    fb = [f"{f.name} ({f.effective.from_}..{f.effective.to or 'open'})" for f in b.frameworks]
    if fa != fb:
        out.append(DiffEntry(area="frameworks", subject="frameworks", functions=[], before="; ".join(fa) or None,
                             after="; ".join(fb) or None,
                             text=f"oversight frameworks: {'; '.join(fa) or 'none'} → {'; '.join(fb) or 'none'}"))
    la = {s.segment: s for s in a.support_ladder.segments}
    lb = {s.segment: s for s in b.support_ladder.segments}
    if a.support_ladder.framework != b.support_ladder.framework:
        out.append(DiffEntry(area="support", subject="framework", functions=[], before=a.support_ladder.framework,
                             after=b.support_ladder.framework,
                             text=f"support ladder framework: {a.support_ladder.framework} → "
                                  f"{b.support_ladder.framework}"))
    for seg in sorted(set(la) | set(lb)):
        sa, sb = la.get(seg), lb.get(seg)
        if sa is None or sb is None:
            out.append(DiffEntry(area="support", subject=f"segment {seg}", functions=[],
                                 before=sa.support if sa else None, after=sb.support if sb else None,
                                 text=f"segment {seg} {'added' if sa is None else 'removed'}"))
            continue
        for attr in ("delivered_by", "programme", "support"):
            va, vb = getattr(sa, attr), getattr(sb, attr)
            if va != vb:
                out.append(DiffEntry(area="support", subject=f"segment {seg}", functions=[], before=va, after=vb,
                                     text=f"segment {seg} {attr.replace('_', ' ')}: {va or 'none'} → {vb or 'none'}"))
    return out
