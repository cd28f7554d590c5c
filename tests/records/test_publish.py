"""Derived values land in the metric store with provenance, atomically, replacing earlier ones."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from opmodel.errors import InputError
from opmodel.metrics import get_metric, list_metrics
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
    with pytest.raises(InputError, match="expected an organisation code") as err:  # checked, located
        write_metric_rows(store, broken, file=sample_root, publication="records_duckdb", sha256="b" * 64)
    assert err.value.problems[0].field == "org_code"
    assert store.scalar("SELECT count(*) FROM metric_sources") == before
    assert store.scalar("SELECT count(*) FROM metric_values WHERE metric LIKE '%_records'") == 0


def test_registry_codes_are_the_default_reference(store: Store) -> None:
    codes = known_provider_codes(store)
    assert {"RJ1", "QKK", "Y56"} <= codes and "ZZZ99" not in codes


def test_deriving_twice_is_idempotent(store: Store, rows: list[MetricRow], sample_root: Path) -> None:
    """Deriving the same files again used to add a second source with the same sha256."""
    sha = "c" * 64
    first = write_metric_rows(store, rows, file=sample_root, publication="records_duckdb", sha256=sha)
    again = write_metric_rows(store, rows, file=sample_root, publication="records_duckdb", sha256=sha)
    assert again == first
    assert store.scalar("SELECT count(*) FROM metric_sources WHERE sha256 = ?", [sha]) == 1
    assert store.scalar("SELECT count(*) FROM metric_revisions") == 0


def test_changed_derivations_are_recorded_as_revisions(store: Store, rows: list[MetricRow],
                                                       sample_root: Path) -> None:
    write_metric_rows(store, rows, file=sample_root, publication="records_duckdb", sha256="d" * 64)
    first = next(r for r in rows if r.metric == "ae_12hr_dta_records")
    changed = [MetricRow(**{**{f: getattr(r, f) for f in r.__slots__}, "value": r.value + 1,  # type: ignore[operator]
                            "numerator": (r.numerator or 0) + 1}) if r is first else r for r in rows]
    sid = write_metric_rows(store, changed, file=sample_root, publication="records_duckdb", sha256="e" * 64)
    rev = store.rows("SELECT * FROM metric_revisions")
    assert len(rev) == 1 and rev[0]["new_source_id"] == sid and rev[0]["new_value"] == first.value + 1


def test_the_six_derived_metrics_are_catalogued(store: Store, rows: list[MetricRow], sample_root: Path) -> None:
    """They made get_metric raise and vanished from the profile."""
    from opmodel.records import DERIVED_METRICS

    for metric in DERIVED_METRICS:
        assert get_metric(metric).source == "records"
    write_metric_rows(store, rows, file=sample_root, publication="records_duckdb", sha256="f" * 64)
    held = {r["metric"]: r for r in list_metrics(store)}
    assert all(held[m]["values_held"] > 0 and held[m]["name"] for m in DERIVED_METRICS)
