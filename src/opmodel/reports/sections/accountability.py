"""Who holds the organisation to account for each function, under the operating model in force.

Read from the accountability area (:func:`opmodel.accountability.who`, methodology §6.4), so a
2023 pack names the ICB as first line for a trust's elective care and a 2025 pack the region.
"""

from __future__ import annotations

import datetime as dt

from opmodel.errors import OpmodelError
from opmodel.reports.model import AccountabilityLine
from opmodel.store import Store

__all__ = ["accountability_lines"]


def accountability_lines(store: Store, org: str, on: dt.date) -> tuple[list[AccountabilityLine], str | None]:
    """One line per function of the model in force on ``on``, and the model's name (None when not resolved)."""
    from opmodel.accountability import who

    try:
        result = who(store, org, on)
    except OpmodelError:
        return [], None
    names: dict[str, str] = {}
    lines = []
    for f in result.functions:
        code = f.performance_managed_by
        lines.append(AccountabilityLine(function=f.function, name=f.name,
                                        held_by=_name(store, code, names), held_by_tier=f.performance_managed_by_tier,
                                        escalation=list(f.escalation)))
    return lines, result.model


def _name(store: Store, code: str | None, cache: dict[str, str]) -> str | None:
    if code is None:
        return None
    if code not in cache:
        found = store.scalar("SELECT name FROM organisations WHERE code = ?", [code])
        cache[code] = f"{found} ({code})" if found else code
    return cache[code]
