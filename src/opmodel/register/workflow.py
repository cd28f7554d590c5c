"""Workflow help: which cases to open or review from the oversight results, and what is overdue.

Pure functions over cases and segment history so the web, the CLI and tests
share them. Rules (issue 15; decisions.md, "Register"): an organisation now in
segment 4 or 5 with no open case is suggested for a case; an open case whose
organisation has been in a better segment than the quarter before for two
quarters running (s[-3] > s[-2] >= s[-1]) is suggested for an exit review.
The segments are the *headline* ones (issue 20): NHS England's published segment
where one is held, else opmodel's computed one; each suggestion says which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel

from opmodel.register.models import CaseView

__all__ = ["Overdue", "Suggestion", "overdue", "suggest"]


class Suggestion(BaseModel):
    kind: Literal["open_case", "exit_review"]
    org_code: str
    period: str
    segment: int
    case_id: int | None = None
    reason: str
    segment_source: str = ""  # "published by NHS England" or "computed, provisional" (issue 20)


class Overdue(BaseModel):
    case_id: int
    org_code: str
    what: Literal["milestone", "review"]
    title: str
    due_on: dt.date
    days_overdue: int


def suggest(open_cases: Sequence[CaseView], segments: Sequence[tuple[str, Mapping[str, int | None]]],
            sources: Mapping[str, str] | None = None) -> list[Suggestion]:
    """Suggestions from quarterly headline segments (oldest quarter first) and the cases open now.

    ``sources`` names, per organisation, where the latest quarter's segment comes from ("published by NHS
    England", "computed, provisional"), so a suggestion never passes a reconstruction off as the fact.
    """
    if not segments:
        return []
    period, latest = segments[-1]
    by_org = {c.org_code: c for c in open_cases if c.status == "open"}
    where = dict(sources or {})
    out: list[Suggestion] = []
    for org, seg in sorted(latest.items()):
        if seg in (4, 5) and org not in by_org:
            before = segments[-2][1].get(org) if len(segments) > 1 else None
            how = "newly in" if before not in (4, 5) else "in"
            label = f" ({where[org]})" if org in where else ""
            out.append(Suggestion(kind="open_case", org_code=org, period=period, segment=seg,
                                  segment_source=where.get(org, ""),
                                  reason=f"{how} segment {seg}{label} in {period} with no open support case"))
    if len(segments) >= 3:
        for org, case in sorted(by_org.items()):
            s = [segments[i][1].get(org) for i in (-3, -2, -1)]
            if None not in s and s[0] > s[1] >= s[2]:  # type: ignore[operator]
                out.append(Suggestion(kind="exit_review", org_code=org, period=period, segment=int(s[2] or 0),
                                      case_id=case.id, reason=f"segment improved from {s[0]} to {s[1]} and "
                                      f"held at {s[2]} by {period}: consider an exit review"))
    return out


def overdue(cases: Sequence[CaseView], on: dt.date) -> list[Overdue]:
    """Milestones not done by their due date and reviews past their date, in open cases, most overdue first."""
    found: list[Overdue] = []
    for c in cases:
        if c.status != "open":
            continue
        if c.next_review_on is not None and c.next_review_on < on:
            found.append(Overdue(case_id=c.id, org_code=c.org_code, what="review", title="Case review",
                                 due_on=c.next_review_on, days_overdue=(on - c.next_review_on).days))
        for item in c.items:
            if item.kind.value != "action" or item.data.get("status") == "done":
                continue
            due = dt.date.fromisoformat(item.data["due_on"])
            if due < on:
                found.append(Overdue(case_id=c.id, org_code=c.org_code, what="milestone",
                                     title=str(item.data.get("title")), due_on=due, days_overdue=(on - due).days))
    return sorted(found, key=lambda o: (-o.days_overdue, o.case_id))
