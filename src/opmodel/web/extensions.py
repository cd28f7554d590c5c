"""Sections other areas add to the structure pages (oversight, accountability, metrics, variation).

The structure pages are always there; each area contributes its sections here so
that ``pages_structure`` stays small and the templates test ``extra.<name>``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from opmodel.oversight import parse_period
from opmodel.store import Store
from opmodel.structure import list_organisations
from opmodel.web.views_accountability import org_accountability
from opmodel.web.views_maps import area_page_map, overview_map
from opmodel.web.views_metrics import area_consistency, data_as_of, org_metrics, org_spc_charts
from opmodel.web.views_oversight import Memo, league_view, org_oversight, periods_available, segment_summary
from opmodel.web.views_population import population_section
from opmodel.web.views_quality import area_quality, org_quality

__all__ = ["area_sections", "organisation_sections", "overview_sections"]


def overview_sections(store: Store, on: dt.date, memo: Memo[Any]) -> dict[str, Any]:
    return {"segments": segment_summary(store, memo), "map": overview_map(store, on, memo)}


def organisation_sections(store: Store, code: str, kind: str, on: dt.date, memo: Memo[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    segment = None
    if kind in ("trust", "other_provider"):
        out["oversight"] = org_oversight(store, code, memo=memo)
        # The support the *headline* segment brings (published by NHS England where held; issue 20).
        segment = out["oversight"].headline.get("final_segment") if out["oversight"] else None
    out["accountability"] = memo(("org-accountability", code, on, segment),
                                 lambda: org_accountability(store, code, on, segment=segment))
    if kind in ("trust", "other_provider"):
        out["quality"] = org_quality(store, code, memo)  # issue 22
    if kind in ("trust", "icb"):
        # issue 25: once per data version (org_metrics looks the organisation up before its own memo)
        out["metrics"] = memo(("org-metrics-section", code), lambda: org_metrics(store, code, memo))
    if kind in ("trust", "other_provider", "icb", "region"):
        out["as_of"] = data_as_of(store, code, memo)  # issue 21: what the figures are as of
    if kind in ("trust", "icb", "region"):
        out["spc"] = org_spc_charts(store, code, memo)
    return out


def _trusts(store: Store, memo: Memo[Any], on: dt.date, scope: dict[str, str]) -> list[dict[str, Any]]:
    """The trusts of a region or ICB on a date, once per data version (issue 25)."""
    found: list[dict[str, Any]] = memo(("area-trusts", on, tuple(sorted(scope.items()))),
                                       lambda: list_organisations(store, kind="trust", on=on, **scope))
    return found


def area_sections(store: Store, code: str, kind: str, on: dt.date, memo: Memo[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if periods_available(store, memo):
        view = league_view(store, memo=memo)
        scope = {"region": code} if kind == "region" else {"icb": code}
        # Count on the quarter's last day, as the home page does (issue 16 item 14): a trust that closed after
        # the quarter still counts where it was; the trust list below shows the page's own date.
        end = parse_period(view.period).end
        counted = {t["code"] for t in _trusts(store, memo, end, scope)}
        shown = {t["code"] for t in _trusts(store, memo, on, scope)}
        # Headline segments (issue 20): NHS England's published one where held, else the computed one.
        segments = {r.org_code: r.headline_final_segment for r in view.rows if r.org_code in counted}
        out["segment_period"] = view.period
        out["segment_structure_date"] = end
        out["trust_segments"] = {r.org_code: r.headline_final_segment for r in view.rows
                                 if r.org_code in counted | shown}
        out["segment_mix"] = dict(sorted(Counter(s for s in segments.values() if s is not None).items()))
        # Coverage (issue 11 item 7, issue 16 item 15): what the counts rest on, and which trusts have no result.
        out["segment_headline_sources"] = dict(sorted(Counter(
            r.headline_source for r in view.rows if r.org_code in counted and r.headline_final_segment is not None
        ).items()))
        out["segment_sources"] = dict(sorted(Counter(r.result_source for r in view.rows
                                                     if r.org_code in counted and r.final_segment is not None).items()))
        out["segment_missing"] = sorted(counted - {r.org_code for r in view.rows
                                                   if r.headline_final_segment is not None})
        out["segment_counted"] = len(counted)
        out["segment_coverage"] = view.coverage
    out["map"] = area_page_map(store, code, kind, on, memo)
    out["consistency"] = area_consistency(store, code, kind, on, memo=memo)
    out["quality"] = area_quality(store, code, on, memo)  # issue 22
    out["as_of"] = data_as_of(store, code, memo)  # issue 21: what the area's figures are as of
    if kind == "icb":
        out["metrics"] = memo(("org-metrics-section", code), lambda: org_metrics(store, code, memo))
        out["population"] = population_section(store, code, on, memo)
    return out
