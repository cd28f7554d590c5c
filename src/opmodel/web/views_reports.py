"""View model for the profile's "at a glance" summary: the board pack's first page, on the web.

The same :class:`opmodel.reports.Report` the PDF is rendered from (issue 17, requirement 3), built
without charts for the latest oversight quarter and memoised per store version.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from opmodel.errors import OpmodelError
from opmodel.reports import OversightContext, Report, build_report, oversight_context
from opmodel.reports.formatting import ASSURANCE_WORDS, VARIATION_WORDS, fmt_value
from opmodel.store import Store
from opmodel.web.views_oversight import Memo, no_memo, periods_available

__all__ = ["Glance", "org_glance", "report_context"]


class Glance(BaseModel):
    period: str
    report: Report
    kpis: list[dict[str, Any]]
    pdf_href: str


def report_context(store: Store, period: str, memo: Memo[Any] = no_memo) -> OversightContext:
    """The quarter's segmentation (and the previous one's) shared by every pack and glance of a store version."""
    found: OversightContext = memo(("report-context", period), lambda: oversight_context(store, period))
    return found


def org_glance(store: Store, code: str, kind: str, memo: Memo[Any] = no_memo) -> Glance | None:
    """The at-a-glance summary for a trust's profile, or None (not a trust, or no oversight quarter)."""
    if kind not in ("trust", "other_provider"):
        return None
    periods = periods_available(store, memo)
    if not periods:
        return None
    period = periods[-1]

    def compute() -> Glance | None:
        try:
            rep = build_report(store, code, period, ctx=report_context(store, period, memo))
        except OpmodelError:
            return None
        kpis = [{"name": k.name, "latest": fmt_value(k.latest_value, k.unit),
                 "month": k.latest_period.strftime("%b %Y") if k.latest_period else "–",
                 "target": fmt_value(k.target, k.unit) if k.target is not None else "none",
                 "variation": k.variation_icon, "variation_text": VARIATION_WORDS.get(k.variation_icon or "", "–"),
                 "assurance": k.assurance_icon,
                 "assurance_text": ASSURANCE_WORDS.get(k.assurance_icon or "", "no target") if k.variation_icon
                 else (k.note or "–")} for k in rep.kpis]
        return Glance(period=period, report=rep, kpis=kpis,
                      pdf_href=f"/api/v1/reports/{rep.org_code}?period={period}&format=pdf")

    found: Glance | None = memo(("org-glance", code.upper(), period), compute)
    return found
