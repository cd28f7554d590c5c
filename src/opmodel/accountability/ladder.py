"""The support ladder: what an oversight segment brings, and which body delivers it for an organisation.

Segments and their support differ by framework (NOF 2022/23 segments 1-4 with
the RSP; NOF 2025/26 segments 1-5 with the PIP, methodology §1.1, §1.6, §5), so
the ladder is part of each operating model rather than code.
"""

from __future__ import annotations

import datetime as dt

from opmodel.accountability.placement import place_of
from opmodel.accountability.schema import OperatingModel, SupportStep
from opmodel.errors import OpmodelError
from opmodel.store import Store

__all__ = ["segment_support", "support_body", "tier_body"]


def segment_support(model: OperatingModel, segment: int) -> SupportStep:
    """The support or intervention that ``segment`` brings under ``model`` and the tier that delivers it."""
    for step in model.support_ladder.segments:
        if step.segment == segment:
            return step
    known = ", ".join(str(s.segment) for s in model.support_ladder.segments)
    raise OpmodelError(f"Model {model.name} ({model.support_ladder.framework}) has no segment {segment}; "
                       f"its segments are {known}.")


def tier_body(store: Store, model: OperatingModel, org_code: str, tier: str, on: dt.date) -> str | None:
    """Code of ``org_code``'s body at ``tier`` on ``on`` (itself, or its nearest open ancestor in that tier)."""
    if tier not in model.tiers:
        raise OpmodelError(f"Model {model.name} has no tier '{tier}'; its tiers are {', '.join(model.tiers)}.")
    return place_of(store, model, org_code, on).body_at(tier)


def support_body(store: Store, model: OperatingModel, segment: int, org_code: str, on: dt.date) -> str | None:
    """Code of the body that delivers ``segment``'s support to ``org_code`` on ``on`` (e.g. its region)."""
    step = segment_support(model, segment)
    if step.delivered_by is None:
        return None
    return tier_body(store, model, org_code, step.delivered_by, on)
