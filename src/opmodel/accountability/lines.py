"""Reading oversight lines out of a model: who is first line for a tier and function, and where issues go next.

Shared by the engine (which turns tiers into organisations) and the checks
(which look for gaps, overlaps, broken lines and cycles), so both read the
lines the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from opmodel.accountability.schema import LineKind, OperatingModel, OversightLine

__all__ = ["EscalationStep", "Route", "escalation_route", "lines_for"]


def lines_for(model: OperatingModel, subject: str, function: str, kind: LineKind) -> list[tuple[str, OversightLine]]:
    """The lines of ``kind`` over ``subject`` that cover ``function``, as (id, line)."""
    return [(lid, ln) for lid, ln in model.oversight.items()
            if ln.subject == subject and ln.line is kind and ln.covers(function)]


@dataclass(frozen=True)
class EscalationStep:
    """One step of an escalation route: the tier and the line that makes it (None if the line is missing)."""

    tier: str
    line_id: str | None
    via: str  # id of the line whose escalates_to led here


@dataclass(frozen=True)
class Route:
    steps: list[EscalationStep]
    cycle_at: str | None  # id of the line whose target was already on the route
    broken_at: str | None  # id of the line whose target has no escalation line


def escalation_route(model: OperatingModel, subject: str, function: str, start_id: str) -> Route:
    """Follow ``escalates_to`` from line ``start_id`` for one subject tier and function.

    Stops at a line with no target, at a target with no escalation line (broken) or at a
    tier already on the route (a cycle), so it always ends.
    """
    steps: list[EscalationStep] = []
    seen = {model.oversight[start_id].overseer}
    current_id = start_id
    while True:
        target = model.oversight[current_id].escalates_to
        if target is None:
            return Route(steps, None, None)
        if target in seen:
            return Route(steps, current_id, None)
        seen.add(target)
        nxt = [lid for lid, ln in lines_for(model, subject, function, LineKind.ESCALATION) if ln.overseer == target]
        steps.append(EscalationStep(target, nxt[0] if nxt else None, current_id))
        if not nxt:
            return Route(steps, None, current_id)
        current_id = nxt[0]
