"""Cases as CSV: one row per case with its plan counted, for the spreadsheets regions still keep.

Written through :mod:`opmodel.csvsafe`, so a lead name like ``=HYPERLINK(...)`` arrives as text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from opmodel import csvsafe
from opmodel.register.models import CaseView

__all__ = ["CSV_COLUMNS", "cases_csv"]

CSV_COLUMNS = ("id", "version", "org_code", "programme", "status", "opened_on", "closed_on", "lead_org",
               "lead_name", "trigger_segment", "trigger_period", "next_review_on", "actions", "actions_done",
               "exit_criteria", "exit_criteria_met", "enforcement_steps", "exit_evidence")


def cases_csv(cases: Sequence[CaseView]) -> str:
    buf = io.StringIO()
    w = csvsafe.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for c in cases:
        kinds = [i.kind.value for i in c.items]
        done = sum(1 for i in c.items if i.kind.value == "action" and i.data.get("status") == "done")
        met = sum(1 for i in c.items if i.kind.value == "exit_criterion" and i.data.get("status") == "met")
        w.writerow([c.id, c.version, c.org_code, c.programme.value, c.status, c.opened_on, c.closed_on or "",
                    c.lead_org, c.lead_name or "", c.trigger_segment or "", c.trigger_period or "",
                    c.next_review_on or "", kinds.count("action"), done, kinds.count("exit_criterion"), met,
                    kinds.count("enforcement"), c.exit_evidence or ""])
    return buf.getvalue()
