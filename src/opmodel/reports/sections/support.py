"""Support status and open actions, read from the support and intervention register (issue 15).

The register lives beside the store (SQLite by default, or ``OPMODEL_DATABASE_URL``). The board
pack lists the organisation's open cases (programme, lead, since when, what triggered it) and
their actions that are not done, overdue first. An organisation with no open case says so
plainly; a register that cannot be opened says why, never an empty "no cases".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.reports.model import SupportStatus
from opmodel.store import Store

__all__ = ["support_status"]

PROGRAMMES = {"segment_3_support": "segment 3 support", "rsp": "Recovery Support Programme",
              "pip": "Provider Improvement Programme", "other": "other support"}


def _open_actions(case: Any, today: dt.date) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for item in case.items:
        if item.kind != "action" or item.data.get("status") in ("done",):
            continue
        due = item.data.get("due_on")
        overdue = bool(due) and str(due) < today.isoformat()
        out.append({"title": item.data.get("title") or item.data.get("description") or "action",
                    "owner": item.data.get("owner"), "due": due, "status": item.data.get("status"),
                    "overdue": overdue})
    return sorted(out, key=lambda a: (not a["overdue"], str(a["due"] or "9999")))


def support_status(store: Store, org: str, today: dt.date | None = None) -> SupportStatus:
    """Open support cases for ``org`` with their open actions, from the register beside ``store``."""
    from opmodel.register import list_cases, open_register

    today = today or dt.date.today()
    try:
        register = open_register(store.path)
    except (OpmodelError, OSError, ValueError) as exc:
        return SupportStatus(available=False, note=f"The support register could not be opened: {exc}")
    try:
        cases = list_cases(register, None, None, org_codes={org.upper()}, status="open")
    finally:
        register.close()
    if not cases:
        return SupportStatus(available=True, note=f"No open support case is recorded for {org.upper()} in the "
                                                  "support and intervention register.")
    rows: list[dict[str, object]] = []
    n_actions = n_overdue = 0
    for c in cases:
        actions = _open_actions(c, today)
        n_actions += len(actions)
        n_overdue += sum(1 for a in actions if a["overdue"])
        rows.append({"id": c.id, "programme": PROGRAMMES.get(str(c.programme), str(c.programme)),
                     "lead_org": c.lead_org, "lead_name": c.lead_name, "opened_on": c.opened_on.isoformat(),
                     "trigger": (f"segment {c.trigger_segment} in {c.trigger_period}" if c.trigger_segment
                                 else None), "next_review_on": c.next_review_on.isoformat()
                     if c.next_review_on else None, "actions": actions})
    note = (f"{len(cases)} open support case(s) in the register, with {n_actions} open action(s)"
            f"{f', {n_overdue} overdue' if n_overdue else ''}.")
    return SupportStatus(available=True, note=note, cases=rows)
