"""Quality and safety, the section a board pack's detail opens with (issue 22): SHMI chart, CQC grid,
Friends and Family Test and healthcare-associated infections, like the reports boards read.

For a trust: its CQC ratings (overall and the five key questions), its SHMI on the funnel of every
trust with NHS Digital's limits, its inpatient FFT and its infection measures, each against England.
For an ICB or region: the CQC grid of its trusts, their SHMIs on the funnel, the pooled FFT and the
mix against England. Figures from third-party copies are labelled so in the section's note and sources.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.reports.model import QualitySection
from opmodel.reports.quality_chart import shmi_funnel_svg
from opmodel.store import Store

__all__ = ["quality_section"]

_NOTE = ("CQC ratings, the SHMI and the Friends and Family Test are third-party processed copies of CQC, NHS Digital "
         "and NHS England publications. SHMI bands are recomputed by opmodel with NHS Digital's method (95% limits "
         "of an additive random-effects model with a 10 per cent trim) and shown beside the published band.")


def _chart(banding: Any, highlight: set[str], who: str) -> tuple[str, str]:
    points = [{"org_code": r.org_code, "expected": r.expected, "shmi": r.value, "band": r.band} for r in banding.rows]
    mine = [r for r in banding.rows if r.org_code in highlight]
    desc = (f"Funnel plot of the SHMI of {len(points)} trusts against their expected deaths, {banding.period}, with "
            "95% (dashed) and 99.8% (solid) control limits by NHS Digital's method. "
            + "; ".join(f"{r.org_code} {r.value:.4f} ({r.band.lower()})" for r in mine) + ".")
    svg = shmi_funnel_svg(points, banding.funnel.curve, highlight, title=f"SHMI funnel: {who}", desc=desc)
    return svg, desc


def quality_section(store: Store, org: str, level: str, on: dt.date | None = None) -> QualitySection:
    """The quality and safety section for a trust, ICB or region (``available=False`` with a note if none)."""
    from opmodel.quality import quality_show, shmi_banding

    try:
        view = quality_show(store, org, on)
    except OpmodelError as exc:
        return QualitySection(available=False, level=level, note=f"Quality and safety could not be shown: {exc}")
    try:
        banding = shmi_banding(store)
    except OpmodelError:
        banding = None
    sources = sorted({str(b["source"]) for b in (view.get("cqc"), view.get("shmi"), view.get("fft"))
                      if isinstance(b, dict) and b.get("source")})
    if level == "trust":
        svg = alt = None
        if view.get("shmi") and banding is not None:
            svg, alt = _chart(banding, {view["org_code"]}, view["org_name"])
        return QualitySection(available=any(view.get(k) for k in ("cqc", "shmi", "fft", "hcai")), level=level,
                              note=_NOTE, cqc=view.get("cqc"), shmi=view.get("shmi"), fft=view.get("fft"),
                              hcai=view.get("hcai", []), england=view["england"], shmi_svg=svg, shmi_alt=alt,
                              sources=sources)
    rows = [r for r in view.get("trust_rows", []) if r["cqc_overall"] or r["shmi"] or r["fft_positive_pct"]]
    grid = _grid(store, [r["org_code"] for r in rows])
    members = {r["org_code"] for r in rows if r["shmi"] is not None}
    svg = alt = None
    if members and banding is not None:
        svg, alt = _chart(banding, members, view["org_name"])
    eng = view["england"]
    return QualitySection(available=bool(rows), level=level, note=_NOTE, mix={"cqc": view["cqc"], "shmi": view["shmi"],
                                                                              "fft": view["fft"]},
                          england={"cqc_good_or_outstanding_pct": eng["cqc"]["good_or_outstanding_pct"],
                                   "shmi": eng["shmi"]["value"], "fft_positive_pct": eng["fft"]["positive_pct"],
                                   "shmi_higher_than_expected": len(eng["shmi"]["higher_than_expected"])},
                          trusts=[{**r, **grid.get(r["org_code"], {})} for r in rows], shmi_svg=svg, shmi_alt=alt,
                          sources=sources or ["trustpulse_trust_profiles.csv (third-party processed copy)"])


def _grid(store: Store, codes: list[str]) -> dict[str, dict[str, Any]]:
    """Each trust's six CQC ratings, for the grid."""
    from opmodel.quality import cqc_ratings, latest_values
    from opmodel.quality.view import CQC_METRICS

    latest = latest_values(store, [*CQC_METRICS, "cqc_overall_tracker", "cqc_well_led_tracker"], orgs=codes)
    out: dict[str, dict[str, Any]] = {}
    for c in codes:
        r = cqc_ratings(latest, c)
        if r is not None:
            out[c] = {"cqc": {k: getattr(r, k) for k in ("overall", "safe", "effective", "caring", "responsive",
                                                          "well_led")}, "cqc_published_on": r.published_on}
    return out
