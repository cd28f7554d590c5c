"""NOF dashboard reader: the real MH/community CSV (Q1–Q3 2025/26), a league-table file and damaged copies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.metrics.readers.nof import NofDashboardReader, nof_quarter_dates
from tests.conftest import SHARED_DATA

CSV = (SHARED_DATA / "nof-2025-26-mh-community-raw"
       / "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")
READER = NofDashboardReader()


@pytest.fixture(scope="module")
def rows() -> list:  # type: ignore[type-arg]
    return list(READER.read(CSV))


def test_recognised_by_header_not_name(tmp_path: Path) -> None:
    renamed = tmp_path / "download (3).csv"
    renamed.write_bytes(CSV.read_bytes()[:5000])
    assert READER.recognises(CSV) and READER.recognises(renamed)
    other = SHARED_DATA / "nof-2025-26-q3-thirdparty" / "nof_q3_2025-26_trust_extract.csv"
    assert not READER.recognises(other)


def test_every_row_read_with_quarter_periods(rows: list) -> None:  # type: ignore[type-arg]
    assert len(rows) == 6639
    assert {r.org_code for r in rows}.__len__() == 61
    quarters = {(r.extra["quarter"], r.period_start, r.period_end) for r in rows}
    assert quarters == {("Q1 2025/26", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
                        ("Q2 2025/26", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
                        ("Q3 2025/26", dt.date(2025, 10, 1), dt.date(2025, 12, 31))}


def test_published_values_and_extras(rows: list) -> None:  # type: ignore[type-arg]
    first = rows[0]
    assert (first.metric, first.org_code, first.value) == ("OF0005", "R1A", 9.03)
    assert first.extra["rank"] == 33 and first.extra["median"] == 0.7 and first.extra["upper_quartile"] == 6.32
    assert first.extra["trust_type"] == "Mental health and community trust"
    assert first.extra["trust_subtype"] == "Community" and first.extra["region"] == "Midlands"
    assert first.extra["reporting_date"] == "Jun-25" and first.source_row == 2
    by = {(r.metric, r.org_code, r.extra["quarter"]): r for r in rows}
    assert by[("OF5000", "RW1", "Q1 2025/26")].value == 3 and by[("OF5005", "RW1", "Q1 2025/26")].value == 5
    assert by[("OF5004", "RYG", "Q3 2025/26")].value == 1
    assert all("rank" not in r.extra for r in rows if r.metric == "OF1067")  # bespoke score: no rank


def test_quarter_dates() -> None:
    assert nof_quarter_dates("Q4 2025/26") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert nof_quarter_dates("Q3 2025/27") is None and nof_quarter_dates("2025-26") is None


def test_league_table_file(tmp_path: Path) -> None:
    path = tmp_path / "league.csv"
    path.write_text(
        "Quarter,Region,Trust_type,Trust_subtype,Trust_code,Trust_name,Average_score,"
        "Likely_range_of_average_score,Segment,Trust_in_financial_deficit,Rank,Likely_range_of_rank\n"
        "Q4 2025/26,London,Acute trust,Acute - Teaching,RJ1,Guy's and St Thomas',1.67,1.40 to 1.95,1,No,10,2 to 12\n",
        encoding="utf-8")
    assert READER.recognises(path)
    got = {r.metric: r for r in READER.read(path)}
    assert got["OF5002"].value == 1.67 and got["OF5000"].value == 1 and got["OF5004"].value == 0
    assert got["OF5000"].extra["league_rank"] == 10 and got["OF5000"].period_start == dt.date(2026, 1, 1)
    assert got["OF5002"].extra["likely_range_of_rank"] == "2 to 12"


def _damaged(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = CSV.read_text(encoding="utf-8-sig")
    assert old in text
    path = tmp_path / "damaged.csv"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_non_numeric_value_reported_with_row_and_column(tmp_path: Path) -> None:
    path = _damaged(tmp_path, ",Jun-25,%,9.03,", ",Jun-25,%,nine,")
    with pytest.raises(InputError) as exc:
        list(READER.read(path))
    p = exc.value.problems[0]
    assert (p.line, p.field) == (2, "Value") and "expected a number" in p.message and p.file == str(path)


def test_bad_quarter_and_metric_id(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="line 2, field Quarter: expected a NOF quarter"):
        list(READER.read(_damaged(tmp_path, "Q1 2025/26,Midlands", "Quarter one,Midlands")))
    with pytest.raises(InputError, match="field Metric_ID: expected a NOF metric id"):
        list(READER.read(_damaged(tmp_path, ",OF0005,", ",X0005,")))


def test_missing_column_and_truncated_row(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="line 1, field Rank: missing column"):
        list(READER.read(_damaged(tmp_path, ",Upper_quartile,Rank", ",Upper_quartile,Rnak")))
    text = CSV.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "truncated.csv"
    path.write_text("\n".join([*text[:10], text[10][:40]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 11.*truncated"):
        list(READER.read(path))


def test_duplicate_row_reported(tmp_path: Path) -> None:
    lines = CSV.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "dup.csv"
    path.write_text("\n".join([*lines[:3], lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 4.*duplicate row for OF0005 R1A Q1 2025/26 \(first on line 2\)"):
        list(READER.read(path))
