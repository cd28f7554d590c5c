"""Where variation lives in the structure: between regions, between ICBs in a region, between trusts in an ICB.

For one period, trust values ``p_t = n_t / d_t`` weighted by their denominators split exactly as

    Σ_t d_t (p_t − p̄)²  =  Σ_r D_r (p_r − p̄)²  +  Σ_i D_i (p_i − p_r(i))²  +  Σ_t d_t (p_t − p_i(t))²

where ``p̄``, ``p_r`` and ``p_i`` are the pooled England, region and ICB values of the same trusts
(a nested weighted analysis of variance; each term's share of the total is reported). Range and
interquartile range are of the unit values at each level (unweighted: each region, ICB or trust
counts once). Trusts outside the 99.8% funnel limits around England's value (widened for
over-dispersion when it is found) are counted by region.
Over periods, a falling trust-level IQR reads as converging, a rising one as diverging.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from opmodel.variation.funnel import FunnelError, FunnelKind, FunnelUnit, funnel_analysis

__all__ = ["LEVELS", "TrustValue", "consistency_trend", "decompose_period"]

Floats = npt.NDArray[np.float64]
LEVELS = ("region", "icb", "trust")

#: Relative change in trust-level IQR, first to last period, below which the reading is "stable".
STABLE_WITHIN = 0.05


@dataclass(frozen=True)
class TrustValue:
    """One trust's counts in one period, placed in the structure in force then."""

    code: str
    region: str
    icb: str
    numerator: float
    denominator: float
    name: str | None = None


def _group(keys: Sequence[str], num: Floats, den: Floats) -> tuple[list[str], npt.NDArray[np.int64], Floats, Floats]:
    """Group sums of numerators and denominators by key; returns keys, index of each row, sums."""
    uniq, inv = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
    n = np.bincount(inv, weights=num, minlength=len(uniq)).astype(np.float64)
    d = np.bincount(inv, weights=den, minlength=len(uniq)).astype(np.float64)
    return [str(k) for k in uniq], inv.astype(np.int64), n, d


def _spread(values: Floats, scale: float) -> dict[str, float | int]:
    v = values * scale
    q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
    return {"units": int(v.size), "min": float(v.min()), "max": float(v.max()), "range": float(v.max() - v.min()),
            "q1": float(q1), "median": float(med), "q3": float(q3), "iqr": float(q3 - q1)}


def decompose_period(rows: Sequence[TrustValue], *, scale: float = 1.0,
                     region_names: dict[str, str] | None = None, funnel: bool = True) -> dict[str, Any]:
    """Decomposition, spread per level and funnel outliers by region for one period's trusts.

    ``funnel=False`` skips the funnel (for measures where each trust is one unit, e.g. a share of
    trusts rated good, a funnel of counts has no meaning).
    """
    if not rows:
        raise ValueError("no trusts with values in this period")
    num = np.array([r.numerator for r in rows], dtype=np.float64)
    den = np.array([r.denominator for r in rows], dtype=np.float64)
    p = num / den
    p_bar = float(num.sum() / den.sum())
    regions, r_of, r_num, r_den = _group([r.region for r in rows], num, den)
    icbs, i_of, i_num, i_den = _group([f"{r.region}/{r.icb}" for r in rows], num, den)
    p_r = r_num / r_den
    p_i = i_num / i_den
    # Each ICB's region: take it from any of its trusts.
    region_of_icb = np.zeros(len(icbs), dtype=np.int64)
    region_of_icb[i_of] = r_of
    ss = {
        "region": float(np.sum(r_den * (p_r - p_bar) ** 2)),
        "icb": float(np.sum(i_den * (p_i - p_r[region_of_icb]) ** 2)),
        "trust": float(np.sum(den * (p - p_i[i_of]) ** 2)),
    }
    total = float(np.sum(den * (p - p_bar) ** 2))
    decomposition = {lvl: {"sum_of_squares": ss[lvl] * scale**2,
                           "share": ss[lvl] / total if total > 0 else 0.0} for lvl in LEVELS}
    spread = {"region": _spread(p_r, scale), "icb": _spread(p_i, scale), "trust": _spread(p, scale)}
    outliers, limits, outside = (_outliers_by_region(rows, regions, scale, region_names or {}) if funnel
                                 else ([], None, []))
    return {
        "pooled_trusts": p_bar * scale,
        "trusts": len(rows),
        "icbs": len(icbs),
        "regions": len(regions),
        "total_sum_of_squares": total * scale**2,
        "decomposition": decomposition,
        "spread": spread,
        "outliers_by_region": outliers,
        "outside_limits": outside,
        "funnel": limits,
    }


def _outliers_by_region(rows: Sequence[TrustValue], regions: list[str], scale: float, names: dict[str, str]
                        ) -> tuple[list[dict[str, Any]], dict[str, Any] | None, list[dict[str, Any]]]:
    """Trusts outside the 99.8% limits, by region, on a funnel adjusted for over-dispersion when found.

    Trust A&E denominators run to tens of thousands, so exact limits alone flag most trusts;
    the additive random effect (Spiegelhalter 2005) keeps the flags for the unusual ones.
    """
    units = [FunnelUnit(code=r.code, numerator=r.numerator, denominator=r.denominator, name=r.name, group=r.region)
             for r in rows]
    counts: dict[str, dict[str, Any]] = {
        reg: {"region": reg, "region_name": names.get(reg), "trusts": 0, "high": 0, "low": 0,
              "high_trusts": [], "low_trusts": []} for reg in regions}
    try:
        kind: FunnelKind = "proportion" if all(r.numerator <= r.denominator for r in rows) else "rate"
        result = funnel_analysis(units, kind=kind, scale=scale, overdispersion=len(units) >= 2)
    except FunnelError:
        return list(counts.values()), None, []
    outside: list[dict[str, Any]] = []
    for pt in result.points:
        c = counts[str(pt.unit.group)]
        c["trusts"] += 1
        if pt.outlier is not None:
            c[pt.outlier] += 1
            c[f"{pt.outlier}_trusts"].append(pt.unit.code)
            outside.append({"org_code": pt.unit.code, "org_name": pt.unit.name, "region": pt.unit.group,
                            "value": pt.value, "outlier": pt.outlier, "z": pt.z})
    od = result.overdispersion
    info = None if od is None else {"k": od.k, "phi": od.phi, "tau2": od.tau2, "adjusted": result.adjusted,
                                    "target": result.target * scale}
    outside.sort(key=lambda o: -abs(float(o["z"])))
    return list(counts.values()), info, outside


def consistency_trend(periods: Sequence[tuple[dt.date, dict[str, Any]]]) -> dict[str, Any]:
    """How spread and the between-region share moved from the first to the last period."""
    if len(periods) < 2:
        return {"reading": "one period only", "periods": len(periods)}
    first, last = periods[0][1], periods[-1][1]
    iqr = np.array([p["spread"]["trust"]["iqr"] for _, p in periods])
    slope = float(np.polyfit(np.arange(iqr.size, dtype=np.float64), iqr, 1)[0])
    change = float(iqr[-1] - iqr[0])
    rel = abs(change) / iqr[0] if iqr[0] > 0 else abs(change)
    reading = "stable" if rel < STABLE_WITHIN else "converging" if change < 0 else "diverging"
    return {
        "reading": reading,
        "trust_iqr_first": float(iqr[0]), "trust_iqr_last": float(iqr[-1]), "trust_iqr_change": change,
        "trust_iqr_slope_per_period": slope,
        "region_range_change": last["spread"]["region"]["range"] - first["spread"]["region"]["range"],
        "share_change": {lvl: last["decomposition"][lvl]["share"] - first["decomposition"][lvl]["share"]
                         for lvl in LEVELS},
        "periods": len(periods),
    }
