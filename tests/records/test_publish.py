"""Derived values land in the metric store with provenance, atomically, replacing earlier ones."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from opmodel.metrics.models import MetricRow
from opmodel.records import (
    connect,
    derive_folder,
    files_sha256,
    known_provider_codes,
    metric_rows,
    write_metric_rows,
)
from opmodel.store import Store


@pytest.fixture(scope="module")
def rows(sample_root: Path) -> list[MetricRow]:
    return metric_rows(derive_folder(connect("duckdb"), sample_root, set()))


def test_values_and_source_are_written(store: Store, rows: list[MetricRow], sample_root: Path) -> None:
    files = sorted(sample_root.glob("*/month=*/*.parquet"))
    sid = write_metric_rows(store, rows, file=sample_root, publication="records_duckdb",
                            sha256=files_sha256(files, sample_root))
    src = store.rows("SELECT * FROM metric_sources WHERE source_id = ?", [sid])[0]
    assert src["publication"] == "records_duckdb" and src["row_count"] == len(rows) and len(src["sha256"]) == 64
    got = store.rows("SELECT * FROM metric_values WHERE source_id = ? AND metric = 'ae_4hr_records' "
                     "AND org_code = 'RJ1' AND period_start = DATE '2025-05-01'", [sid])[0]
    assert got["denominator"] == 18_092 and round(got["value"], 1) == 79.1
    assert got["period_end"] == dt.date(2025, 5, 31)
    assert json.loads(got["extra"])["excluded"] == {"duplicate_record_id": 0, "unknown_provider": 0,
                                                    "departure_before_arrival": 0}
    assert store.scalar("SELECT count(*) FROM metric_values WHERE source_id = ?", [sid]) == len(rows)


def test_rederiving_replaces_not_duplicates(store: Store, rows: list[MetricRow], sample_root: Path) -> None:
    first = write_metric_rows(store, rows, file=sample_root, publication="records_duckdb", sha256="a" * 64)
    second = write_metric_rows(store, rows, file=sample_root, publication="records_spark", sha256="a" * 64)
    assert second != first
    assert store.scalar("SELECT count(*) FROM metric_values WHERE metric LIKE '%_records'") == len(rows)
    assert store.scalar("SELECT count(DISTINCT source_id) FROM metric_values WHERE metric LIKE '%_records'") == 1


def test_a_failing_write_leaves_nothing(store: Store, rows: list[MetricRow], sample_root: Path) -> None:
    before = store.scalar("SELECT count(*) FROM metric_sources")
    no_org: Any = None
    broken = [*rows[:5], MetricRow("ae_4hr_records", no_org, dt.date(2025, 5, 1), dt.date(2025, 5, 31), 1.0)]
    with pytest.raises(Exception, match=r"(?i)null|constraint"):
        write_metric_rows(store, broken, file=sample_root, publication="records_duckdb", sha256="b" * 64)
    assert store.scalar("SELECT count(*) FROM metric_sources") == before
    assert store.scalar("SELECT count(*) FROM metric_values WHERE metric LIKE '%_records'") == 0


def test_registry_codes_are_the_default_reference(store: Store) -> None:
    codes = known_provider_codes(store)
    assert {"RJ1", "QKK", "Y56"} <= codes and "ZZZ99" not in codes
