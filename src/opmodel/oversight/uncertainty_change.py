"""Significant change between two quarters, by paired resampling of one trust's metric scores.

NHS England reviews "significant" score changes between quarters but does not state the test
(methodology §1.8). Ours (docs/decisions.md, Oversight uncertainty): in each replicate draw the
metrics (as many as the trust has in either quarter) with replacement from the union of its
metric ids, and take each quarter's weighted mean over the draws it holds, so the same metrics are
drawn in both quarters and their common part cancels. The change is significant when the 2.5th
to 97.5th percentile interval of (mean after - mean before) excludes 0; a segment move is outside
noise when it is in the direction of a significant change, or when only the financial override
moved it (a change of flag, not of scores).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from opmodel.oversight.computed import TrustInputs
from opmodel.oversight.uncertainty import (
    BLOCK,
    DEFAULT_REPLICATES,
    DEFAULT_SEED,
    HIGH_Q,
    LOW_Q,
    FloatArray,
    IntArray,
    segments_for,
)

__all__ = ["ChangeResult", "paired_change"]


@dataclass(slots=True)
class ChangeResult:
    org_code: str
    period_from: str
    period_to: str
    average_from: float | None
    average_to: float | None
    change: float
    change_interval: list[float]
    change_significant: bool
    unadjusted_from: int | None
    unadjusted_to: int | None
    segment_from: int | None
    segment_to: int | None
    deficit_from: bool
    deficit_to: bool
    segment_move: int
    p_same_move: float  # share of paired replicates whose adjusted segment moves the same way (or stays, if none)
    move_outside_noise: bool
    reason: str
    metrics_from: int
    metrics_to: int
    metrics_common: int
    replicates: int
    seed: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _paired_means(before: TrustInputs, after: TrustInputs, replicates: int, seed: int
                  ) -> tuple[FloatArray, FloatArray]:
    ids = sorted(set(before.scores) | set(after.scores))
    k = max(len(before.scores), len(after.scores))

    def row(t: TrustInputs) -> tuple[FloatArray, FloatArray]:
        w = np.asarray([t.weights.get(m, 1.0) if m in t.scores else 0.0 for m in ids])
        return np.asarray([t.scores.get(m, 0.0) for m in ids]) * w, w

    sw_b, w_b = row(before)
    sw_a, w_a = row(after)
    rng = np.random.default_rng(seed)
    out_b, out_a = [], []
    for start in range(0, replicates, BLOCK):
        idx = rng.integers(0, len(ids), size=(min(BLOCK, replicates - start), k))
        with np.errstate(invalid="ignore", divide="ignore"):
            out_b.append(sw_b[idx].sum(axis=1) / w_b[idx].sum(axis=1))
            out_a.append(sw_a[idx].sum(axis=1) / w_a[idx].sum(axis=1))
    return np.concatenate(out_b), np.concatenate(out_a)


def _adjusted(means: FloatArray, cutoffs: list[float], deficit: bool, cap: int) -> IntArray:
    h = np.floor(means * 100.0 + 0.5 + 1e-9).astype(np.int64)
    seg = segments_for(h, cutoffs)
    return np.maximum(seg, cap) if deficit else seg


def paired_change(before: TrustInputs, after: TrustInputs, period_from: str, period_to: str,
                  cutoffs_from: list[float] | None, cutoffs_to: list[float] | None, *, cap: int = 3,
                  replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED) -> ChangeResult:
    """The change in one trust's average between two quarters with its interval, and whether its
    segment move is outside what noise would give."""
    if not before.scores or not after.scores:
        missing = period_from if not before.scores else period_to
        raise ValueError(f"{before.org_code} has no computed metric scores in {missing}: the change cannot be "
                         "resampled")
    mb, ma = _paired_means(before, after, replicates, seed)
    ok = ~(np.isnan(mb) | np.isnan(ma))
    diff = (ma - mb)[ok]
    lo, hi = (float(np.quantile(diff, q, method="inverted_cdf")) for q in (LOW_Q, HIGH_Q))
    observed = (after.average or 0.0) - (before.average or 0.0)
    significant = lo > 0 or hi < 0
    seg_b, seg_a = before.adjusted_segment, after.adjusted_segment
    move = 0 if seg_b is None or seg_a is None else int(np.sign(seg_a - seg_b))
    p_same = 0.0
    if cutoffs_from and cutoffs_to and len(cutoffs_from) == len(cutoffs_to) == 3:
        rep_move = np.sign(_adjusted(ma[ok], cutoffs_to, after.deficit, cap)
                           - _adjusted(mb[ok], cutoffs_from, before.deficit, cap))
        p_same = float((rep_move == move).mean())
    unadj_same = before.unadjusted_segment == after.unadjusted_segment
    if move == 0:
        outside, reason = False, "no segment move"
    elif unadj_same and before.deficit != after.deficit:
        outside, reason = True, ("the financial override " + ("applied" if after.deficit else "lifted")
                                 + ": a change of deficit status, not of scores")
    elif significant and np.sign(observed) == move:
        outside, reason = True, "the average changed beyond its likely range of change, in the direction of the move"
    else:
        outside, reason = False, ("the change in average is within what resampling the metric mix gives: "
                                  "the move may be noise")
    if move != 0 and cutoffs_from != cutoffs_to and not outside:
        reason += "; the cut-offs also moved between the quarters"
    return ChangeResult(
        org_code=before.org_code, period_from=period_from, period_to=period_to,
        average_from=before.average_score, average_to=after.average_score, change=round(observed, 3),
        change_interval=[round(lo, 3), round(hi, 3)], change_significant=significant,
        unadjusted_from=before.unadjusted_segment, unadjusted_to=after.unadjusted_segment,
        segment_from=seg_b, segment_to=seg_a, deficit_from=before.deficit, deficit_to=after.deficit,
        segment_move=move, p_same_move=round(p_same, 3), move_outside_noise=outside, reason=reason,
        metrics_from=len(before.scores), metrics_to=len(after.scores),
        metrics_common=len(set(before.scores) & set(after.scores)), replicates=replicates, seed=seed)
