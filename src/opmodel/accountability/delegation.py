"""Delegations in force on a date, where an organisation is: the delegate's role and who commissions.

NHS England delegated commissioning to ICBs in steps: primary medical services to every ICB from
1 July 2022; pharmacy, optometry and dental to nine early-adopter ICBs from 1 July 2022 and to all
from 1 April 2023; 59 specialised services to the ICBs of three regions from 1 April 2024, and 70
to every ICB from 1 April 2025 (methodology §6.5; NHS England board papers of 7 December 2023 and
December 2024). A model therefore states each delegation with its date, regions or named ICBs, and
the delegate's role both under it and outside it; this module picks the one that applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from opmodel.accountability.placement import Place
from opmodel.accountability.schema import Citation, Delegation, OperatingModel, Role

__all__ = ["DelegationState", "ResolvedRole", "delegation_state", "delegations_of", "resolved_role"]


def delegations_of(model: OperatingModel, function: str, delegate: str | None = None) -> list[tuple[str, Delegation]]:
    """The model's delegations of ``function`` (to ``delegate`` when given), as (id, delegation)."""
    return [(did, d) for did, d in model.delegations.items()
            if d.function == function and (delegate is None or d.delegate == delegate)]


@dataclass
class DelegationState:
    """For one organisation, function and date: the delegations that reach it and the one in force."""

    applicable: list[tuple[str, Delegation]] = field(default_factory=list)
    in_force: list[tuple[str, Delegation]] = field(default_factory=list)
    elsewhere: list[tuple[str, Delegation]] = field(default_factory=list)

    @property
    def delegated(self) -> bool:
        return bool(self.in_force)

    def in_force_to(self, tier: str) -> list[tuple[str, Delegation]]:
        return [(i, d) for i, d in self.in_force if d.delegate == tier]


def delegation_state(model: OperatingModel, place: Place, function: str, on: dt.date) -> DelegationState:
    """Which of the model's delegations of ``function`` reach ``place`` (by region and ICB) and are in force."""
    region = place.body_at("region") if "region" in model.tiers else None
    icb = place.body_at("icb") if "icb" in model.tiers else None
    state = DelegationState()
    for did, d in delegations_of(model, function):
        if not d.applies_to(region, icb):
            state.elsewhere.append((did, d))
            continue
        state.applicable.append((did, d))
        if d.in_effect(on):
            state.in_force.append((did, d))
    return state


@dataclass(frozen=True)
class ResolvedRole:
    """A tier's role for a function on a date, after delegations are applied."""

    role: str
    capacity: str | None
    cite: list[Citation]
    note: str | None
    delegation: str | None   # id of the delegation the role rests on, if any


def resolved_role(model: OperatingModel, tier: str, function: str, state: DelegationState) -> ResolvedRole | None:
    """The role of ``tier`` for ``function``: its delegated role only while a delegation to it is in force."""
    entry = model.role(function, tier)
    if entry is None:
        return None
    if not delegations_of(model, function, tier):
        return ResolvedRole(entry.role.value, entry.capacity, entry.cite, entry.note, None)
    live = state.in_force_to(tier)
    if live:
        return ResolvedRole(entry.role.value, entry.capacity, entry.cite, entry.note, live[0][0])
    alt = entry.undelegated
    if alt is None:   # reported by check_delegations; say so rather than show a delegation not in force
        return ResolvedRole(Role.UNKNOWN.value, None, [], "no delegation in force and the model states no "
                            "role outside it (see `opmodel model check`)", None)
    return ResolvedRole(alt.role.value, alt.capacity, alt.cite, alt.note, None)
