"""Inequality across deprivation deciles: slope and relative index of inequality (SII/RII).

Fingertips publishes England's values by deprivation decile of county/district (IMD 2019);
where all ten deciles have a value and a denominator (the decile's population at risk), the
SII and RII follow PHE's approach: each decile at the midpoint of its cumulative population
share, a population-weighted line, fitted most-deprived minus least-deprived (ecosystem notes §3).
"""

from __future__ import annotations

from typing import Any

from opmodel.population.stats import slope_index_of_inequality
from opmodel.store import Store

__all__ = ["DECILE_ORDER", "deprivation_gradient"]

#: Fingertips' decile labels, most to least deprived.
DECILE_ORDER = ("Most deprived decile", "Second most deprived decile", "Third more deprived decile",
                "Fourth more deprived decile", "Fifth more deprived decile", "Fifth less deprived decile",
                "Fourth less deprived decile", "Third less deprived decile", "Second least deprived decile",
                "Least deprived decile")


def _rank(label: str) -> int | None:
    base = label.split(" (")[0].strip()
    return DECILE_ORDER.index(base) + 1 if base in DECILE_ORDER else None


def deprivation_gradient(store: Store, indicator_id: str, year: int,
                         org_code: str = "england") -> dict[str, Any] | None:
    """SII and RII across the ten national deprivation deciles held for the year, or None."""
    rows = store.execute(
        "SELECT category, value, denominator FROM population_values WHERE indicator_id = ? AND org_code = ? "
        "AND year = ? AND category LIKE '%deprivation deciles in England%' AND category NOT LIKE '%;%'",
        [indicator_id, org_code, year]).fetchall()
    by_kind: dict[str, dict[int, tuple[float, float]]] = {}
    for category, value, den in rows:
        kind, _, label = str(category).partition(": ")
        rank = _rank(label)
        if rank is not None and den:
            by_kind.setdefault(kind, {})[rank] = (float(value), float(den))
    complete = sorted((k for k, v in by_kind.items() if len(v) == 10), reverse=True)
    if not complete:
        return None
    kind = complete[0]
    deciles = [by_kind[kind][i] for i in range(1, 11)]
    res = slope_index_of_inequality([v for v, _ in deciles], [d for _, d in deciles])
    return {"breakdown": kind, "year": year, "sii": res.sii, "rii": res.rii, "groups": res.groups,
            "most_deprived": deciles[0][0], "least_deprived": deciles[-1][0],
            "reading": "higher where deprivation is greater" if res.sii > 0 else "lower where deprivation is greater"}
