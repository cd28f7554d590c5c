"""Third-party NOF Q3 2025/26 extract reader: the real file, the check values, skipped rows, damaged copies."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.metrics import load_files
from opmodel.metrics.loader import MetricsLoadError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.nof import NofDashboardReader, nof_quarter_dates
from opmodel.metrics.readers.nof_extract import DOMAIN_COLUMNS, NofThirdPartyExtractReader
from opmodel.metrics.readers.registry import find_reader
from opmodel.store import Store
from tests.conftest import SHARED_DATA

EXTRACT = SHARED_DATA / "nof-2025-26-q3-thirdparty" / "nof_q3_2025-26_trust_extract.csv"
OFFICIAL = (SHARED_DATA / "nof-2025-26-mh-community-raw"
            / "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")
READER = NofThirdPartyExtractReader()
MH = "Mental health and community trust"


@pytest.fixture(scope="module")
def rows() -> list[MetricRow]:
    return list(READER.read(EXTRACT))


@pytest.fixture(scope="module")
def source() -> list[dict[str, str]]:
    with EXTRACT.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _by(rows: list[MetricRow]) -> dict[tuple[str, str], MetricRow]:
    return {(r.metric, r.org_code): r for r in rows}


def test_recognised_by_header_and_registered(tmp_path: Path) -> None:
    renamed = tmp_path / "trust_profiles (copy).csv"
    renamed.write_bytes(EXTRACT.read_bytes())
    assert READER.recognises(EXTRACT) and READER.recognises(renamed)
    assert isinstance(find_reader(renamed), NofThirdPartyExtractReader)
    assert not READER.recognises(OFFICIAL)
    assert not NofDashboardReader().recognises(EXTRACT)


def test_check_values_from_provenance(rows: list[MetricRow]) -> None:
    by = _by(rows)
    # PROVENANCE.md: RJ1 segment 1, rank 10, score 1.67; RCX segment 4, rank 133, 3.22; RX1 segment 4, rank 132.
    assert (by["OF5000", "RJ1"].value, by["OF5002", "RJ1"].value, by["OF5004", "RJ1"].value) == (1, 1.67, 0)
    assert by["OF5000", "RJ1"].extra["league_rank"] == 10
    assert (by["OF5000", "RCX"].value, by["OF5002", "RCX"].value, by["OF5004", "RCX"].value) == (4, 3.22, 1)
    assert by["OF5000", "RCX"].extra["league_rank"] == 133
    assert by["OF5000", "RX1"].value == 4 and by["OF5000", "RX1"].extra["league_rank"] == 132
    extra = by["OF5002", "RJ1"].extra
    assert extra["evidence"] == "third-party" and extra["trust_type"] == "Acute trust"
    assert extra["trust_subtype"] == "Acute - Teaching" and extra["region"] == "London"
    assert extra["quarter"] == "Q3 2025/26"


def test_row_counts_and_mental_health_rows_skipped(rows: list[MetricRow], source: list[dict[str, str]]) -> None:
    mh = {r["org_code"] for r in source if r["Trust_type"] == MH}
    kept = {r["org_code"] for r in source if r["Trust_type"] != MH}
    assert len(source) == 150 and len(mh) == 20 and len(kept) == 130
    assert {r.org_code for r in rows} == kept and not mh & {r.org_code for r in rows}
    # 13 ids per trust, less the ambulance trust's blank deficit flag and one acute trust's blank access domain.
    assert len(rows) == 130 * 13 - 1 - 2 == 1687
    counts = {m: sum(1 for r in rows if r.metric == m) for m in {r.metric for r in rows}}
    assert counts["OF5002"] == counts["OF5000"] == 130 and counts["OF5004"] == 129
    assert counts["OF4000"] == counts["OF4100"] == 129 and counts["OF4105"] == 130


def test_period_is_the_nof_readers_q3(rows: list[MetricRow]) -> None:
    assert {(r.period_start, r.period_end) for r in rows} == {nof_quarter_dates("Q3 2025/26")}
    official_q3 = next(r for r in NofDashboardReader().read(OFFICIAL) if r.extra["quarter"] == "Q3 2025/26")
    assert (official_q3.period_start, official_q3.period_end) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert (rows[0].period_start, rows[0].period_end) == (official_q3.period_start, official_q3.period_end)


def test_every_value_is_the_cell_it_came_from(rows: list[MetricRow], source: list[dict[str, str]]) -> None:
    by = _by(rows)
    for r in source:
        if r["Trust_type"] == MH:
            continue
        code = r["org_code"]
        assert by["OF5000", code].value == float(r["overall_adjusted_segment"])
        assert by["OF5002", code].value == float(r["overall_avg_metric_score"])
        assert by["OF5000", code].extra["league_rank"] == int(float(r["league_rank"]))
        for col, metric in DOMAIN_COLUMNS.items():
            assert (by[metric, code].value if (metric, code) in by else None) == (float(r[col]) if r[col] else None)


def test_official_file_wins_for_mental_health_trusts(store: Store) -> None:
    """The seeded store holds both files: Q3 MH/community values come from NHS England's CSV only."""
    got = store.rows("""
        SELECT s.publication, count(*) AS n, count(DISTINCT v.org_code) AS orgs
        FROM metric_values v JOIN metric_sources s USING (source_id)
        WHERE v.metric = 'OF5000' AND v.period_start = DATE '2025-10-01' GROUP BY 1 ORDER BY 1""")
    assert got == [{"publication": "nof_dashboard", "n": 61, "orgs": 61},
                   {"publication": "nof_q3_thirdparty_extract", "n": 130, "orgs": 130}]
    assert store.scalar("SELECT count(*) FROM metric_revisions WHERE metric LIKE 'OF%'") == 0


def _damaged(tmp_path: Path, line: int, column: str, value: str) -> Path:
    with EXTRACT.open(encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    table[line - 1][table[0].index(column)] = value
    path = tmp_path / "damaged.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)
    return path


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("overall_adjusted_segment", "one", "expected a whole number from 1 to 4, got 'one'"),
    ("overall_adjusted_segment", "5.0", "expected a whole number from 1 to 4, got '5.0'"),
    ("lt_segment", "2.0", "expected 3 (as in the summary column), got '2.0'"),
    ("lt_in_deficit", "Yes", "expected a whole number from 0 to 1, got 'Yes'"),
    ("overall_avg_metric_score", "", "expected a published value, got an empty cell"),
    ("org_code", "R0B", "duplicate row for R0B (first on line 2)"),
])
def test_damaged_cells_name_file_line_and_column(tmp_path: Path, column: str, value: str, expected: str) -> None:
    path = _damaged(tmp_path, 2, column, value)  # line 2 is R0A (segment 3, in deficit)
    with pytest.raises(InputError) as exc:
        list(READER.read(path))
    problem = exc.value.problems[0]
    line = 3 if column == "org_code" else 2
    assert (problem.line, problem.field) == (line, column)
    assert expected in problem.message and str(path) in str(problem.file)


def test_missing_column_and_truncated_row(tmp_path: Path) -> None:
    text = EXTRACT.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    missing = tmp_path / "missing.csv"
    missing.write_text("\n".join(",".join(c for c in line.split(",")[:header.index("domain_score_access")]
                                          + line.split(",")[header.index("domain_score_access") + 1:])
                                 for line in text[:5]) + "\n", encoding="utf-8")
    assert READER.recognises(missing)
    with pytest.raises(InputError, match=r"missing column.*domain_score_access"):
        list(READER.read(missing))
    truncated = tmp_path / "truncated.csv"
    truncated.write_text("\n".join(text[:3]) + "\n" + text[3][:40] + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        list(READER.read(truncated))
    assert exc.value.problems[0].line == 4 and "fields, expected 38" in exc.value.problems[0].message


def test_loading_a_damaged_copy_writes_nothing(store: Store, tmp_path: Path) -> None:
    before = store.scalar("SELECT count(*) FROM metric_values")
    sources = store.scalar("SELECT count(*) FROM metric_sources")
    path = _damaged(tmp_path, 57, "overall_adjusted_segment", "seven")  # RJ1's row
    with pytest.raises(MetricsLoadError) as exc:
        load_files(store, [path])
    assert exc.value.problems[0].line == 57 and exc.value.problems[0].field == "overall_adjusted_segment"
    assert store.scalar("SELECT count(*) FROM metric_values") == before
    assert store.scalar("SELECT count(*) FROM metric_sources") == sources
