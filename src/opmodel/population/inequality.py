"""Inequality across deprivation deciles: slope and relative index of inequality (SII/RII).

Fingertips publishes England's values by deprivation decile of county/district (IMD 2019);
where all ten deciles have a value and a denominator (the decile's population at risk), the
SII and RII follow Public Health England's definition (PHEindicatormethods ``phe_sii``; ecosystem
notes §3): deciles ordered from the most deprived, each at the midpoint of its cumulative
population share, so x = 0 is the most deprived end and x = 1 the least; SII = fitted(1) -
fitted(0) and RII = fitted(1) / fitted(0). A positive SII means higher values in less deprived
areas; the ``reading`` says which in words, against the indicator's polarity where it has one.
"""

from __future__ import annotations

import math
from typing import Any

from opmodel.population.stats import SiiResult, slope_index_of_inequality
from opmodel.store import Store

__all__ = ["DECILE_ORDER", "deprivation_gradient", "sii_json", "sii_reading"]

#: Fingertips' decile labels, most to least deprived.
DECILE_ORDER = ("Most deprived decile", "Second most deprived decile", "Third more deprived decile",
                "Fourth more deprived decile", "Fifth more deprived decile", "Fifth less deprived decile",
                "Fourth less deprived decile", "Third less deprived decile", "Second least deprived decile",
                "Least deprived decile")


def _rank(label: str) -> int | None:
    base = label.split(" (")[0].strip()
    return DECILE_ORDER.index(base) + 1 if base in DECILE_ORDER else None


def sii_reading(res: SiiResult, polarity: str = "no_judgement") -> str:
    """The SII in words: which end is higher, and whether that favours the less deprived (PHE's sign)."""
    if res.sii == 0:
        return "no gradient with deprivation"
    side = "higher in less deprived areas" if res.sii > 0 else "higher in more deprived areas"
    if res.lower is not None and res.upper is not None and res.lower <= 0 <= res.upper:
        side += " (the interval includes no gradient)"
    if polarity == "high_is_good":
        return side + ("; better for the less deprived" if res.sii > 0 else "; better for the more deprived")
    if polarity == "low_is_good":
        return side + ("; worse for the less deprived" if res.sii > 0 else "; worse for the more deprived")
    return side


def sii_json(res: SiiResult, polarity: str = "no_judgement") -> dict[str, Any]:
    """The JSON fields every SII answer carries (value, interval and how it was made, the ends, reading)."""
    return {"sii": res.sii, "sii_lower": res.lower, "sii_upper": res.upper,
            "rii": None if math.isnan(res.rii) else res.rii,
            "rii_lower": res.rii_lower, "rii_upper": res.rii_upper, "confidence": res.confidence,
            "interval_method": res.interval_method, "groups": res.groups, "fitted_most_deprived": res.fitted_most,
            "fitted_least_deprived": res.fitted_least,
            "convention": "PHE: x = 0 most deprived, x = 1 least deprived; SII = fitted(1) - fitted(0), "
                          "RII = fitted(1) / fitted(0)",
            "reading": sii_reading(res, polarity)}


def deprivation_gradient(store: Store, indicator_id: str, year: int,
                         org_code: str = "england") -> dict[str, Any] | None:
    """SII and RII across the ten national deprivation deciles held for the year, or None.

    The interval is PHE's simulation when every decile has its published confidence limits, else the
    regression's standard error (``interval_method`` says which).
    """
    rows = store.execute(
        "SELECT category, value, denominator, lower_ci, upper_ci FROM population_values WHERE indicator_id = ? "
        "AND org_code = ? AND year = ? AND category LIKE '%deprivation deciles in England%' "
        "AND category NOT LIKE '%;%'",
        [indicator_id, org_code, year]).fetchall()
    by_kind: dict[str, dict[int, tuple[float, float, float | None, float | None]]] = {}
    for category, value, den, lo, hi in rows:
        kind, _, label = str(category).partition(": ")
        rank = _rank(label)
        if rank is not None and den:
            by_kind.setdefault(kind, {})[rank] = (float(value), float(den), lo, hi)
    complete = sorted((k for k, v in by_kind.items() if len(v) == 10), reverse=True)
    if not complete:
        return None
    kind = complete[0]
    deciles = [by_kind[kind][i] for i in range(1, 11)]
    limits = all(d[2] is not None and d[3] is not None for d in deciles)
    res = slope_index_of_inequality(
        [d[0] for d in deciles], [d[1] for d in deciles],
        lower=[float(d[2]) for d in deciles if d[2] is not None] if limits else None,
        upper=[float(d[3]) for d in deciles if d[3] is not None] if limits else None)
    polarity = store.scalar("SELECT polarity FROM population_indicators WHERE indicator_id = ?", [indicator_id])
    return {"breakdown": kind, "year": year, **sii_json(res, str(polarity or "no_judgement")),
            "most_deprived": deciles[0][0], "least_deprived": deciles[-1][0]}
