"""The arithmetic of §1.3–§2 on small hand-made cases."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opmodel.oversight import competition_ranks, quartile_cutoffs, round_half_up, segment_for, spread_score


def test_spread_bookends_and_ties() -> None:
    ranks = competition_ranks({"a": 1.0, "b": 2.0, "c": 2.0, "d": 5.0})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}
    scores = {k: round_half_up(spread_score(r, 4, 1, 4)) for k, r in ranks.items()}
    assert scores == {"a": 1.0, "b": 2.0, "c": 2.0, "d": 4.0}
    assert spread_score(1, 5, 2, 4) == 2.0 and spread_score(5, 5, 2, 4) == 4.0  # below a standard
    assert spread_score(1, 5, 1, 3) == 1.0 and spread_score(5, 5, 1, 3) == 3.0  # above a floor
    assert spread_score(1, 1, 1, 4) == 1.0  # a set of one takes the best bookend


def test_round_half_up_matches_published_rounding() -> None:
    assert round_half_up(2.125) == 2.13 and round_half_up(1 + 3 * 19 / 60) == 1.95
    assert round_half_up(2.004999) == 2.0


def test_quartile_segments_worse_at_cutoff() -> None:
    cuts = quartile_cutoffs([1.0, 2.0, 3.0, 4.0, 5.0])
    assert cuts == [2.0, 3.0, 4.0]
    assert [segment_for(x, cuts) for x in (1.0, 1.99, 2.0, 3.5, 4.0, 5.0)] == [1, 1, 2, 3, 4, 4]


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.tuples(st.integers(1, 4), st.floats(1, 4)), min_size=1))
def test_competition_rank_is_one_plus_strictly_better(keys: dict[str, tuple[int, float]]) -> None:
    ranks = competition_ranks(keys)
    for code, key in keys.items():
        assert ranks[code] == 1 + sum(1 for other in keys.values() if other < key)


@given(st.integers(2, 300), st.data())
def test_spread_scores_stay_within_bookends(m: int, data: st.DataObject) -> None:
    r = data.draw(st.integers(1, m))
    s = spread_score(r, m, 1, 4)
    assert 1.0 <= s <= 4.0
    assert (s == 1.0) == (r == 1) and (s == 4.0) == (r == m)
