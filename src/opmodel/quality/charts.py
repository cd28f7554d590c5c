"""The SHMI funnel chart: every trust's SHMI against expected deaths with NHS Digital's limits.

The variation area's funnel chart drawn from :class:`~opmodel.quality.shmi.ShmiBanding` (its SHMI
over-dispersion option), titled and labelled for mortality, third-party source named.
"""

from __future__ import annotations

from typing import Any

from opmodel.quality.shmi import ShmiBanding
from opmodel.variation import funnel_chart_spec

__all__ = ["shmi_chart_spec", "shmi_table"]


def shmi_chart_spec(banding: ShmiBanding, highlight: str | None = None) -> dict[str, Any]:
    """Vega-Lite funnel of the SHMI: 95% and 99.8% limits from the SHMI method, ``highlight`` labelled."""
    summary = banding.summary()
    title = f"SHMI: {summary['trusts']} trusts against expected deaths, {banding.period}"
    spec = funnel_chart_spec(banding.funnel, metric="shmi", period=banding.period, direction="lower",
                             name="SHMI (observed / expected deaths)", title=title, x_title="Expected deaths",
                             highlight=highlight)
    title_block = spec.get("title")
    if isinstance(title_block, dict):
        title_block["subtitle"] = [*title_block.get("subtitle", []),
                                   "NHS Digital's bands use the 95% limits (dashed); colours mark the 99.8% limits. "
                                   "Third-party copy of the published SHMI."]
    spec["description"] = (spec.get("description", "") + f" Bands recomputed by opmodel agree with the published "
                           f"band for {summary['agree']} of {summary['compared']} trusts. Source: "
                           f"{banding.source}.")
    return spec


def shmi_table(banding: ShmiBanding) -> list[dict[str, Any]]:
    """The chart's data: one row per trust, largest expected deaths first."""
    rows = [{"org_code": r.org_code, "org_name": r.org_name, "observed": r.observed, "expected": r.expected,
             "shmi": r.value, "lower_95": r.lower_limit, "upper_95": r.upper_limit, "lower_998": r.lower_limit_998,
             "upper_998": r.upper_limit_998, "band": r.band, "published_band": r.published_band}
            for r in banding.rows]
    return sorted(rows, key=lambda r: -float(r["expected"]))
