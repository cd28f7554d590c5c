"""League-table reader (issue 12): published likely ranges parsed, recognised by header, damaged cells named.

No league-table file with likely ranges is in ../shared/data (the MH/community CSV and the third-party
Q3 extract carry averages, segments and ranks but no ranges), so the file here is written in the
published layout (methodology §1.9) from the real MH/community Q3 figures of three trusts.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.metrics import load_files
from opmodel.metrics.loader import MetricsLoadError
from opmodel.metrics.readers.league import RANGE_METRIC, LeagueTableReader, parse_range, read_league_table
from opmodel.metrics.readers.nof import NofDashboardReader
from opmodel.metrics.readers.registry import find_reader
from opmodel.oversight.uncertainty_run import published_ranges
from opmodel.store import Store
from tests.conftest import SHARED_DATA

MH = (SHARED_DATA / "nof-2025-26-mh-community-raw"
      / "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")
HEADER = ("Quarter,Region,Trust_type,Trust_subtype,Trust_code,Trust_name,Average_score,"
          "Likely_range_of_average_score,Segment,Trust_in_financial_deficit,Rank,Likely_range_of_rank")


def _published(code: str, quarter: str = "Q3 2025/26") -> dict[str, str]:
    """The trust's published average (OF5002), adjusted segment (OF5000) and deficit flag (OF5004)."""
    out: dict[str, str] = {}
    with MH.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row["Trust_code"] == code and row["Quarter"] == quarter and row["Metric_ID"] in {
                    "OF5002", "OF5000", "OF5004"}:
                out[row["Metric_ID"]] = row["Value"]
                out["name"], out["region"] = row["Trust_name"], row["Region"]
    return out


def _league_file(tmp_path: Path, ranges: dict[str, tuple[str, str]], name: str = "league.csv") -> Path:
    lines = [HEADER]
    for i, (code, (avg_range, rank_range)) in enumerate(ranges.items(), start=1):
        p = _published(code)
        deficit = "Yes" if float(p["OF5004"]) >= 1 else "No"
        lines.append(f"Q3 2025/26,{p['region']},Mental health and community trust,Community,{code},"
                     f"\"{p['name']}\",{p['OF5002']},{avg_range},{int(float(p['OF5000']))},{deficit},{i},{rank_range}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def league(tmp_path: Path) -> Path:
    return _league_file(tmp_path, {"RX3": ("1.40 to 1.95", "1 to 11"), "RW1": ("2.01 to 2.60", "20 to 44"),
                                   "RHA": ("", "")})


def test_parse_range() -> None:
    assert parse_range("1.40 to 1.95") == (1.4, 1.95)
    assert parse_range("2 to 12") == (2.0, 12.0)
    assert parse_range(" 1.2 - 1.3 ") == (1.2, 1.3)
    for bad in ("1.95 to 1.40", "about 2", ""):
        with pytest.raises(ValueError):
            parse_range(bad)


def test_recognised_before_the_dashboard_reader(league: Path, tmp_path: Path) -> None:
    assert isinstance(find_reader(league), LeagueTableReader)
    assert not LeagueTableReader().recognises(MH)
    # A league table without the range columns is still the dashboard reader's.
    plain = tmp_path / "plain.csv"
    text = league.read_text(encoding="utf-8").splitlines()
    plain.write_text("\n".join(",".join(c for i, c in enumerate(next(csv.reader([ln]))) if i not in (7, 11))
                               for ln in text) + "\n", encoding="utf-8")
    assert isinstance(find_reader(plain), NofDashboardReader)


def test_rows_as_published_with_ranges_parsed(league: Path) -> None:
    rows = {r.org_code: r for r in read_league_table(league)}
    rx3 = _published("RX3")
    assert rows["RX3"].average_score == float(rx3["OF5002"]) and rows["RX3"].segment == int(float(rx3["OF5000"]))
    assert rows["RX3"].likely_range_average == (1.4, 1.95) and rows["RX3"].likely_range_rank == (1, 11)
    assert rows["RW1"].likely_range_rank == (20, 44) and rows["RW1"].rank == 2
    assert rows["RHA"].likely_range_average is None and rows["RHA"].likely_range_rank is None
    assert rows["RW1"].in_deficit == (float(_published("RW1")["OF5004"]) >= 1)
    metric_rows = list(LeagueTableReader().read(league))
    assert {r.metric for r in metric_rows} == {"OF5002", "OF5000", "OF5004", RANGE_METRIC}
    assert sum(r.metric == RANGE_METRIC for r in metric_rows) == 2  # RHA has no ranges
    assert all(r.extra["publication"] == "nof_league_table" for r in metric_rows)


def test_loaded_ranges_reach_the_store(league: Path, empty_store: Store) -> None:
    load_files(empty_store, [league])
    got = published_ranges(empty_store, "2025-10-01", "2025-12-31")
    assert got["RX3"]["published_likely_range_average"] == [1.4, 1.95]
    assert got["RW1"]["published_likely_range_rank"] == [20, 44] and got["RW1"]["published_rank"] == 2
    assert "RHA" not in got  # blank ranges: nothing to compare


@pytest.mark.parametrize(("cell", "column", "message"), [
    ("1.95 to 1.40", "Likely_range_of_average_score", "low end above"),
    ("roughly 2", "Likely_range_of_average_score", "expected a range"),
])
def test_damaged_average_range_names_line_and_column(tmp_path: Path, cell: str, column: str, message: str) -> None:
    path = _league_file(tmp_path, {"RX3": ("1.40 to 1.95", "1 to 11"), "RW1": (cell, "20 to 44")})
    with pytest.raises(InputError) as exc:
        list(LeagueTableReader().read(path))
    problem = exc.value.problems[0]
    assert (problem.line, problem.field) == (3, column) and message in problem.message


def test_damaged_rank_range_rejected_in_a_load(tmp_path: Path, empty_store: Store) -> None:
    path = _league_file(tmp_path, {"RX3": ("1.40 to 1.95", "1.5 to 11")})
    with pytest.raises(MetricsLoadError):
        load_files(empty_store, [path])
    with pytest.raises(InputError, match="whole ranks"):
        list(LeagueTableReader().read(path))
