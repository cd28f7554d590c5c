"""League tables with their uncertainty: likely ranges of average and rank, segment probabilities, rankability.

NHS England publishes a "likely range" beside every league-table average and rank but not how it
is computed (methodology §2). This module is **our reconstruction** (docs/decisions.md, Oversight
uncertainty), the procedure that matched one published quarter to about 0.05 on the average and
2 places on the rank: for each trust, resample its own metric scores (combined finance as one
score) with replacement, as many as it has, and take the weighted mean; in every replicate
re-segment that mean with the quarter's cut-offs, apply the financial override and segment 5,
and rank by (adjusted segment, mean rounded to 2 dp) with competition ranking (§1.4–§1.6, §2).
The likely range is the 2.5th to 97.5th percentile of the replicate means and ranks.

Everything runs on arrays: replicates are drawn in blocks of :data:`BLOCK`, never one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_REPLICATES",
    "DEFAULT_SEED",
    "LeagueUncertainty",
    "TrustPool",
    "TrustUncertainty",
    "draw_indices",
    "league_uncertainty",
    "rankability",
    "replicate_means",
    "row_competition_ranks",
    "segments_for",
]

DEFAULT_REPLICATES = 4000
DEFAULT_SEED = 20251130
#: Replicates drawn per block: bounds memory (block x trusts x metrics) and fixes the random stream,
#: so a seed gives the same answer whatever the machine.
BLOCK = 500
LOW_Q, HIGH_Q = 0.025, 0.975
Method = Literal["metric-mix", "metric-noise"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class TrustPool:
    """What one trust's average is made of: its metric scores and weights, and its dated flags.

    ``scores`` are the scores that enter the average (combined finance as its one score, OF1079 and
    OF1081 not separately); ``deficit`` caps segments 1–2 at ``cap`` (§1.5); ``in_pip`` puts the
    final segment at 5 (§1.6) without changing the league ordering, which uses the adjusted segment.
    """

    org_code: str
    scores: tuple[float, ...]
    weights: tuple[float, ...] = ()
    deficit: bool = False
    in_pip: bool = False
    metrics: tuple[str, ...] = ()

    def weight_array(self) -> FloatArray:
        w = self.weights or (1.0,) * len(self.scores)
        if len(w) != len(self.scores):
            raise ValueError(f"{self.org_code}: {len(self.scores)} scores but {len(w)} weights")
        return np.asarray(w, dtype=float)


@dataclass(slots=True)
class TrustUncertainty:
    """One trust's result with its uncertainty (the JSON contract fields of issue 12)."""

    org_code: str
    average_score: float
    unadjusted_segment: int
    adjusted_segment: int
    final_segment: int
    rank: int
    rank_of: int
    likely_range_average: tuple[float, float]
    likely_range_rank: tuple[int, int]
    p_segment: dict[str, float]
    p_adjusted_segment: dict[str, float]
    p_final_segment: dict[str, float]
    metric_count: int

    def fields(self) -> dict[str, Any]:
        """The fields a league row gains (JSON contract): ranges as lists, probabilities to 3 dp."""
        return {"likely_range_average": list(self.likely_range_average),
                "likely_range_rank": list(self.likely_range_rank),
                "p_segment": self.p_segment, "p_adjusted_segment": self.p_adjusted_segment,
                "p_final_segment": self.p_final_segment}

    def sentence(self) -> str:
        """Plain words for a profile page: "likely rank 3 to 25 of 134; 62% chance of segment 2"."""
        seg = str(self.adjusted_segment)
        p = self.p_adjusted_segment.get(seg, 0.0)
        lo, hi = self.likely_range_rank
        return (f"likely rank {lo} to {hi} of {self.rank_of}; {round(100 * p)}% chance of segment {seg}"
                f" (likely average {self.likely_range_average[0]:.2f} to {self.likely_range_average[1]:.2f})")


@dataclass(slots=True)
class LeagueUncertainty:
    """The whole table's uncertainty: per-trust results, rankability and how it was computed."""

    method: Method
    replicates: int
    seed: int
    cutoffs: list[float]
    trusts: list[TrustUncertainty]
    rankability: float
    signal_variance: float
    noise_variance: float
    notes: list[str] = field(default_factory=list)

    def by_org(self) -> dict[str, TrustUncertainty]:
        return {t.org_code: t for t in self.trusts}

    def summary(self) -> dict[str, Any]:
        return {"method": self.method, "replicates": self.replicates, "seed": self.seed,
                "cutoffs": self.cutoffs, "rankability": round(self.rankability, 3),
                "signal_variance": self.signal_variance, "noise_variance": self.noise_variance,
                "trusts": len(self.trusts), "notes": self.notes,
                "reconstruction": "our reconstruction of the likely ranges, not NHS England's stated method"}


# -- the array steps ------------------------------------------------------------------------------------
def _padded(pools: Sequence[TrustPool]) -> tuple[FloatArray, FloatArray, IntArray]:
    """Scores and weights as (trusts x (most metrics + 1)) matrices, and the counts.

    Rows are padded with zeros; the last column is always a zero pad that draws beyond a trust's
    count point at, so gathering needs no mask.
    """
    n = np.asarray([len(p.scores) for p in pools], dtype=np.int64)
    if (n == 0).any():
        empty = [p.org_code for p, k in zip(pools, n, strict=True) if k == 0]
        raise ValueError(f"no metric scores to resample for: {', '.join(empty)}")
    k = int(n.max()) if len(n) else 1
    s = np.zeros((len(pools), k + 1))
    w = np.zeros((len(pools), k + 1))
    for i, p in enumerate(pools):
        s[i, : n[i]] = p.scores
        w[i, : n[i]] = p.weight_array()
    return s, w, n


def draw_indices(counts: IntArray, replicates: int, width: int, rng: np.random.Generator) -> IntArray:
    """(replicates x trusts x width) draws with replacement: trust i draws ``counts[i]`` indices from
    0..counts[i]-1; the remaining positions hold ``width`` (the zero pad column of :func:`_padded`).

    One uniform per position, scaled in a single fused step, so every trust takes exactly as many
    scores as it has.
    """
    cols = np.arange(width)[None, :]
    live = cols < counts[:, None]
    scale = np.where(live, counts[:, None], 0).astype(np.float32)
    offset = np.where(live, 0.0, float(width)).astype(np.float32)
    u = rng.random((replicates, len(counts), width), dtype=np.float32)
    u *= scale
    u += offset
    idx = u.astype(np.int64)
    np.minimum(idx, np.where(live, counts[:, None] - 1, width)[None, :, :], out=idx)
    return idx


def replicate_means(scores: FloatArray, weights: FloatArray, idx: IntArray) -> FloatArray:
    """Weighted mean of each trust's drawn scores in each replicate: (replicates x trusts).

    ``scores`` and ``weights`` are the padded matrices of :func:`_padded`; ``idx`` indexes their
    columns (the pad column adds nothing). Gathered from the flattened matrices in one ``take``.
    """
    n, k = scores.shape
    flat = idx + (np.arange(n, dtype=np.int64) * k)[None, :, None]
    w = weights.ravel().take(flat)
    sw = (scores * weights).ravel().take(flat)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = sw.sum(axis=2) / w.sum(axis=2)
    return out


def _hundredths(x: FloatArray) -> IntArray:
    """Round half up to 2 dp as integers (hundredths), as the published averages are (§1.4)."""
    return np.floor(x * 100.0 + 0.5 + 1e-9).astype(np.int64)


def segments_for(hundredths: IntArray, cutoffs: Sequence[float]) -> IntArray:
    """Segment 1–4 for rounded averages: at or above a cut-off takes the worse side (as ``segment_for``)."""
    cuts = np.asarray(cutoffs, dtype=float)
    out: IntArray = 1 + (hundredths[..., None] / 100.0 >= cuts - 1e-9).sum(axis=-1)
    return out


def row_competition_ranks(keys: IntArray) -> IntArray:
    """Competition ranks within each row of integer keys (lower is better): ``1 + #{strictly lower}``.

    One sort for all rows: each row's keys are offset by the row number times a span larger than any
    key, then ``searchsorted`` counts the keys strictly below each one within its own row.
    """
    rows, cols = keys.shape
    lo = int(keys.min()) if keys.size else 0
    span = int(keys.max()) - lo + 1 if keys.size else 1
    flat = (keys - lo) + (np.arange(rows, dtype=np.int64) * span)[:, None]
    ordered = np.sort(flat, axis=None)
    below = np.searchsorted(ordered, flat.ravel(), side="left").reshape(rows, cols)
    out: IntArray = below - (np.arange(rows, dtype=np.int64) * cols)[:, None] + 1
    return out


def _league_keys(hundredths: IntArray, adjusted: IntArray) -> IntArray:
    """(adjusted segment, average to 2 dp) as one integer: segment first, then the average (§2)."""
    return adjusted * 100_000 + hundredths


def _classify(hundredths: IntArray, cutoffs: Sequence[float], deficit: npt.NDArray[np.bool_],
              pip: npt.NDArray[np.bool_], cap: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Unadjusted, adjusted and final segments and league ranks for each row of rounded averages."""
    seg = segments_for(hundredths, cutoffs)
    adjusted = np.where(deficit[None, :], np.maximum(seg, cap), seg)
    final = np.where(pip[None, :], 5, adjusted)
    ranks = row_competition_ranks(_league_keys(hundredths, adjusted))
    return seg, adjusted, final, ranks


def _quantile(x: npt.NDArray[Any], q: float) -> npt.NDArray[Any]:
    """The replicate value at quantile ``q`` (inverted CDF: an actual replicate, sorted[ceil(qB) - 1])."""
    out: npt.NDArray[Any] = np.quantile(x, q, axis=0, method="inverted_cdf")
    return out


def _probabilities(seg: IntArray, values: Sequence[int]) -> list[dict[str, float]]:
    b = seg.shape[0]
    counts = {v: (seg == v).sum(axis=0) for v in values}
    return [{str(v): round(float(counts[v][i]) / b, 4) for v in values} for i in range(seg.shape[1])]


def rankability(observed: FloatArray, replicate_var: FloatArray) -> tuple[float, float, float]:
    """Share of the spread between trusts that is signal, after Marshall and Spiegelhalter (1998).

    ``signal = max(0, var(observed averages) - mean(noise variances))`` and rankability is
    ``signal / (signal + median noise variance)``, in [0, 1]: 0 when the trusts cannot be told
    apart (identical trusts), near 1 when ranks reflect real differences. Returns
    (rankability, signal variance, median noise variance).
    """
    if len(observed) < 2:
        return 0.0, 0.0, float(np.median(replicate_var)) if len(replicate_var) else 0.0
    noise = float(np.median(replicate_var))
    signal = max(0.0, float(np.var(observed, ddof=1)) - float(np.mean(replicate_var)))
    total = signal + noise
    return (signal / total if total > 0 else 0.0), signal, noise


# -- the method -----------------------------------------------------------------------------------------
def league_uncertainty(pools: Sequence[TrustPool], cutoffs: Sequence[float], *,
                       replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED, cap: int = 3,
                       means: FloatArray | None = None, observed: FloatArray | None = None,
                       method: Method = "metric-mix") -> LeagueUncertainty:
    """Likely ranges, segment probabilities and rankability for one league table (one peer group).

    ``cutoffs`` are the quarter's three segment boundaries (from the pooled quartiles, §1.4).
    ``means`` (replicates x trusts) may be supplied by another resampling scheme (the metric-noise
    method); by default each trust's own scores are resampled (the metric-mix method above).
    """
    if len(cutoffs) != 3:
        raise ValueError(f"expected 3 segment cut-offs, got {list(cutoffs)}")
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    if not pools:
        return LeagueUncertainty(method, replicates, seed, list(cutoffs), [], 0.0, 0.0, 0.0)
    deficit = np.asarray([p.deficit for p in pools], dtype=bool)
    pip = np.asarray([p.in_pip for p in pools], dtype=bool)
    scores, weights, counts = _padded(pools)
    if observed is None:
        observed = (scores * weights).sum(axis=1) / weights.sum(axis=1)
    if means is None:
        rng = np.random.default_rng(seed)
        blocks = []
        for start in range(0, replicates, BLOCK):
            idx = draw_indices(counts, min(BLOCK, replicates - start), scores.shape[1] - 1, rng)
            blocks.append(replicate_means(scores, weights, idx))
        means = np.concatenate(blocks, axis=0)
    h = _hundredths(means)
    seg, adjusted, final, ranks = _classify(h, cutoffs, deficit, pip, cap)
    o_h = _hundredths(observed[None, :])
    o_seg, o_adj, o_final, o_rank = (a[0] for a in _classify(o_h, cutoffs, deficit, pip, cap))
    lo_avg, hi_avg = _quantile(means, LOW_Q), _quantile(means, HIGH_Q)
    lo_rank, hi_rank = _quantile(ranks, LOW_Q), _quantile(ranks, HIGH_Q)
    p_seg = _probabilities(seg, (1, 2, 3, 4))
    p_adj = _probabilities(adjusted, (1, 2, 3, 4))
    p_fin = _probabilities(final, (1, 2, 3, 4, 5))
    r, signal, noise = rankability(observed, means.var(axis=0, ddof=1) if replicates > 1 else means[0] * 0)
    trusts = [TrustUncertainty(
        org_code=p.org_code, average_score=float(o_h[0, i]) / 100.0, unadjusted_segment=int(o_seg[i]),
        adjusted_segment=int(o_adj[i]), final_segment=int(o_final[i]), rank=int(o_rank[i]), rank_of=len(pools),
        likely_range_average=(float(_hundredths(lo_avg[i : i + 1])[0]) / 100.0,
                              float(_hundredths(hi_avg[i : i + 1])[0]) / 100.0),
        likely_range_rank=(int(lo_rank[i]), int(hi_rank[i])), p_segment=p_seg[i], p_adjusted_segment=p_adj[i],
        p_final_segment=p_fin[i], metric_count=len(p.scores)) for i, p in enumerate(pools)]
    return LeagueUncertainty(method, replicates, seed, [float(c) for c in cutoffs], trusts, r, signal, noise)
