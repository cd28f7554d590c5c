"""The metric-noise method (issue 12): redraws from counts, re-scoring on the population's curve."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from opmodel.oversight.uncertainty import TrustPool, league_uncertainty
from opmodel.oversight.uncertainty_noise import NoisyMetric, noisy_means, redraw_values, rescore

CUTS = [2.06, 2.35, 2.71]
# A "higher is better" percentage ranked over five trusts: 90% scores 1, 50% scores 4.
CURVE = ((50.0, 60.0, 70.0, 80.0, 90.0), (4.0, 3.25, 2.5, 1.75, 1.0))


def _metric(rows: tuple[int, ...], num: tuple[float, ...], den: tuple[float, ...], **kw: object) -> NoisyMetric:
    return NoisyMetric("OF1099", rows, (0,) * len(rows), num, den, (100.0,) * len(rows), "binomial",
                       *CURVE, **kw)  # type: ignore[arg-type]


def test_binomial_redraws_centre_on_the_observed_rate() -> None:
    m = _metric((0, 1), (70.0, 900.0), (100.0, 1000.0))
    v = redraw_values(m, 20000, np.random.default_rng(1))
    assert v.mean(axis=0) == pytest.approx([70.0, 90.0], abs=0.2)
    # sampling error shrinks with the denominator: sd of a 70% rate on 100 is about 4.6 points, 90% on 1000 about 0.95
    assert v.std(axis=0) == pytest.approx([4.58, 0.95], rel=0.05)
    poisson = NoisyMetric("OF1020", (0,), (0,), (16.0,), (2.0,), (1.0,), "poisson", (1.0, 20.0), (1.0, 4.0),
                          higher_is_better=False)
    assert redraw_values(poisson, 20000, np.random.default_rng(2)).var() == pytest.approx(16 / 4, rel=0.05)


def test_rescoring_follows_the_curve_and_keeps_threshold_sides() -> None:
    m = _metric((0,), (1.0,), (1.0,))
    assert rescore(m, np.array([[60.0, 75.0, 95.0, 40.0]])).tolist() == [[3.25, 2.125, 1.0, 4.0]]
    floor = _metric((0,), (1.0,), (1.0,), regime="floor", threshold=65.0)
    # below the floor scores 4 whatever the curve says; above it, the curve of the trusts above the floor
    assert rescore(floor, np.array([[64.0, 70.0, 90.0]])).tolist() == [[4.0, 2.5, 1.0]]


def test_noise_means_move_only_the_trusts_with_counts() -> None:
    pools = [TrustPool("AAA", (2.5, 2.0), metrics=("OF1099", "OF1005")),
             TrustPool("BBB", (1.0, 3.0), metrics=("OF1099", "OF1005")),
             TrustPool("CCC", (1.5, 2.5))]
    m = _metric((0, 1), (70.0, 900.0), (100.0, 1000.0))
    means = noisy_means(pools, [m], replicates=3000, seed=9)
    assert means.shape == (3000, 3)
    assert (means[:, 2] == 2.0).all()  # no counts held: its mean never moves
    assert means[:, 0].std() > 3 * means[:, 1].std() > 0  # the small denominator moves more
    assert means[:, 0].mean() == pytest.approx(2.25, abs=0.02)
    table = league_uncertainty(pools, CUTS, replicates=3000, seed=9, means=means, method="metric-noise")
    by = table.by_org()
    assert by["CCC"].likely_range_average == (2.0, 2.0)
    lo, hi = by["AAA"].likely_range_average
    assert lo < 2.25 < hi and table.method == "metric-noise"
    assert (noisy_means(pools, [], replicates=10, seed=1) == np.array([2.25, 2.0, 2.0])).all()


def test_metric_noise_on_the_store_perturbs_only_metrics_with_counts(tmp_path: Path) -> None:
    from opmodel.metrics import load_files
    from opmodel.oversight.uncertainty_run import league_ranges
    from opmodel.store import open_store
    from tests.oversight.test_uncertainty_run import NOF_CSV

    store = open_store(tmp_path / "s.duckdb", seed=False)
    try:
        load_files(store, [NOF_CSV])
        period, group = "2025-26-Q3", "mental_health_community"
        plain = league_ranges(store, period, peer_group=group, replicates=400, method="metric-noise")
        assert "no metric in this table holds a numerator" in plain.notes[0]
        assert all(t.likely_range_average[0] == t.likely_range_average[1] for t in plain.tables[group].trusts)
        # Give the crisis-response percentage (OF0016, scored as OF1016) counts: 100 patients per trust.
        store.execute("UPDATE metric_values SET numerator = value, denominator = 100 WHERE metric = 'OF0016'")
        noisy = league_ranges(store, period, peer_group=group, replicates=400, method="metric-noise")
        assert "OF1016" in noisy.notes[0] and "binomial" in noisy.notes[0]
        widths = {t.org_code: t.likely_range_average[1] - t.likely_range_average[0]
                  for t in noisy.tables[group].trusts}
        held = {code for (code,) in store.execute(
            "SELECT org_code FROM metric_values WHERE metric = 'OF0016' AND period_start = '2025-10-01'").fetchall()}
        assert any(widths[c] > 0 for c in held if c in widths)
        assert all(w == 0 for c, w in widths.items() if c not in held)
    finally:
        store.close()
