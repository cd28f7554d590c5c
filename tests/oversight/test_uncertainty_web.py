"""Web view models for league-table uncertainty (issue 12): row fields, caterpillar chart, profile sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from opmodel.metrics import load_files
from opmodel.oversight import segment
from opmodel.oversight.results import SegmentationRun
from opmodel.store import Store, open_store
from opmodel.web.views_uncertainty import RangeFields, attach_ranges, profile_uncertainty, run_ranges
from tests.oversight.test_uncertainty_run import NOF_CSV

MH = "mental_health_community"


class Row(RangeFields):
    org_code: str
    org_name: str
    rank: int | None
    average_score: float | None
    adjusted_segment: int | None
    peer_group: str


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SegmentationRun]:
    s: Store = open_store(tmp_path_factory.mktemp("web") / "s.duckdb", seed=False)
    load_files(s, [NOF_CSV])
    yield segment(s, "2025-26-Q3", peer_group=None, save=False, link=False)
    s.close()


def test_rows_gain_ranges_and_the_chart_follows_them(run: SegmentationRun) -> None:
    rows = [Row(org_code=r.org_code, org_name=r.org_name, rank=r.rank, average_score=r.average_score, peer_group=MH,
                adjusted_segment=r.adjusted_segment) for r in run.results if r.peer_group == MH]
    view = attach_ranges(run, rows, "MH Q3", render=False)
    assert all(r.likely_range_average and r.likely_range_rank for r in rows)
    first = rows[0]
    assert first.likely_average_low == first.likely_range_average[0]  # type: ignore[index]
    assert first.p_own_segment == first.p_adjusted_segment[str(first.adjusted_segment)]  # type: ignore[index]
    assert view.chart is not None and len(view.chart.table) == len(rows)
    assert 0 < view.rankability[MH] < 1 and view.replicates == 4000
    # memoised per run: the same object comes back
    memo: dict[object, object] = {}

    def keep(key: object, compute):  # type: ignore[no-untyped-def]
        return memo.setdefault(key, compute())

    assert run_ranges(run, keep) is run_ranges(run, keep)


def test_profile_sentence(run: SegmentationRun) -> None:
    tenth = sorted((r for r in run.results if r.peer_group == MH), key=lambda r: (r.rank or 0, r.org_code))[9]
    code, rank = tenth.org_code, tenth.rank or 0
    p = profile_uncertainty(run, code)
    assert p is not None
    m = re.fullmatch(r"likely rank (\d+) to (\d+) of 61; (\d+)% chance of segment ([1-4])", p.sentence)
    assert m is not None, p.sentence
    assert int(m[1]) <= rank <= int(m[2])
    assert int(m[4]) == run.by_org()[code].adjusted_segment
    assert int(m[3]) == round(100 * p.p_adjusted_segment[m[4]])
    assert profile_uncertainty(run, "NOPE") is None


def test_published_ranges_beside_computed_on_the_page_rows(tmp_path: Path) -> None:
    from tests.metrics.readers.test_league import _league_file

    s = open_store(tmp_path / "s.duckdb", seed=False)
    try:
        load_files(s, [NOF_CSV, _league_file(tmp_path, {"RX3": ("1.40 to 1.95", "1 to 11"),
                                                        "RW1": ("2.01 to 2.60", "20 to 44")})])
        run = segment(s, "2025-26-Q3", save=False, link=False)
        rows = [Row(org_code=r.org_code, org_name=r.org_name, rank=r.rank, average_score=r.average_score, peer_group=MH,
                    adjusted_segment=r.adjusted_segment) for r in run.results if r.peer_group == MH]
        view = attach_ranges(run, rows, "MH Q3", render=False, store=s)
    finally:
        s.close()
    by = {r.org_code: r for r in rows}
    assert by["RX3"].published_likely_range_average == [1.4, 1.95]
    assert by["RW1"].published_likely_range_rank == [20, 44]
    assert by["RHA"].published_likely_range_average is None
    assert view.published_agreement is not None and view.published_agreement["compared"] == 2
