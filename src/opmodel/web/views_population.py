"""View model of the ICB page's "Population health and inequalities" section.

Thin: the figures come from :func:`opmodel.population.profile.icb_profile` and the spine/trend
specs from :mod:`opmodel.population.charts`; this module only picks what the page shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.population.charts import spine_chart_spec, spine_rows, trend_chart_spec
from opmodel.population.icb import ValueCache, sources_loaded
from opmodel.population.profile import icb_profile, icb_values_on
from opmodel.store import Store
from opmodel.web.charts import make_chart
from opmodel.web.views_oversight import Memo, no_memo

__all__ = ["TREND_INDICATORS", "population_section"]

TREND_INDICATORS = ("qof_hypertension", "core20_share", "gpps_smoking", "qof_diabetes")


def _section(store: Store, code: str, on: dt.date, memo: Memo[Any], render: bool) -> dict[str, Any] | None:
    try:
        p = icb_profile(store, code, on, trends=True)
    except OpmodelError:
        return None
    if not p["indicators"]:
        return None
    c = ValueCache(store)
    ranges: dict[str, tuple[float, float]] = {}
    for r in p["indicators"]:
        vals = [v.value for v in icb_values_on(store, r["indicator_id"], on, int(r["period"]), c).values()]
        if len(vals) >= 2:
            ranges[r["indicator_id"]] = (min(vals), max(vals))
    rows = spine_rows(p["indicators"], ranges)
    spine = make_chart(spine_chart_spec(rows, org_name=p["org_name"]), rows, memo, render) if rows else None
    series = [{"indicator": r["name"], "year": int(t["period"]), "value": t["value"], "lower_ci": t["lower_ci"],
               "upper_ci": t["upper_ci"], "method": t["method"]}
              for r in p["indicators"] if r["indicator_id"] in TREND_INDICATORS for t in r.get("trend", [])]
    trend = make_chart(trend_chart_spec(series, org_name=p["org_name"]), series, memo, render) if series else None
    return {**p, "spine": spine, "trend_chart": trend,
            "any_third_party": any(r["third_party"] for r in p["indicators"])}


def population_section(store: Store, code: str, on: dt.date, memo: Memo[Any] = no_memo,
                       render: bool = True) -> dict[str, Any] | None:
    """The section's context for an ICB on a date, or None when no population data is held for it."""
    version = memo(("population-sources",), lambda: sources_loaded(store))  # a query per request before
    result: dict[str, Any] | None = memo(("population-section", code, on, version, render),
                                         lambda: _section(store, code, on, memo, render))
    return result
