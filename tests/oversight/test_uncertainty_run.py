"""Likely ranges on the computed path (issue 12): the published MH/community CSV Q1–Q3, cache, change, CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from opmodel.metrics import load_files
from opmodel.oversight.computed import computed_inputs
from opmodel.oversight.uncertainty_run import league_ranges, published_ranges, range_agreement, significant_change
from opmodel.store import Store, open_store
from tests.conftest import SHARED_DATA

NOF_CSV = (SHARED_DATA / "nof-2025-26-mh-community-raw"
           / "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")
MH = "mental_health_community"
QUARTERS = ("2025-26-Q1", "2025-26-Q2", "2025-26-Q3")
B = 1000  # fewer replicates than the default keeps the tests quick; the method is the same


@pytest.fixture(scope="module")
def mh_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store holding only NHS England's published MH/community CSV."""
    s = open_store(tmp_path_factory.mktemp("mh") / "mh.duckdb", seed=False)
    load_files(s, [NOF_CSV])
    yield s
    s.close()


@pytest.mark.parametrize("period", QUARTERS)
def test_every_published_mh_trust_gets_ranges(mh_store: Store, period: str) -> None:
    ci = computed_inputs(mh_store, None, period, MH)
    ranges = league_ranges(mh_store, period, peer_group=MH, replicates=B)
    assert len(ci.trusts) == 61
    for t in ci.trusts:
        f = ranges.row_fields(t.org_code)
        lo, hi = f["likely_range_average"]
        r_lo, r_hi = f["likely_range_rank"]
        assert t.average_score is not None and t.rank is not None
        assert lo <= t.average_score <= hi, t.org_code
        assert 1 <= r_lo <= r_hi <= 61 and isinstance(r_lo, int)
        assert sum(f["p_segment"].values()) == pytest.approx(1.0, abs=1e-3)
        if t.deficit:  # the override holds in every replicate
            assert f["p_adjusted_segment"]["1"] == f["p_adjusted_segment"]["2"] == 0.0
    # the observed ranks sit inside their likely ranges for nearly all trusts
    inside = sum(1 for t in ci.trusts if ranges.row_fields(t.org_code)["likely_range_rank"][0] <= (t.rank or 0)
                 <= ranges.row_fields(t.org_code)["likely_range_rank"][1])
    assert inside >= 58
    assert 0.0 < ranges.tables[MH].rankability < 1.0


def test_ranges_are_cached_per_input_hash(mh_store: Store) -> None:
    a = league_ranges(mh_store, "2025-26-Q3", peer_group=MH, replicates=B)
    assert league_ranges(mh_store, "2025-26-Q3", peer_group=MH, replicates=B) is a
    other = league_ranges(mh_store, "2025-26-Q3", peer_group=MH, replicates=B, seed=1)
    assert other is not a and other.inputs_sha256 != a.inputs_sha256


def test_published_ranges_beside_computed_and_agreement(mh_store: Store, tmp_path: Path) -> None:
    ranges = league_ranges(mh_store, "2025-26-Q3", peer_group=MH, replicates=B)
    ci = computed_inputs(mh_store, None, "2025-26-Q3", MH)
    codes = [t.org_code for t in ci.trusts][:3]
    fields = [ranges.row_fields(c) for c in codes]
    # A league-table file as NHS England lays it out: two trusts' ranges equal ours, one 0.2 and 9 places off.
    lines = ["Quarter,Region,Trust_type,Trust_subtype,Trust_code,Trust_name,Average_score,"
             "Likely_range_of_average_score,Segment,Trust_in_financial_deficit,Rank,Likely_range_of_rank"]
    for i, (code, f) in enumerate(zip(codes, fields, strict=True)):
        shift = 0.2 if i == 2 else 0.0
        lo, hi = (x + shift for x in f["likely_range_average"])
        r_lo, r_hi = (r + (9 if i == 2 else 0) for r in f["likely_range_rank"])
        lines.append(f"Q4 2025/26,X,Mental health and community trust,Community,{code},T{i},2.0,"
                     f"{lo:.2f} to {hi:.2f},2,No,{i + 1},{r_lo} to {r_hi}")
    path = tmp_path / "league.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scratch = open_store(tmp_path / "s.duckdb", seed=False)
    try:
        load_files(scratch, [path])
        published = published_ranges(scratch, "2026-01-01", "2026-03-31")
    finally:
        scratch.close()
    agreement = range_agreement(ranges, published)
    assert agreement["compared"] == 3 and agreement["average_within"] == 2 and agreement["rank_within"] == 2
    assert agreement["largest"][0]["org_code"] == codes[2] and agreement["largest"][0]["rank_gap"] == 9
    assert range_agreement(ranges, {})["compared"] == 0


def test_change_between_quarters(mh_store: Store) -> None:
    d = significant_change(mh_store, "rw1", "2025-26-Q2", "2025-26-Q3", replicates=B)
    q2 = {t.org_code: t for t in computed_inputs(mh_store, None, "2025-26-Q2", MH).trusts}["RW1"]
    q3 = {t.org_code: t for t in computed_inputs(mh_store, None, "2025-26-Q3", MH).trusts}["RW1"]
    assert d["org_code"] == "RW1" and d["change"] == pytest.approx((q3.average or 0) - (q2.average or 0), abs=1e-3)
    lo, hi = d["change_interval"]
    assert lo <= d["change"] <= hi
    assert d["change_significant"] == (lo > 0 or hi < 0)
    assert d["segment_move"] == (0 if q2.adjusted_segment == q3.adjusted_segment else
                                 (1 if (q3.adjusted_segment or 0) > (q2.adjusted_segment or 0) else -1))
    assert d["move_outside_noise"] is False or d["segment_move"] != 0
    # The same trust, the same quarter: no change, nothing significant, no move.
    same = significant_change(mh_store, "RW1", "2025-26-Q3", "2025-26-Q3", replicates=B)
    assert same["change"] == 0 and same["change_interval"] == [0.0, 0.0] and not same["change_significant"]
    assert same["segment_move"] == 0 and same["p_same_move"] == 1.0


def test_change_cli(cli: object) -> None:
    res = cli("change", "RW1", "--from", "2025-26-Q2", "--to", "2025-26-Q3", "--replicates", "500",  # type: ignore[operator]
              "--format", "json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert {"change", "change_interval", "change_significant", "segment_from", "segment_to",
            "move_outside_noise", "reason"} <= set(d)
    res = cli("change", "NOPE", "--from", "2025-26-Q2", "--to", "2025-26-Q3")  # type: ignore[operator]
    assert res.exit_code != 0 and "NOPE" in res.output and "Traceback" not in res.output
    text = cli("change", "RW1", "--from", "2025-26-Q2", "--to", "2025-26-Q3", "--replicates", "500")  # type: ignore[operator]
    assert text.exit_code == 0 and "likely range" in text.stdout


def test_cli_helper_adds_the_contract_fields_to_league_rows(mh_store: Store) -> None:
    from opmodel.cli.uncertainty import add_ranges, table_text
    from opmodel.oversight import league, segment

    run = segment(mh_store, "2025-26-Q3", peer_group=MH, save=False, link=False)
    rows = [r.as_row() for r in league(run, MH)]
    summary = add_ranges(mh_store, rows, run, MH, replicates=B)
    assert all(r["likely_range_average"] and r["likely_range_rank"] and r["p_segment"] for r in rows)
    assert summary["published_agreement"]["compared"] == 0
    assert "rankability mental_health_community" in table_text(summary)
