"""Placing registry organisations in a model's tiers on a date.

The model speaks of tiers (provider, ICB, region, national); the registry of
organisations with dated parents. An organisation's body at a tier is its
nearest open ancestor of that tier on the date, so closures and mergers in the
registry change the answer without touching the model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from opmodel.accountability.schema import OperatingModel
from opmodel.store import Store
from opmodel.structure import ANCESTORS_SQL, get_organisation

__all__ = ["Body", "Place", "place_of", "places_on", "tier_of"]

_ACTIVE = "(o.open_date IS NULL OR o.open_date <= $1) AND (o.close_date IS NULL OR o.close_date >= $1)"


@dataclass(frozen=True)
class Body:
    code: str
    name: str
    tier: str | None


@dataclass
class Place:
    """An organisation on a date: its tier and its open ancestors, nearest first."""

    code: str
    name: str
    kind: str
    subtype: str | None
    tier: str | None
    active: bool
    ancestors: list[Body] = field(default_factory=list)

    def body_at(self, tier: str) -> str | None:
        """Code of the organisation's own body at ``tier`` (itself, or its nearest ancestor there)."""
        if self.tier == tier:
            return self.code
        return next((a.code for a in self.ancestors if a.tier == tier), None)


def tier_of(model: OperatingModel, kind: str, subtype: str | None) -> str | None:
    """The model tier a registry kind/subtype belongs to (None when the model leaves it out)."""
    for tier_id, tier in model.tiers.items():
        for match in tier.registry:
            if match.kind == kind and (not match.subtypes or subtype in match.subtypes):
                return tier_id
    return None


def place_of(store: Store, model: OperatingModel, code: str, on: dt.date) -> Place:
    """One organisation's place on ``on`` (raises UnknownCodeError for an unknown code)."""
    org = get_organisation(store, code)
    rows = store.execute(
        f"WITH anc AS ({ANCESTORS_SQL}) SELECT o.code, o.name, o.kind, o.subtype FROM anc a "
        f"JOIN organisations o ON o.code = a.ancestor WHERE a.code = $2 AND {_ACTIVE} ORDER BY a.depth",
        [on, org.code],
    ).fetchall()
    return Place(code=org.code, name=org.name, kind=org.kind.value, subtype=org.subtype,
                 tier=tier_of(model, org.kind.value, org.subtype), active=org.active_on(on),
                 ancestors=[Body(c, n, tier_of(model, k, s)) for c, n, k, s in rows])


def places_on(store: Store, model: OperatingModel, on: dt.date) -> dict[str, Place]:
    """Every organisation open on ``on`` that belongs to a tier, in two queries (for checks and bulk use)."""
    places: dict[str, Place] = {}
    for code, name, kind, subtype in store.execute(
            f"SELECT o.code, o.name, o.kind, o.subtype FROM organisations o WHERE {_ACTIVE} ORDER BY o.code",
            [on]).fetchall():
        tier = tier_of(model, kind, subtype)
        if tier is not None:
            places[code] = Place(code, name, kind, subtype, tier, True)
    for code, anc, name, kind, subtype in store.execute(
            f"WITH anc AS ({ANCESTORS_SQL}) SELECT a.code, o.code, o.name, o.kind, o.subtype FROM anc a "
            f"JOIN organisations o ON o.code = a.ancestor WHERE {_ACTIVE} ORDER BY a.code, a.depth",
            [on]).fetchall():
        if code in places:
            places[code].ancestors.append(Body(anc, name, tier_of(model, kind, subtype)))
    return places
