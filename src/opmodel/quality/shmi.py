"""SHMI banded as NHS Digital bands it, recomputed from observed and expected deaths (issue 22, item 2).

NHS Digital's SHMI methodology specification (banding section) places each trust against 95% and
99.8% control limits around 1 from "an additive random-effects model with a 10 per cent trim":
``y = ln(SHMI)`` with standard error ``1/sqrt(E)``; the 10% of trusts with the highest and the 10%
with the lowest z-scores ``y·sqrt(E)`` are left out; ``phi`` is the mean square of the remaining
z-scores and ``tau² = (I·phi − (I − 1)) / (Σw − Σw²/Σw)``, ``w = E``, over the ``I`` trusts kept;
the limits are ``exp(±z·sqrt(1/E + tau²))`` with z 1.959964 and 3.090232. A SHMI above the upper
95% limit is "higher than expected", below the lower "lower than expected". The statistics are the
variation area's funnel with its SHMI over-dispersion option (``od_method="shmi"``), so the funnel
chart and the bands are one computation.

The published figures come from a third-party copy whose observed and expected deaths are rounded,
and which holds 118 of the 120 trusts NHS Digital banded: a trust within a few thousandths of a
limit can fall the other side. :class:`ShmiBanding` reports the agreement and each difference.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from opmodel.errors import NotFoundError
from opmodel.metrics import metric_values
from opmodel.quality.models import SHMI_BAND_LABELS, ShmiResult
from opmodel.quality.queries import latest_values, period_label, source_label
from opmodel.store import Store
from opmodel.variation import FunnelResult, FunnelUnit, funnel_analysis

__all__ = ["ShmiBanding", "shmi_banding", "trend_reading"]

_FLAG_BAND = {"high": 1, None: 2, "low": 3}


@dataclass
class ShmiBanding:
    """Every trust's SHMI with recomputed limits and band beside the published band, and the funnel."""

    rows: list[ShmiResult]
    funnel: FunnelResult
    period: str
    source: str

    @property
    def compared(self) -> list[ShmiResult]:
        return [r for r in self.rows if r.published_band is not None]

    @property
    def agreeing(self) -> int:
        return sum(1 for r in self.compared if r.agrees)

    @property
    def disagreements(self) -> list[ShmiResult]:
        return [r for r in self.compared if not r.agrees]

    def by_org(self) -> dict[str, ShmiResult]:
        return {r.org_code: r for r in self.rows}

    def summary(self) -> dict[str, Any]:
        od = self.funnel.overdispersion
        counts = {label: sum(1 for r in self.rows if r.band == label) for label in SHMI_BAND_LABELS.values()}
        return {"period": self.period, "source": self.source, "trusts": len(self.rows),
                "compared": len(self.compared), "agree": self.agreeing,
                "disagreements": [{"org_code": r.org_code, "value": r.value, "band": r.band,
                                   "published_band": r.published_band, "lower_limit": r.lower_limit,
                                   "upper_limit": r.upper_limit, "margin": r.margin} for r in self.disagreements],
                "bands": counts,
                "method": "NHS Digital SHMI banding: log scale, 10 per cent of trusts trimmed at each end, additive "
                          "random effects; 95% limits for the band, 99.8% shown too",
                "phi": None if od is None else od.phi, "tau2": None if od is None else od.tau2,
                "trusts_used_for_tau2": None if od is None else od.used}


def trend_reading(recent: float, prior: float) -> str:
    """"higher", "lower" or "about the same" (within half a per cent of the earlier value)."""
    change = recent - prior
    if abs(change) < 0.005 * max(abs(prior), 1e-9):
        return "about the same"
    return "higher" if change > 0 else "lower"


def _trend(history: list[dict[str, Any]]) -> dict[str, Any]:
    """The SHMI periods held for a trust, oldest first, and how the latest compares with the one before."""
    values = [{"period": period_label(r), "value": r["value"]} for r in history if r["value"] is not None]
    if len(values) < 2:
        return {"values": values, "reading": "one period held: no trend yet"}
    return {"values": values, "reading": trend_reading(float(values[-1]["value"]), float(values[-2]["value"]))}


def shmi_banding(store: Store, on: dt.date | None = None, trim: float = 0.1) -> ShmiBanding:
    """Recompute every trust's SHMI limits and band from the latest published observed and expected deaths."""
    latest = latest_values(store, ["shmi", "shmi_band"], on=on)
    rows = latest["shmi"]
    if not rows:
        raise NotFoundError("no SHMI values are held; load the SHMI (or the third-party quality files) with "
                            "`opmodel metrics load`")
    newest = max(r["period_start"] for r in rows.values())
    current = {c: r for c, r in rows.items() if r["period_start"] == newest}
    units = [FunnelUnit(code=c, numerator=float(r["numerator"]), denominator=float(r["denominator"]),
                        name=r["org_name"], value=float(r["value"]))
             for c, r in sorted(current.items()) if r["numerator"] is not None and r["denominator"]]
    funnel = funnel_analysis(units, kind="rate", overdispersion=True, od_method="shmi", trim=trim)
    published = {c: r for c, r in latest["shmi_band"].items() if r["period_start"] == newest}
    history: dict[str, list[dict[str, Any]]] = {}
    for r in metric_values(store, "shmi", level="trust", end=on):
        history.setdefault(r["org_code"], []).append(r)
    out: list[ShmiResult] = []
    for p in funnel.points:
        row = current[p.unit.code]
        pub = published.get(p.unit.code)
        out.append(ShmiResult(
            org_code=p.unit.code, org_name=p.unit.name, value=p.value, observed=p.unit.numerator,
            expected=p.unit.denominator, band=SHMI_BAND_LABELS[_FLAG_BAND[p.flag_95]],
            published_band=None if pub is None or pub["value"] is None else SHMI_BAND_LABELS[int(pub["value"])],
            lower_limit=p.limits["lower_95"], upper_limit=p.limits["upper_95"],
            lower_limit_998=p.limits["lower_998"], upper_limit_998=p.limits["upper_998"], z=p.z,
            period=period_label(row), source=source_label(row), trend=_trend(history.get(p.unit.code, []))))
    first = next(iter(current.values()))
    return ShmiBanding(rows=out, funnel=funnel, period=period_label(first), source=source_label(first))
