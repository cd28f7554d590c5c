"""Staff survey reader: the NOF's published staff-survey values, and damaged copies."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.staff_survey import StaffSurveyReader
from tests.conftest import SHARED_DATA
from tests.metrics.readers.workbooks import read_error, write_workbook

WORKBOOK = SHARED_DATA / "nhs-staff-survey-2024" / "NSS24_detailed_spreadsheets_organisational_results.xlsx"
NOF_CSV = (SHARED_DATA / "nof-2025-26-mh-community-raw"
           / "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")
NOF_ACUTE = SHARED_DATA / "nof-2025-26-q3-thirdparty" / "nof_q3_2025-26_trust_extract.csv"
READER = StaffSurveyReader()
SHEETS = ("THEMES", "PEOPLE PROMISE ELEMENTS", "YOUR ORGANISATION Q25-26")


@pytest.fixture(scope="module")
def rows() -> list[MetricRow]:
    return list(READER.read(WORKBOOK))


@pytest.fixture(scope="module")
def values(rows: list[MetricRow]) -> dict[tuple[str, str], float]:
    return {(r.metric, r.org_code): r.value for r in rows if r.value is not None}


def test_recognises_only_the_survey_workbook() -> None:
    assert [p for p in SHARED_DATA.rglob("*") if p.is_file() and READER.recognises(p)] == [WORKBOOK]


def test_every_organisation_once_per_metric_for_the_2024_survey_year(rows: list[MetricRow]) -> None:
    assert {(r.period_start, r.period_end) for r in rows} == {(dt.date(2024, 1, 1), dt.date(2024, 12, 31))}
    for metric in ("nss_engagement", "nss_raising_concerns", "nss_morale", "nss_recommend_work",
                   "nss_recommend_care"):
        codes = [r.org_code for r in rows if r.metric == metric]
        assert len(codes) == len(set(codes)) == 263


def test_matches_nhs_englands_nof_values_for_mental_health_and_community_trusts(
        values: dict[tuple[str, str], float]) -> None:
    """OF0061 is the PP3_2 raising-concerns sub-score and OF0084 the engagement theme score."""
    metric = {"OF0061": "nss_raising_concerns", "OF0084": "nss_engagement"}
    compared = 0
    with NOF_CSV.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            key = (metric.get(row["Metric_ID"], ""), row["Trust_code"])
            if key in values:
                assert round(values[key], 2) == float(row["Value"]), key
                compared += 1
    assert compared == 360  # 60 trusts x 2 metrics x 3 quarters (G6V2S formed after the survey)


def test_matches_the_acute_nof_extract(values: dict[tuple[str, str], float]) -> None:
    compared = 0
    with NOF_ACUTE.open(newline="") as fh:
        for row in csv.DictReader(fh):
            for col, metric in (("staff_engagement_score", "nss_engagement"),
                                ("staff_raising_concerns_score", "nss_raising_concerns")):
                if row[col] and (metric, row["org_code"]) in values:
                    assert values[(metric, row["org_code"])] == pytest.approx(float(row[col]), abs=0.006)
                    compared += 1
    assert compared > 200


def test_recommend_as_place_to_work_is_agree_plus_strongly_agree(values: dict[tuple[str, str], float]) -> None:
    assert round(values[("nss_recommend_work", "RJ1")], 1) == 72.6
    assert 0 < values[("nss_recommend_care", "RJ1")] <= 100


# -- damaged copies -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample() -> dict[str, list[list[Any]]]:
    """The title and header rows and the first 30 organisations of each sheet the reader uses."""
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True, data_only=True)
    out: dict[str, list[list[Any]]] = {}
    for name in SHEETS:
        ws = wb[name]
        ws.reset_dimensions()
        out[name] = [list(v) for _, v in zip(range(35), ws.iter_rows(values_only=True), strict=False)]
    wb.close()
    return out


def _copy(tmp_path: Path, sample: dict[str, list[list[Any]]],
          damage: Callable[[dict[str, list[list[Any]]]], None]) -> Path:
    data = {k: [list(r) for r in v] for k, v in sample.items()}
    damage(data)
    return write_workbook(tmp_path / "nss.xlsx", data, cover=("Notes",))


def _error(path: Path) -> InputError:
    return read_error(READER, path)


def test_undamaged_copy_reads(tmp_path: Path, sample: dict[str, list[list[Any]]]) -> None:
    got = list(READER.read(_copy(tmp_path, sample, lambda d: None)))
    assert len({r.org_code for r in got}) == 30


def test_truncated_file(tmp_path: Path) -> None:
    data = WORKBOOK.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 3])
    assert "truncated" in str(_error(path))


def test_missing_column(tmp_path: Path, sample: dict[str, list[list[Any]]]) -> None:
    def damage(d: dict[str, list[list[Any]]]) -> None:
        d["THEMES"][4][5] = None
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (5, "Weighting")


def test_non_numeric_score(tmp_path: Path, sample: dict[str, list[list[Any]]]) -> None:
    def damage(d: dict[str, list[list[Any]]]) -> None:
        d["THEMES"][9][6] = "seven"
    err = _error(_copy(tmp_path, sample, damage))
    assert err.problems[0].line == 10
    assert err.problems[0].field == "Staff Engagement - score"


def test_score_above_its_maximum(tmp_path: Path, sample: dict[str, list[list[Any]]]) -> None:
    def damage(d: dict[str, list[list[Any]]]) -> None:
        d["PEOPLE PROMISE ELEMENTS"][7][22] = 11.5
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (8, "PP3_2")


def test_percentages_above_100(tmp_path: Path, sample: dict[str, list[list[Any]]]) -> None:
    """The analogue of numerator > denominator for the weighted answer shares."""
    def damage(d: dict[str, list[list[Any]]]) -> None:
        d["YOUR ORGANISATION Q25-26"][6][21] = 90.0
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (7, "Q25c")


def test_duplicate_row(tmp_path: Path, sample: dict[str, list[list[Any]]]) -> None:
    err = _error(_copy(tmp_path, sample, lambda d: d["THEMES"].append(list(d["THEMES"][12]))))
    assert err.problems[0].line == 36
    assert "duplicate" in err.problems[0].message and "row 13" in err.problems[0].message


def test_unparseable_survey_year(tmp_path: Path, sample: dict[str, list[list[Any]]]) -> None:
    def damage(d: dict[str, list[list[Any]]]) -> None:
        d["THEMES"][0][0] = "NHS Staff Survey - WEIGHTED Results"
    err = _error(_copy(tmp_path, sample, damage))
    assert (err.problems[0].line, err.problems[0].field) == (1, "A")
