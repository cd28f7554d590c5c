"""League-table uncertainty core (issue 12): the resampling method pinned on small hand-made pools."""

from __future__ import annotations

import math

import numpy as np
import pytest

from opmodel.oversight.scoring import competition_ranks, round_half_up, segment_for
from opmodel.oversight.uncertainty import (
    BLOCK,
    TrustPool,
    draw_indices,
    league_uncertainty,
    rankability,
    replicate_means,
    row_competition_ranks,
)
from opmodel.oversight.uncertainty import _padded as padded

CUTS = [2.06, 2.35, 2.71]  # Q3 2025/26 boundaries seen in the published data (methodology §1.4)
POOL = [
    TrustPool("AAA", (1.0, 1.5, 2.25, 3.0), (1.0, 1.0, 1.0, 1.0)),
    TrustPool("BBB", (1.0, 4.0)),
    TrustPool("CCC", (2.0, 2.0, 2.0)),
    TrustPool("DDD", (1.0, 1.2, 1.4, 3.8, 2.6), (1.0, 1 / 3, 1 / 3, 1 / 3, 1.0), deficit=True),
    TrustPool("EEE", (3.1, 2.9, 3.4), in_pip=True),
]


def _reference(pools: list[TrustPool], idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The method written out one replicate and one trust at a time with the engine's own scoring functions."""
    b = idx.shape[0]
    means = np.zeros((b, len(pools)))
    adjusted = np.zeros((b, len(pools)), dtype=int)
    ranks = np.zeros((b, len(pools)), dtype=int)
    for r in range(b):
        keys: dict[str, tuple[float, float]] = {}
        for i, p in enumerate(pools):
            w = p.weights or (1.0,) * len(p.scores)
            drawn = [int(j) for j in idx[r, i, : len(p.scores)]]
            mean = sum(p.scores[j] * w[j] for j in drawn) / sum(w[j] for j in drawn)
            seg = segment_for(round_half_up(mean), CUTS)
            adj = max(seg, 3) if p.deficit else seg
            means[r, i], adjusted[r, i] = mean, adj
            keys[p.org_code] = (float(adj), round_half_up(mean))
        ranked = competition_ranks(keys)
        ranks[r] = [ranked[p.org_code] for p in pools]
    return means, adjusted, ranks


def _all_indices(pools: list[TrustPool], replicates: int, seed: int) -> np.ndarray:
    _s, _w, counts = padded(pools)
    rng = np.random.default_rng(seed)
    width = int(counts.max())
    return np.concatenate([draw_indices(counts, min(BLOCK, replicates - s), width, rng)
                           for s in range(0, replicates, BLOCK)])


def test_draws_take_as_many_scores_as_each_trust_has() -> None:
    counts = np.array([1, 3, 5])
    idx = draw_indices(counts, 2000, 5, np.random.default_rng(1))
    for i, n in enumerate(counts):
        live = idx[:, i, :n]
        assert live.min() == 0 and live.max() == n - 1  # every score can be drawn, nothing beyond
        assert (idx[:, i, n:] == 5).all()  # the rest point at the zero pad column
    # with replacement: some replicate of the 5-score trust repeats a score
    assert any(len(set(row)) < 5 for row in idx[:, 2, :].tolist())


def test_vectorised_method_equals_the_method_written_out() -> None:
    b, seed = 1200, 7
    out = league_uncertainty(POOL, CUTS, replicates=b, seed=seed)
    idx = _all_indices(POOL, b, seed)
    means, adjusted, ranks = _reference(POOL, idx)
    scores, weights, _ = padded(POOL)
    assert np.allclose(replicate_means(scores, weights, idx), means)
    k_lo, k_hi = math.ceil(0.025 * b) - 1, math.ceil(0.975 * b) - 1  # inverted-CDF percentiles
    for i, t in enumerate(out.trusts):
        srt, rk = np.sort(means[:, i]), np.sort(ranks[:, i])
        assert t.likely_range_average == (round_half_up(srt[k_lo]), round_half_up(srt[k_hi]))
        assert t.likely_range_rank == (int(rk[k_lo]), int(rk[k_hi]))
        for s in "1234":
            assert t.p_adjusted_segment[s] == pytest.approx(float((adjusted[:, i] == int(s)).mean()), abs=1e-4)


def test_exact_percentiles_on_a_hand_made_pool() -> None:
    out = league_uncertainty(POOL, CUTS, replicates=4000, seed=11).by_org()
    # BBB draws two of {1, 4}: means 1, 2.5 or 4 (1/4, 1/2, 1/4), so the 2.5th and 97.5th percentiles are 1 and 4.
    assert out["BBB"].likely_range_average == (1.0, 4.0)
    assert out["BBB"].p_segment["1"] == pytest.approx(0.25, abs=0.03)
    assert out["BBB"].p_segment["3"] == pytest.approx(0.5, abs=0.03)
    # CCC's scores are all 2: no uncertainty in its average or segment.
    assert out["CCC"].likely_range_average == (2.0, 2.0) and out["CCC"].p_segment["1"] == 1.0
    # The observed result is the plain computation: AAA 1.9375 -> 1.94, segment 1.
    assert out["AAA"].average_score == 1.94 and out["AAA"].unadjusted_segment == 1
    # Segment 5 (in the PIP) shows in the final segment only; league order uses the adjusted segment.
    assert out["EEE"].p_final_segment["5"] == 1.0 and out["EEE"].final_segment == 5
    assert out["EEE"].adjusted_segment == 4 and out["EEE"].rank == 5
    assert sum(out["AAA"].p_segment.values()) == pytest.approx(1.0)


def test_same_seed_same_answer_other_seed_other_draws() -> None:
    a = league_uncertainty(POOL, CUTS, replicates=600, seed=3)
    b = league_uncertainty(POOL, CUTS, replicates=600, seed=3)
    c = league_uncertainty(POOL, CUTS, replicates=600, seed=4)
    assert [t.p_segment for t in a.trusts] == [t.p_segment for t in b.trusts]
    assert [t.p_segment for t in a.trusts] != [t.p_segment for t in c.trusts]


def test_financial_override_applies_inside_every_replicate() -> None:
    # The deficit trust has the best scores of all, yet segments 1-2 are closed to it (§1.5): its rank
    # range never starts above the three trusts certain to be in segments 1-2.
    pools = [TrustPool("DEF", (1.0, 1.1, 1.2, 1.0), deficit=True),
             TrustPool("S1A", (1.5, 1.5)), TrustPool("S1B", (1.8, 1.9)), TrustPool("S2A", (2.2, 2.2, 2.2)),
             TrustPool("S3A", (2.5, 2.0, 3.0)), TrustPool("S4A", (3.0, 3.5))]
    out = league_uncertainty(pools, CUTS, replicates=2000, seed=5).by_org()
    assert out["DEF"].p_segment["1"] == 1.0  # unadjusted it is always segment 1 ...
    assert out["DEF"].p_adjusted_segment["3"] == 1.0  # ... and always capped at 3
    assert out["DEF"].likely_range_rank[0] == 4 and out["DEF"].rank == 4
    # Ranking by the average alone would put it first in every replicate.
    assert out["S1A"].likely_range_rank == (1, 1)


def test_row_competition_ranks_share_ties_and_skip() -> None:
    keys = np.array([[5, 3, 3, 9], [1, 1, 1, 1], [4, 3, 2, 1]])
    assert row_competition_ranks(keys).tolist() == [[3, 1, 1, 4], [1, 1, 1, 1], [4, 3, 2, 1]]


def test_rankability_zero_for_identical_trusts_and_high_for_separated_ones() -> None:
    same = [TrustPool(f"T{i}", (1.0, 2.0, 3.5, 2.5)) for i in range(6)]
    out = league_uncertainty(same, CUTS, replicates=1000, seed=1)
    assert out.rankability == 0.0 and out.signal_variance == 0.0 and out.noise_variance > 0
    assert all(t.rank == 1 for t in out.trusts)  # identical averages share rank 1
    apart = [TrustPool(f"T{i}", (1.0 + 0.5 * i, 1.02 + 0.5 * i)) for i in range(6)]
    assert league_uncertainty(apart, CUTS, replicates=1000, seed=1).rankability > 0.99
    # Known answers of the formula: spread between trusts (variance 2) equal to the noise -> no signal.
    assert rankability(np.array([0.0, 2.0]), np.array([2.0, 2.0]))[0] == 0.0
    r, signal, noise = rankability(np.array([0.0, 2.0]), np.array([0.5, 0.5]))
    assert (signal, noise) == (1.5, 0.5) and r == pytest.approx(0.75)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="3 segment cut-offs"):
        league_uncertainty(POOL, [2.0, 2.5])
    with pytest.raises(ValueError, match="no metric scores"):
        league_uncertainty([TrustPool("ZZZ", ())], CUTS)
    with pytest.raises(ValueError, match="weights"):
        league_uncertainty([TrustPool("ZZZ", (1.0, 2.0), (1.0,))], CUTS)
    assert league_uncertainty([], CUTS).trusts == []
