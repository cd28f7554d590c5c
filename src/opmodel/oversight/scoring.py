"""The arithmetic of the NOF: metric scores, averages, quartile cut-offs, segments and ranks.

Pure functions over plain numbers, so that the engine, the golden tests and any other caller
run exactly the same code (methodology §1.3–§1.5, §2, checklist §7).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "competition_ranks",
    "quartile_cutoffs",
    "round_half_up",
    "segment_for",
    "spread_score",
    "weighted_average",
]


def round_half_up(x: float, decimals: int = 2) -> float:
    """Round as the published figures are (2.125 -> 2.13), guarding against binary noise."""
    scale = 10.0**decimals
    return math.floor(x * scale + 0.5 + 1e-9) / scale


def competition_ranks(keys: Mapping[str, tuple[float, ...] | float]) -> dict[str, int]:
    """``1 + #{others strictly better}`` (lower key is better): ties share a rank, then ranks skip (1, 2, 2, 4).

    This is the league-table rule (§2) and the tie rule of metric ranking (§1.3: tied
    organisations take the best position in the tie).
    """
    ordered = sorted(keys.items(), key=lambda kv: kv[1])
    ranks: dict[str, int] = {}
    prev: object = object()
    rank = 0
    for i, (code, key) in enumerate(ordered, start=1):
        if key != prev:
            rank, prev = i, key
        ranks[code] = rank
    return ranks


def spread_score(position: int, m: int, lo: float, hi: float) -> float:
    """The unrounded score of the ``position``-th best of ``m`` ranked organisations (§1.3 formula).

    ``(lo, hi)`` is (1, 4) with no standard or floor, (2, 4) below a standard and (1, 3) above a
    floor. A set of one scores ``lo`` (our choice, recorded in docs/decisions.md).
    """
    if m <= 1:
        return lo
    return lo + (hi - lo) * (position - 1) / (m - 1)


def weighted_average(scores: Sequence[tuple[float, float]]) -> float | None:
    """Mean of (score, weight) pairs, unrounded; None when nothing is scored (§1.4)."""
    total = sum(w for _, w in scores)
    if total <= 0:
        return None
    return sum(s * w for s, w in scores) / total


def quartile_cutoffs(averages: Sequence[float], method: str = "linear") -> list[float]:
    """The 25th, 50th and 75th percentiles of the (rounded) averages: the segment boundaries (§1.4)."""
    if not averages:
        raise ValueError("no averages to take quartiles of")
    q = np.quantile(np.asarray(averages, dtype=float), [0.25, 0.5, 0.75], method=method)  # type: ignore[call-overload]
    return [float(v) for v in q]


def segment_for(average: float, cutoffs: Sequence[float]) -> int:
    """Segment 1–4 for a rounded average: an average at or above a cut-off takes the worse side.

    Matches the Q3 2025/26 pooled data, where 2.36 and 2.71 open segments 3 and 4 (§1.4).
    """
    return 1 + sum(1 for c in cutoffs if average >= c - 1e-9)
