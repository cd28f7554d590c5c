"""Small multiples of the three legs: one panel per measure, one bar per region (or ICB), England marked.

Same data as :func:`legs_table` (the accessible alternative); bars are coloured better or worse than
England by the measure's direction, so the page reads at a glance where a region stands on each leg.
"""

from __future__ import annotations

from typing import Any

from opmodel.variation.charts import NHS_COLOURS, _altair
from opmodel.variation.icons import COLOURS

__all__ = ["legs_chart_spec", "legs_table"]


def legs_table(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per measure and area: value, England, better or worse than England, between-area share."""
    key = "regions" if report["across"] == "region" else "icbs"
    names = {a["code"]: a["name"] for a in report["areas"]}
    out = []
    for leg, dim in report["dimensions"].items():
        for m in dim["measures"]:
            for area, values in dim[key].items():
                value, england = values.get(m["id"]), m["england"]
                side = None
                if value is not None and england is not None and value != england:
                    higher = value > england
                    side = "better than England" if higher == (m["direction"] == "higher") else "worse than England"
                out.append({"leg": leg, "measure": m["id"], "measure_name": m["name"], "period": m["period"],
                            "area": area, "area_name": names.get(area), "value": value, "england": england,
                            "compared": side or "same as England", "between_share": m["between_share"],
                            "third_party": m["third_party"]})
    return out


def legs_chart_spec(report: dict[str, Any], *, columns: int = 3) -> dict[str, Any]:
    """Vega-Lite small multiples (regions × measures) with England as a rule in every panel."""
    alt = _altair()
    rows = legs_table(report)
    for r in rows:
        r["panel"] = f"{r['leg'].capitalize()}: {r['measure_name']}"
        r["label"] = r["area_name"] or r["area"]
    data = alt.Data(values=rows)
    order = list(dict.fromkeys(r["panel"] for r in rows))
    areas = list(dict.fromkeys(r["label"] for r in rows))
    base = alt.Chart().encode(y=alt.Y("label:N", title=None, sort=areas))
    dots = base.mark_circle(size=110, opacity=1).encode(
        x=alt.X("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color("compared:N", title="Against England",
                        scale=alt.Scale(domain=["better than England", "worse than England", "same as England"],
                                        range=[COLOURS["special_cause_improvement"],
                                               COLOURS["special_cause_concern"], COLOURS["common_cause"]])),
        tooltip=["panel:N", "label:N", alt.Tooltip("value:Q", format=".3~f"), alt.Tooltip("england:Q", format=".3~f"),
                 "period:N"])
    rule = alt.Chart().mark_rule(color=NHS_COLOURS["black"], strokeWidth=1.5).encode(x="mean(england):Q")
    across = "regions" if report["across"] == "region" else "ICBs"
    desc = (f"Small multiples: for each measure of performance, quality and access, one dot per {across[:-1]} and "
            "a black line at England's value; blue dots are better than England, orange worse. The data table "
            "gives every value, period and source.")
    chart = alt.layer(rule, dots, data=data).properties(width=200, height=12 * max(1, len(report["areas"]))).facet(
        facet=alt.Facet("panel:N", title=None, sort=order), columns=columns).resolve_scale(x="independent").properties(
        title=alt.Title(f"Consistency of performance, quality and access across {across}",
                        subtitle=[f"Structure on {report['on']}; England (black line) pools the same NHS trusts. "
                                  "Quality figures are third-party processed copies."], anchor="start"),
        description=desc)
    spec: dict[str, Any] = chart.to_dict()
    return spec
