"""The metric-noise method: uncertainty from the data's sampling error rather than from the metric mix.

Where a raw metric value is held with its numerator and denominator, each replicate redraws it
(a percentage or proportion as binomial: ``Binomial(denominator, numerator/denominator)``; a count
or rate as Poisson on the numerator) and re-scores it against the quarter's scoring population:
the observed (value, score) pairs of that metric define the scoring curve, a redrawn value takes the
score interpolated on it, and a standard or floor threshold keeps its fixed score on its side
(methodology §1.3). Scores without counts stay as computed. The trust means then go through the
same re-segmentation, override and ranking as the metric-mix method (:mod:`.uncertainty`).
Documented in docs/user-guide.md and docs/decisions.md (Oversight uncertainty).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from opmodel.oversight.computed import ComputedInputs
from opmodel.oversight.uncertainty import BLOCK, FloatArray, TrustPool
from opmodel.store import Store

__all__ = ["NoisyMetric", "counts_signature", "noise_means", "noisy_means", "redraw_values", "rescore"]


@dataclass(frozen=True, slots=True)
class NoisyMetric:
    """One metric's held counts in a table and the scoring curve of its population."""

    metric: str
    rows: tuple[int, ...]  # trust positions (in the pools) holding counts for this metric
    cols: tuple[int, ...]  # the metric's position in each of those trusts' pools
    numerators: tuple[float, ...]
    denominators: tuple[float, ...]
    scale: tuple[float, ...]  # value = scale * numerator / denominator (100 for a percentage)
    kind: Literal["binomial", "poisson"]
    curve_values: tuple[float, ...]  # observed values of the population, ascending
    curve_scores: tuple[float, ...]  # their scores
    regime: Literal["ranked", "standard", "floor"] = "ranked"
    threshold: float | None = None
    higher_is_better: bool = True


def redraw_values(m: NoisyMetric, replicates: int, rng: np.random.Generator) -> FloatArray:
    """(replicates x trusts) redrawn values of one metric from its numerators and denominators."""
    num = np.asarray(m.numerators, dtype=float)
    den = np.asarray(m.denominators, dtype=float)
    scale = np.asarray(m.scale, dtype=float)
    size = (replicates, len(num))
    if m.kind == "binomial":
        p = np.clip(num / den, 0.0, 1.0)
        drawn = rng.binomial(den.astype(np.int64), p, size=size).astype(float)
    else:
        drawn = rng.poisson(num, size=size).astype(float)
    out: FloatArray = scale * drawn / den
    return out


def rescore(m: NoisyMetric, values: FloatArray) -> FloatArray:
    """Scores of redrawn values on the population's scoring curve (threshold sides kept fixed)."""
    xs = np.asarray(m.curve_values, dtype=float)
    ys = np.asarray(m.curve_scores, dtype=float)
    if m.regime != "ranked" and m.threshold is not None:
        meets_obs = xs >= m.threshold if m.higher_is_better else xs <= m.threshold
        meets = values >= m.threshold if m.higher_is_better else values <= m.threshold
        fixed = 1.0 if m.regime == "standard" else 4.0
        keep = ~meets_obs if m.regime == "standard" else meets_obs
        xs, ys = xs[keep], ys[keep]
        on_curve = np.interp(values, xs, ys) if len(xs) else np.full_like(values, fixed)
        side = meets if m.regime == "standard" else ~meets
        out: FloatArray = np.where(side, fixed, on_curve)
        return out
    curve: FloatArray = np.interp(values, xs, ys)
    return curve


def noisy_means(pools: Sequence[TrustPool], metrics: Sequence[NoisyMetric], *, replicates: int,
                seed: int) -> FloatArray:
    """(replicates x trusts) weighted means with the noisy metrics' scores redrawn in every replicate."""
    rng = np.random.default_rng(seed)
    n = len(pools)
    w = [p.weight_array() for p in pools]
    base_sw = np.asarray([float((np.asarray(p.scores) * wi).sum()) for p, wi in zip(pools, w, strict=True)])
    total_w = np.asarray([float(wi.sum()) for wi in w])
    blocks = []
    for start in range(0, replicates, BLOCK):
        b = min(BLOCK, replicates - start)
        sw = np.broadcast_to(base_sw, (b, n)).copy()
        for m in metrics:
            rows = np.asarray(m.rows, dtype=np.int64)
            weight = np.asarray([w[r][c] for r, c in zip(m.rows, m.cols, strict=True)])
            observed = np.asarray([pools[r].scores[c] for r, c in zip(m.rows, m.cols, strict=True)])
            scores = rescore(m, redraw_values(m, b, rng))
            sw[:, rows] += (scores - observed) * weight  # a trust holds a metric once: rows are unique
        blocks.append(sw / total_w)
    return np.concatenate(blocks, axis=0) if blocks else np.zeros((0, n))


def _noisy_metrics(store: Store, ci: ComputedInputs, pools: Sequence[TrustPool]) -> list[NoisyMetric]:
    """The metrics of ``pools`` whose raw values the store holds with numerator and denominator."""
    from opmodel.oversight.periods import parse_period
    from opmodel.oversight.policy import Direction, RankRegime, load_policy

    policy = load_policy(ci.framework)
    per = parse_period(ci.period)
    scores = {(t.org_code, m): s for t in ci.trusts for m, s in t.scores.items()}
    out = []
    for mid in sorted({m for p in pools for m in p.metrics}):
        md = policy.metrics.get(mid)
        if md is None or md.raw is None or not isinstance(md.regime, RankRegime):
            continue
        held = store.execute("SELECT org_code, value, numerator, denominator FROM metric_values WHERE metric = ? "
                             "AND period_start = ? AND period_end = ? AND value IS NOT NULL",
                             [md.raw, per.start, per.end]).fetchall()
        curve = sorted((float(v), scores[(o, mid)]) for o, v, _n, _d in held if (o, mid) in scores)
        if len(curve) < 2:
            continue
        counts = {o: (float(v), float(nu), float(de)) for o, v, nu, de in held
                  if nu is not None and de is not None and de > 0}
        rows, cols, nums, dens, scales = [], [], [], [], []
        for i, p in enumerate(pools):
            if mid in p.metrics and p.org_code in counts:
                v, nu, de = counts[p.org_code]
                rows.append(i)
                cols.append(p.metrics.index(mid))
                nums.append(nu)
                dens.append(de)
                scales.append(v * de / nu if nu else 100.0)
        if not rows:
            continue
        binomial = all(nu <= de and (abs(s - 100.0) < 1e-6 or abs(s - 1.0) < 1e-6)
                       for nu, de, s in zip(nums, dens, scales, strict=True))
        out.append(NoisyMetric(mid, tuple(rows), tuple(cols), tuple(nums), tuple(dens), tuple(scales),
                               "binomial" if binomial else "poisson", tuple(x for x, _ in curve),
                               tuple(y for _, y in curve), md.regime.type, md.regime.threshold,
                               md.direction is not Direction.LOWER))
    return out


def noise_means(store: Store, ci: ComputedInputs, pools: Sequence[TrustPool], *, replicates: int,
                seed: int) -> tuple[FloatArray, str]:
    """Replicate means for ``pools`` by the metric-noise method, and a note of what was perturbed."""
    metrics = _noisy_metrics(store, ci, pools)
    means = noisy_means(pools, metrics, replicates=replicates, seed=seed)
    if not metrics:
        return means, ("no metric in this table holds a numerator and denominator: the metric-noise ranges "
                       "have no width (use the metric-mix method)")
    return means, "sampling error of " + ", ".join(f"{m.metric} ({len(m.rows)} trusts, {m.kind})" for m in metrics)


def counts_signature(store: Store, period: str) -> str:
    """A hash of every numerator and denominator held for the quarter: part of the cache key, so that
    loading counts changes the metric-noise ranges."""
    import hashlib

    from opmodel.oversight.periods import parse_period

    per = parse_period(period)
    rows = store.execute("SELECT metric, org_code, numerator, denominator FROM metric_values WHERE period_start = ? "
                         "AND period_end = ? AND numerator IS NOT NULL AND denominator IS NOT NULL "
                         "ORDER BY metric, org_code", [per.start, per.end]).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()
