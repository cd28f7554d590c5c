"""Consistency across the three legs: one measure's value for every region (or ICB), England, the spread
and the share of its variation that lies between them (issue 22, item 4).

Every measure is built from trust-level counts, so areas and England are pooled (``Σ numerators /
Σ denominators``), never averages of rates: an A&E measure counts attendances, a share of trusts rated
good counts each trust once (numerator 1 or 0, denominator 1), a mean score adds scores over trusts.
The share of variation between areas comes from the nested decomposition of
:func:`~opmodel.variation.decompose_period` (denominator-weighted sums of squares): between regions
when comparing regions; between regions plus between ICBs within them when comparing ICBs. Measures
built from counts are also placed on a funnel (over-dispersion applied when found) and the trusts
outside its 99.8% limits are named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from opmodel.variation.consistency import TrustValue, decompose_period

__all__ = ["Across", "Leg", "LegMeasure", "LegUnit", "measure_across"]

Leg = Literal["performance", "quality", "access"]
Across = Literal["region", "icb"]


@dataclass(frozen=True)
class LegMeasure:
    """What one measure is, where it comes from and how an area's value is formed (``scale·Σn/Σd``)."""

    id: str
    leg: Leg
    name: str
    unit: str
    direction: Literal["higher", "lower"]
    period: str
    source: str
    counts: str  # what the denominator counts: "attendances", "trusts", "expected deaths", ...
    scale: float = 100.0
    third_party: bool = False
    funnel: bool = False  # place trusts on a funnel and name those outside (count measures only)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "leg": self.leg, "name": self.name, "unit": self.unit, "direction": self.direction,
                "period": self.period, "source": self.source, "counts": self.counts,
                "third_party": self.third_party}


@dataclass(frozen=True)
class LegUnit:
    """One trust's counts for a measure, placed in its region and ICB."""

    code: str
    region: str
    icb: str
    numerator: float
    denominator: float
    name: str | None = None


def _spread(values: dict[str, float], direction: str) -> dict[str, Any]:
    if not values:
        return {"areas": 0}
    codes = sorted(values, key=lambda c: values[c])
    v = np.array([values[c] for c in codes], dtype=np.float64)
    q1, q3 = np.quantile(v, [0.25, 0.75])
    best, worst = (codes[-1], codes[0]) if direction == "higher" else (codes[0], codes[-1])
    return {"areas": len(codes), "min": float(v.min()), "max": float(v.max()), "range": float(v.max() - v.min()),
            "iqr": float(q3 - q1), "best": best, "worst": worst}


def measure_across(measure: LegMeasure, units: Sequence[LegUnit], across: Across) -> dict[str, Any]:
    """The measure for every area, England (the same trusts pooled), spread and between-area share."""
    units = [u for u in units if u.denominator > 0]
    out: dict[str, Any] = {**measure.to_json(), "trusts": len(units)}
    if not units:
        return {**out, "england": None, "values": {}, "areas": {}, "spread": {"areas": 0}, "between_share": None,
                "outside_limits": []}
    sums: dict[str, list[float]] = {}
    for u in units:
        acc = sums.setdefault(u.region if across == "region" else u.icb, [0.0, 0.0, 0.0])
        acc[0] += u.numerator
        acc[1] += u.denominator
        acc[2] += 1
    values = {code: measure.scale * n / d for code, (n, d, _) in sums.items() if d > 0}
    england = measure.scale * sum(u.numerator for u in units) / sum(u.denominator for u in units)
    rows = [TrustValue(code=u.code, region=u.region, icb=u.icb, numerator=u.numerator, denominator=u.denominator,
                       name=u.name) for u in units]
    dec = decompose_period(rows, scale=measure.scale, funnel=measure.funnel)
    shares = dec["decomposition"]
    between = shares["region"]["share"] + (shares["icb"]["share"] if across == "icb" else 0.0)
    return {**out, "england": england, "values": values,
            "areas": {code: {"value": values.get(code), "trusts": int(t), "numerator": n, "denominator": d}
                      for code, (n, d, t) in sorted(sums.items())},
            "spread": _spread(values, measure.direction), "between_share": between,
            "within_share": 1.0 - between, "outside_limits": dec["outside_limits"]}
