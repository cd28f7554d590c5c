"""One code path: the same derivation on DuckDB and on Spark gives identical counts.

Smoke set (marker ``spark``, selected by default, about a minute): a local Spark session on
the shared sample. The standalone cluster is in ``test_spark_cluster.py``, so that the two long
files can run on different workers. Needs Java 17 (``openjdk-17-jre-headless``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from opmodel.records import (
    connect,
    derive_folder,
    duplicate_strategy,
    metric_rows,
    read_dataset,
    read_provider_list,
    rtt_counts,
)
from tests.records.spark_support import stop_active_session

pytestmark = pytest.mark.spark


def test_local_spark_equals_duckdb_exactly(sample_root: Path, duckdb_result: Any) -> None:
    stop_active_session()
    spark = derive_folder(connect("spark", spark_master="local[2]"), sample_root, set())
    assert spark.engine == "pyspark" and duckdb_result.engine == "duckdb"
    assert spark.ae == duckdb_result.ae
    assert spark.rtt == duckdb_result.rtt
    mine = [(m.metric, m.org_code, m.period_start, m.value, m.numerator, m.denominator) for m in metric_rows(spark)]
    theirs = [(m.metric, m.org_code, m.period_start, m.value, m.numerator, m.denominator)
              for m in metric_rows(duckdb_result)]
    assert mine == theirs and len(mine) > 100


def test_sorted_duplicate_search_also_runs_on_spark(sample_root: Path, duckdb_result: Any) -> None:
    """DuckDB's duplicate search (sorted ids) is engine-neutral too; Spark groups by default."""
    con = connect("spark", spark_master="local[2]")
    assert duplicate_strategy(con) == "group"
    folder = sample_root / "rtt_pathways"
    expr = rtt_counts(read_dataset(con, folder), read_provider_list(folder / "providers.csv"), duplicates="sort")
    got = [{k: (v if k == "provider" else int(v)) for k, v in r.items()} for r in con.to_pyarrow(expr).to_pylist()]
    assert got == duckdb_result.rtt and sum(r["excluded_duplicate_record_id"] for r in got) > 0
