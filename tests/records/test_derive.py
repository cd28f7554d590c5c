"""The round trip on DuckDB, and the bad-input rules: counted per rule, excluded, never lost."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pytest

from opmodel.records import (
    AE_DATASET,
    RTT_DATASET,
    ae_calibration_files,
    ae_counts,
    connect,
    derive_folder,
    duplicate_strategy,
    exclusion_rows,
    metric_rows,
    read_ae_counts,
    rtt_counts,
)
from opmodel.records.derive import DuplicateStrategy

from .conftest import AE_FOLDER, AE_SAMPLE, INJECTED, RTT_BY_PROVIDER, RTT_SAMPLE


@pytest.fixture(scope="module")
def derived(sample_root: Path) -> Any:
    return derive_folder(connect("duckdb"), sample_root, set())


def test_ae_round_trip_every_sample_trust_month(derived: Any) -> None:
    got = {(r["provider"], dt.date(r["year"], r["month"], 1)): r for r in derived.ae}
    n = 0
    for f in ae_calibration_files(AE_FOLDER):
        for c in read_ae_counts(f):
            if c.org_code not in AE_SAMPLE:
                continue
            r = got[(c.org_code, c.month)]
            assert (r["attendances"], r["over_4h"], r["dta_12h"], r["dta_4_12h"]) == (
                sum(c.attendances), sum(c.over_4h), c.dta_12h, c.dta_4_12h), (c.org_code, c.month)
            n += 1
    assert n == len(AE_SAMPLE) * 14


def test_rtt_round_trip_against_the_published_provider_totals(derived: Any) -> None:
    with RTT_BY_PROVIDER.open(newline="") as fh:
        published = {r["Provider Org Code"]: r for r in csv.DictReader(fh)}
    got = {r["provider"]: r for r in derived.rtt if r["pathways"]}
    assert set(got) == set(RTT_SAMPLE)
    for code, r in got.items():
        p = published[code]
        assert (r["pathways"], r["within_18wk"], r["over_52wk"], r["over_65wk"], r["over_78wk"]) == (
            int(p["incomplete_total"]), int(p["within_18_weeks"]), int(p["over_52_weeks"]),
            int(p["over_65_weeks"]), int(p["over_78_weeks"]))


def test_rj1_metric_values_match_the_check_values(derived: Any) -> None:
    rows = {(m.metric, m.org_code, m.period_start): m for m in metric_rows(derived)}
    ae = rows[("ae_4hr_records", "RJ1", dt.date(2025, 5, 1))]
    assert round(ae.value, 1) == 79.1 and ae.denominator == 18_092 and ae.period_end == dt.date(2025, 5, 31)
    dta = rows[("ae_12hr_dta_records", "RJ1", dt.date(2025, 5, 1))]
    assert dta.value == 69 and dta.denominator == 2_074  # emergency admissions via A&E, as published
    rtt = rows[("rtt_18wk_records", "RJ1", dt.date(2026, 4, 1))]
    assert round(rtt.value, 2) == 68.37 and rtt.denominator == 109_898
    assert rows[("rtt_52wk_records", "RJ1", dt.date(2026, 4, 1))].value == 689


def test_injected_bad_records_counted_per_rule(derived: Any) -> None:
    totals: dict[tuple[str, str], int] = {}
    for e in exclusion_rows(derived):
        totals[(e["dataset"], e["rule"])] = totals.get((e["dataset"], e["rule"]), 0) + e["excluded"]
    months = 14
    assert totals == {
        ("ae_attendances", "departure_before_arrival"): INJECTED * months,
        ("ae_attendances", "unknown_provider"): INJECTED * months,
        ("ae_attendances", "duplicate_record_id"): 2 * INJECTED * months,
        ("rtt_pathways", "null_clock_start"): INJECTED,
        ("rtt_pathways", "unknown_provider"): INJECTED,
        ("rtt_pathways", "duplicate_record_id"): 2 * INJECTED,
    }
    shown = [m for m in metric_rows(derived) if sum(m.extra["excluded"].values())]
    assert shown and all(m.org_code in AE_SAMPLE + RTT_SAMPLE for m in shown)


def _ae(rows: list[dict[str, Any]]) -> ibis.Table:
    base = {"site": "X01", "department_type": "1", "booked_appointment": False, "decision_to_admit": None,
            "admitted": False}
    return ibis.memtable([{**base, **r} for r in rows], schema={
        "record_id": "int64", "provider": "string", "site": "string", "department_type": "string",
        "booked_appointment": "boolean", "arrival": "timestamp", "departure": "timestamp",
        "decision_to_admit": "timestamp", "admitted": "boolean"})


@pytest.mark.parametrize("duplicates", ["group", "sort"])
def test_each_record_counts_once_under_its_first_broken_rule(duplicates: DuplicateStrategy) -> None:
    t0 = dt.datetime(2025, 5, 1, 10)
    four, later = dt.timedelta(hours=4), dt.timedelta(hours=4, seconds=1)
    table = _ae([
        {"record_id": 1, "provider": "RJ1", "arrival": t0, "departure": t0 + four},          # within 4h
        {"record_id": 2, "provider": "RJ1", "arrival": t0, "departure": t0 + later},         # over
        {"record_id": 3, "provider": "RJ1", "arrival": t0, "departure": t0 - later},         # dep < arr
        {"record_id": 4, "provider": "RJ1", "arrival": t0, "departure": None},               # missing time
        {"record_id": 5, "provider": "XXX", "arrival": t0, "departure": t0 - later},         # unknown first
        {"record_id": 6, "provider": None, "arrival": t0, "departure": t0},                  # null provider
        {"record_id": 7, "provider": "XXX", "arrival": t0, "departure": t0},                 # dup beats unknown
        {"record_id": 7, "provider": "RJ1", "arrival": t0, "departure": t0},
        {"record_id": None, "provider": "RJ1", "arrival": t0, "departure": t0},              # null id
    ])
    rows = connect("duckdb").to_pyarrow(ae_counts(table, {"RJ1"}, duplicates=duplicates)).to_pylist()
    by = {r["provider"]: r for r in rows}
    rj1 = by["RJ1"]
    assert (rj1["attendances"], rj1["over_4h"]) == (2, 1)
    assert rj1["excluded_departure_before_arrival"] == 2
    assert rj1["excluded_duplicate_record_id"] == 2
    assert by["XXX"]["excluded_unknown_provider"] == 1 and by["XXX"]["excluded_duplicate_record_id"] == 1
    assert by[None]["excluded_unknown_provider"] == 1
    total = sum(r[k] for r in rows for k in r if k.startswith("excluded_")) + rj1["attendances"]
    assert total == 9


def test_sorting_and_grouping_find_the_same_shared_ids() -> None:
    """Triplicates, ids shared across providers and months, and null ids: both strategies agree."""
    t0 = dt.datetime(2025, 5, 1, 10)
    june = dt.datetime(2025, 6, 2, 9)
    ids = [5, 1, 9, 5, 2, 5, None, 3, 9, None, 4, 8, 7, 8, 6]
    table = _ae([{"record_id": rid, "provider": "RJ1" if i % 3 else "RAJ", "arrival": june if i % 2 else t0,
                  "departure": (june if i % 2 else t0) + dt.timedelta(hours=i)} for i, rid in enumerate(ids)])
    con = connect("duckdb")
    results = {d: con.to_pyarrow(ae_counts(table, {"RJ1", "RAJ"}, duplicates=d)).to_pylist()
               for d in ("group", "sort")}
    assert results["group"] == results["sort"]
    # 5 (three copies), 9 and 8 (two each) and the two null ids: 9 records excluded, 6 counted.
    assert sum(r["excluded_duplicate_record_id"] for r in results["sort"]) == 9
    assert sum(r["attendances"] for r in results["sort"]) == 6
    pathways = ibis.memtable([{"record_id": rid, "provider": "RJ1", "commissioner": "08K",
                               "treatment_function": "C_100", "clock_start": dt.date(2026, 1, 1),
                               "census_date": dt.date(2026, 4, 30), "pathway_part": "Part_2"} for rid in ids])
    rtt = {d: con.to_pyarrow(rtt_counts(pathways, {"RJ1"}, duplicates=d)).to_pylist() for d in ("group", "sort")}
    assert rtt["group"] == rtt["sort"] and rtt["sort"][0]["excluded_duplicate_record_id"] == 9


def test_duckdb_sorts_and_spark_groups() -> None:
    assert duplicate_strategy(connect("duckdb")) == "sort"


def test_dta_boundaries_are_exclusive_at_4_and_12_hours() -> None:
    t0 = dt.datetime(2025, 5, 1, 10)
    rows = [{"record_id": i, "provider": "RJ1", "arrival": t0, "departure": t0 + dt.timedelta(hours=30),
             "decision_to_admit": t0 + dt.timedelta(hours=30) - wait, "admitted": True}
            for i, wait in enumerate([dt.timedelta(hours=4), dt.timedelta(hours=4, seconds=1),
                                      dt.timedelta(hours=12), dt.timedelta(hours=12, seconds=1)])]
    r = connect("duckdb").to_pyarrow(ae_counts(_ae(rows), {"RJ1"})).to_pylist()[0]
    assert (r["dta_4_12h"], r["dta_12h"]) == (2, 1)


def test_rtt_week_boundaries() -> None:
    census = dt.date(2026, 4, 30)
    waits = [125, 126, 363, 364, 454, 455, 545, 546]
    table = ibis.memtable([{"record_id": i, "provider": "RJ1", "commissioner": "08K", "treatment_function": "C_100",
                            "clock_start": census - dt.timedelta(days=d), "census_date": census,
                            "pathway_part": "Part_2"} for i, d in enumerate(waits)])
    r = connect("duckdb").to_pyarrow(rtt_counts(table, {"RJ1"})).to_pylist()[0]
    assert (r["pathways"], r["within_18wk"], r["over_52wk"], r["over_65wk"], r["over_78wk"]) == (8, 1, 5, 3, 1)


def test_csv_month_folders_give_the_same_counts(sample_root: Path, derived: Any, tmp_path: Path) -> None:
    for name in (AE_DATASET, RTT_DATASET):
        for src in (sample_root / name).glob("month=202[56]-0[45]/*.parquet"):
            target = tmp_path / name / src.parent.name / "part-0.csv"
            target.parent.mkdir(parents=True)
            duckdb.sql(f"COPY (SELECT * FROM read_parquet('{src}')) TO '{target}' (HEADER)")
        (tmp_path / name / "providers.csv").write_bytes((sample_root / name / "providers.csv").read_bytes())
    again = derive_folder(connect("duckdb"), tmp_path, set())
    assert again.ae == [r for r in derived.ae if (r["year"], r["month"]) in {(2025, 4), (2025, 5)}]
    assert again.rtt == derived.rtt
    assert len(again.ae) == 2 * (len(AE_SAMPLE) + 1)  # the sample providers and the unknown one
