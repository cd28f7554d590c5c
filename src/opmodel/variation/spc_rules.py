"""Special-cause rules on one segment of an XmR chart, as signed flags per point.

Each rule returns an integer array the length of the segment: +1 where the point is part of a
pattern above the mean (or rising), −1 below (or falling), 0 otherwise. Patterns never cross a
rebase break because rules run per segment. Definitions follow ecosystem notes §1.2:

- astronomical: strictly beyond a process limit;
- shift: ``n`` or more consecutive points on one side of the mean; a point on the mean breaks it;
- trend: ``n`` or more points each strictly above (below) the one before; a tie breaks it, and
  the side of the mean does not matter;
- two in three: three consecutive points on the same side of the mean of which at least two
  are beyond the 2-sigma line (``beyond_2sigma``) or between it and the limit (``band_2to3sigma``);
  only the counted points are flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from opmodel.variation.presets import RuleSet
from opmodel.variation.spc import XmrLimits

__all__ = ["RuleOutcome", "astronomical", "evaluate_rules", "shift", "trend", "two_in_three"]

Floats = npt.NDArray[np.float64]
Signs = npt.NDArray[np.int64]


def _side(x: Floats, mean: float) -> Signs:
    """Side of the mean; points equal to it (to rounding) are on neither side."""
    s = np.sign(x - mean).astype(np.int64)
    s[np.isclose(x, mean, rtol=1e-12, atol=1e-12)] = 0
    return s


def _runs(signs: Signs) -> list[tuple[int, int, int]]:
    """Maximal runs of equal non-zero signs as (start, end exclusive, sign)."""
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < signs.size:
        j = i
        while j + 1 < signs.size and signs[j + 1] == signs[i]:
            j += 1
        if signs[i] != 0:
            out.append((i, j + 1, int(signs[i])))
        i = j + 1
    return out


def astronomical(x: Floats, limits: XmrLimits) -> Signs:
    """Points strictly above the upper or below the lower process limit."""
    return np.where(x > limits.upper, 1, np.where(x < limits.lower, -1, 0)).astype(np.int64)


def shift(x: Floats, mean: float, n: int) -> Signs:
    """Every point of a run of ``n`` or more on the same side of the mean."""
    out = np.zeros(x.size, dtype=np.int64)
    for a, b, s in _runs(_side(x, mean)):
        if b - a >= n:
            out[a:b] = s
    return out


def trend(x: Floats, n: int) -> Signs:
    """Every point of ``n`` or more consecutive strictly rising (or falling) points."""
    out = np.zeros(x.size, dtype=np.int64)
    if x.size < 2:
        return out
    steps = np.sign(np.diff(x)).astype(np.int64)
    for a, b, s in _runs(steps):
        if b - a >= n - 1:  # k differences span k + 1 points
            out[a:b + 1] = s
    return out


def two_in_three(x: Floats, limits: XmrLimits, mode: str) -> Signs:
    """Points beyond 2 sigma in any window of three on one side with at least two such points."""
    side = _side(x, limits.mean)
    beyond = ((x > limits.upper_2sigma) & (side > 0)) | ((x < limits.lower_2sigma) & (side < 0))
    if mode == "band_2to3sigma":
        beyond &= (x <= limits.upper) & (x >= limits.lower)
    elif mode != "beyond_2sigma":
        raise ValueError(f"unknown two-in-three mode {mode!r}")
    out = np.zeros(x.size, dtype=np.int64)
    for i in range(x.size - 2):
        w = slice(i, i + 3)
        s = int(side[i])
        if s != 0 and np.all(side[w] == s) and int(beyond[w].sum()) >= 2:
            out[w] = np.where(beyond[w], s, out[w])
    return out


@dataclass(frozen=True)
class RuleOutcome:
    """What the rules found on one segment: per point, the winning rule, its sign and every rule that fired."""

    rule: list[str | None]
    sign: list[int]
    fired: list[list[str]]
    not_evaluated: list[str]


def _choose(candidates: Sequence[tuple[str, int]], improvement: int, conflict: str) -> tuple[str | None, int]:
    if not candidates:
        return None, 0
    if conflict == "improvement_wins" and improvement != 0:
        for name, s in candidates:
            if s * improvement > 0:
                return name, s
    return candidates[0]


def evaluate_rules(x: Floats, limits: XmrLimits, rules: RuleSet, improvement: int) -> RuleOutcome:
    """Run every rule on one segment and resolve each point by the rule set's precedence.

    ``improvement`` is +1 when higher is better, −1 when lower is better and 0 when neutral;
    it matters only for ``conflict = improvement_wins``.
    """
    flags: Mapping[str, Signs] = {
        "astronomical": astronomical(x, limits),
        "shift": shift(x, limits.mean, rules.shift),
        "trend": trend(x, rules.trend),
        "two_in_three": two_in_three(x, limits, rules.two_in_three),
    }
    need = {"shift": rules.shift, "trend": rules.trend, "two_in_three": 3}
    not_evaluated = [name for name, n in need.items() if x.size < n]
    chosen: list[str | None] = []
    signs: list[int] = []
    fired: list[list[str]] = []
    for i in range(x.size):
        cands = [(name, int(flags[name][i])) for name in rules.precedence if flags[name][i] != 0]
        name, s = _choose(cands, improvement, rules.conflict)
        chosen.append(name)
        signs.append(s)
        fired.append([c for c, _ in cands])
    return RuleOutcome(rule=chosen, sign=signs, fired=fired, not_evaluated=not_evaluated)
