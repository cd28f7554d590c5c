"""XmR (individuals) chart limits: centre line, moving ranges, process limits, baseline and rebasing.

Follows ecosystem notes §1.1: limits at mean ± 2.66 × mean moving range (2.66 = 3/d2, d2 = 1.128),
2-sigma lines at ± 1.7733 × MRbar, optional screening of moving ranges at or above 3.267 × MRbar
(recomputed once, as NHSRplotthedots does), a baseline of the first *n* points of each segment and
limits that restart at user-given breaks. Fewer than 12 points in a baseline gives *trial* limits.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from opmodel.errors import OpmodelError

__all__ = [
    "LIMIT_FACTOR",
    "MR_UPPER_FACTOR",
    "TWO_SIGMA_FACTOR",
    "SpcError",
    "XmrLimits",
    "segment_bounds",
    "xmr_limits",
]

LIMIT_FACTOR = 2.66
TWO_SIGMA_FACTOR = LIMIT_FACTOR * 2 / 3
ONE_SIGMA_FACTOR = LIMIT_FACTOR / 3
MR_UPPER_FACTOR = 3.267

Floats = npt.NDArray[np.float64]


class SpcError(OpmodelError):
    """A series that cannot be charted as asked (gaps, missing values, too few points, ...)."""


@dataclass(frozen=True)
class XmrLimits:
    """Limits of one segment: points ``start`` to ``end - 1`` of the series."""

    start: int
    end: int
    mean: float
    mr_bar: float
    baseline_points: int
    screened_ranges: int
    trial: bool

    @property
    def upper(self) -> float:
        return self.mean + LIMIT_FACTOR * self.mr_bar

    @property
    def lower(self) -> float:
        return self.mean - LIMIT_FACTOR * self.mr_bar

    @property
    def upper_2sigma(self) -> float:
        return self.mean + TWO_SIGMA_FACTOR * self.mr_bar

    @property
    def lower_2sigma(self) -> float:
        return self.mean - TWO_SIGMA_FACTOR * self.mr_bar

    @property
    def upper_1sigma(self) -> float:
        return self.mean + ONE_SIGMA_FACTOR * self.mr_bar

    @property
    def lower_1sigma(self) -> float:
        return self.mean - ONE_SIGMA_FACTOR * self.mr_bar

    @property
    def mr_upper(self) -> float:
        """Upper limit of the moving-range chart (D4 = 3.267 for ranges of two)."""
        return MR_UPPER_FACTOR * self.mr_bar


def _limits(x: Floats, start: int, *, screen: bool, baseline: int | None, trial_below: int) -> XmrLimits:
    base = x if baseline is None else x[:baseline]
    if base.size < 2:
        raise SpcError(f"a segment needs at least 2 points for a moving range; it has {base.size}")
    mean = float(base.mean())
    mr = np.abs(np.diff(base))
    mr_bar = float(mr.mean())
    screened = 0
    if screen and mr_bar > 0:
        keep = mr < MR_UPPER_FACTOR * mr_bar
        screened = int((~keep).sum())
        mr_bar = float(mr[keep].mean())
    return XmrLimits(start=start, end=start + x.size, mean=mean, mr_bar=mr_bar, baseline_points=int(base.size),
                     screened_ranges=screened, trial=base.size < trial_below)


def segment_bounds(n: int, breaks: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Half-open index ranges of the segments a series of ``n`` points splits into at ``breaks``.

    A break at index ``i`` starts new limits at point ``i``; breaks must be inside the series.
    """
    cuts = sorted(set(breaks))
    for b in cuts:
        if b <= 0 or b >= n:
            raise SpcError(f"a rebase must fall after the first point and on or before the last; index {b} of {n}")
    edges = [0, *cuts, n]
    return list(itertools.pairwise(edges))


def xmr_limits(values: Sequence[float] | Floats, *, screen: bool = False, baseline: int | None = None,
               breaks: Sequence[int] = (), trial_below: int = 12) -> list[XmrLimits]:
    """Limits for each segment of ``values`` (one segment unless ``breaks`` are given).

    ``baseline``: fix each segment's limits on its first ``baseline`` points (MDC "fix after n
    points"); the later points are judged against them. ``screen``: drop moving ranges at or above
    3.267 × MRbar and recompute MRbar once (NHSRplotthedots default; MDC tools do not screen).
    """
    x = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise SpcError("values must all be finite numbers (no missing values)")
    if baseline is not None and baseline < 2:
        raise SpcError(f"a baseline needs at least 2 points; got {baseline}")
    return [_limits(x[a:b], a, screen=screen, baseline=baseline, trial_below=trial_below)
            for a, b in segment_bounds(x.size, breaks)]
