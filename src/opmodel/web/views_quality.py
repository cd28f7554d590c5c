"""View models of the quality pages: the profile's "Quality and safety" section, the ICB and region
quality panel, and the England consistency page (issue 22).

Thin: the figures come from :func:`opmodel.quality.quality_show` and
:func:`opmodel.variation.consistency_across`; the charts from their spec builders. Every result is
memoised per organisation (and date) because the SHMI funnel is shared by all trusts' pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.maps import AreaValue, MeasureValues
from opmodel.quality import RATINGS, quality_show, shmi_banding, shmi_chart_spec, shmi_table
from opmodel.store import Store
from opmodel.variation import consistency_across, legs_chart_spec, legs_table
from opmodel.web.charts import make_chart
from opmodel.web.views_maps import small_map_views
from opmodel.web.views_oversight import Memo, no_memo

__all__ = ["RATING_TAGS", "area_quality", "consistency_maps", "consistency_page", "org_quality"]

#: NHS.UK tag colour for each CQC rating (text always says the rating; colour is never the only cue).
RATING_TAGS = {"Outstanding": "blue", "Good": "green", "Requires improvement": "orange", "Inadequate": "red",
               "Not rated": "grey"}
QUESTIONS = (("overall", "Overall"), ("safe", "Safe"), ("effective", "Effective"), ("caring", "Caring"),
             ("responsive", "Responsive"), ("well_led", "Well-led"))


def org_quality(store: Store, code: str, memo: Memo[Any] = no_memo, render: bool = True) -> dict[str, Any] | None:
    """The trust's quality view with its SHMI funnel (the trust labelled), or None when nothing is held."""
    def compute() -> dict[str, Any] | None:
        try:
            view = quality_show(store, code)
        except OpmodelError:
            return None
        if not any(view.get(k) for k in ("cqc", "shmi", "fft", "hcai")):
            return None
        chart = None
        if view.get("shmi"):
            banding = shmi_banding(store)
            chart = make_chart(shmi_chart_spec(banding, highlight=code), shmi_table(banding), memo, render)
        return {"view": view, "shmi_chart": chart, "questions": QUESTIONS, "tags": RATING_TAGS}

    found: dict[str, Any] | None = memo(("org-quality", code, render), compute)
    return found


def area_quality(store: Store, code: str, on: dt.date, memo: Memo[Any] = no_memo) -> dict[str, Any] | None:
    """The mix of ratings, SHMI bands and FFT across an ICB's or region's trusts, against England."""
    def compute() -> dict[str, Any] | None:
        try:
            view = quality_show(store, code, on)
        except OpmodelError:
            return None
        if not (view["cqc"]["rated"] or view["shmi"]["trusts"] or view["fft"]["trusts"]):
            return None
        return {"view": view, "ratings": RATINGS, "tags": RATING_TAGS}

    found: dict[str, Any] | None = memo(("area-quality", code, on), compute)
    return found


def _map_values(report: dict[str, Any], m: dict[str, Any]) -> MeasureValues:
    """One measure of the consistency report as map values: the figures of the table beside the map."""
    across = report["across"]
    values = {}
    for code, a in m["areas"].items():
        shares = str(m["unit"]).startswith("percent of")  # a share of trusts: "5 of 11 rated trusts"
        note = (f"{a['numerator']:.0f} of {a['trusts']} {m['counts']}" if shares
                else f"{a['trusts']} trust{'s' if a['trusts'] != 1 else ''}")
        values[code] = AreaValue(code, a["value"], note)
    percent = str(m["unit"]).startswith("percent")
    return MeasureValues(
        measure=m["id"], name=m["name"], unit="%" if percent else "",
        polarity="high_is_good" if m["direction"] == "higher" else "low_is_good", level=across,
        on=dt.date.fromisoformat(report["on"]), period=m["period"], source=m["source"], values=values,
        england=m["england"], third_party=bool(m["third_party"]), decimals=1 if percent else 2,
        notes=[f"{m['trusts']} trusts, the same as the table."])


def consistency_maps(store: Store, report: dict[str, Any], memo: Memo[Any] = no_memo) -> list[dict[str, Any]]:
    """One small map per measure of each leg, at the report's level, shaded by the report's own figures."""
    out = []
    for leg, dim in report["dimensions"].items():
        measures = [m for m in dim["measures"] if m.get("areas")]
        if not measures:
            continue
        views = small_map_views(store, [_map_values(report, m) for m in measures], report["across"],
                                dt.date.fromisoformat(report["on"]), memo)
        out.append({"leg": leg, "maps": views})
    return out


def consistency_page(store: Store, across: str, memo: Memo[Any] = no_memo, render: bool = True) -> dict[str, Any]:
    """The three legs for every region (or ICB): small multiples, one small map per measure, and the tables."""
    def compute() -> dict[str, Any]:
        report = consistency_across(store, "icb" if across == "icb" else "region")
        chart = make_chart(legs_chart_spec(report), legs_table(report), memo, render)
        key = "regions" if report["across"] == "region" else "icbs"
        return {"report": report, "chart": chart, "key": key, "names": {a["code"]: a["name"] for a in report["areas"]},
                "maps": consistency_maps(store, report, memo)}

    found: dict[str, Any] = memo(("consistency-page", across, render), compute)
    return found
