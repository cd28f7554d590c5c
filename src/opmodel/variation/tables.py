"""Data-table alternatives to the charts: the same numbers as rows, for screen readers and the web layer.

Each chart in :mod:`opmodel.variation.charts` has a table here built from the same result, so an
accessible page can show the table beside (or instead of) the picture.
"""

from __future__ import annotations

from typing import Any

from opmodel.variation.consistency import LEVELS
from opmodel.variation.funnel import FunnelResult
from opmodel.variation.spc_analysis import SpcResult

__all__ = ["consistency_table", "funnel_table", "spc_table"]


def spc_table(result: SpcResult) -> list[dict[str, Any]]:
    """One row per point: value, the limits it was judged against and what it shows."""
    out = []
    for p in result.points:
        lim = result.limits[p.segment]
        out.append({"period": p.period_start.isoformat(), "value": p.value, "mean": lim.mean,
                    "lower_limit": lim.lower, "upper_limit": lim.upper, "lower_2sigma": lim.lower_2sigma,
                    "upper_2sigma": lim.upper_2sigma, "target": result.target, "special_cause": p.special_cause,
                    "rule": p.rule, "point_type": p.point_type, "trial_limits": lim.trial})
    return out


def funnel_table(result: FunnelResult) -> list[dict[str, Any]]:
    """One row per organisation, largest denominator first, with its limits and flags."""
    rows = [{"org_code": p.unit.code, "org_name": p.unit.name, "region": p.unit.group,
             "numerator": p.unit.numerator, "denominator": p.unit.denominator, "value": p.value, "z": p.z,
             **p.limits, "flag_95": p.flag_95, "outlier": p.outlier} for p in result.points]
    return sorted(rows, key=lambda r: -float(r["denominator"]))


def consistency_table(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per period and level: share of variation, range and IQR."""
    out = []
    for p in report["periods"]:
        for lvl in LEVELS:
            spread = p["spread"][lvl]
            out.append({"period": p["period"], "level": lvl, "share": p["decomposition"][lvl]["share"],
                        "units": spread["units"], "min": spread["min"], "max": spread["max"],
                        "range": spread["range"], "iqr": spread["iqr"], "pooled_trusts": p["pooled_trusts"],
                        "outliers_high": sum(r["high"] for r in p["outliers_by_region"]) if lvl == "trust" else None,
                        "outliers_low": sum(r["low"] for r in p["outliers_by_region"]) if lvl == "trust" else None})
    return out
