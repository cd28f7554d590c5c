"""One code path: the same derivation on DuckDB and on Spark gives identical counts.

Smoke set (marker ``spark``, selected by default, about a minute): a local Spark session on
the shared sample, then a standalone master and worker started here on 127.0.0.1 with the
launcher shipped in pyspark (``bin/spark-class``). Needs Java 17 (``openjdk-17-jre-headless``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
import pytest

from opmodel.records import (
    connect,
    derive_folder,
    duplicate_strategy,
    metric_rows,
    read_dataset,
    read_provider_list,
    rtt_counts,
    spark_session,
)

pytestmark = pytest.mark.spark


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop_active_session() -> None:
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


@pytest.fixture(scope="module")
def duckdb_result(sample_root: Path) -> Any:
    return derive_folder(connect("duckdb"), sample_root, set())


def test_local_spark_equals_duckdb_exactly(sample_root: Path, duckdb_result: Any) -> None:
    _stop_active_session()
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


@pytest.fixture
def standalone_master(tmp_path: Path) -> Iterator[str]:
    """A Spark master and one worker on 127.0.0.1, stopped (by pid) when the test ends."""
    import pyspark

    spark_class = Path(pyspark.__file__).parent / "bin" / "spark-class"
    port = _free_port()
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable,
           "SPARK_LOG_DIR": str(tmp_path), "SPARK_WORKER_DIR": str(tmp_path / "work")}
    log = (tmp_path / "spark.log").open("w")
    procs = [subprocess.Popen([str(spark_class), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                               "--port", str(port), "--webui-port", str(_free_port())],
                              env=env, stdout=log, stderr=subprocess.STDOUT)]
    url = f"spark://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        procs.append(subprocess.Popen([str(spark_class), "org.apache.spark.deploy.worker.Worker", url,
                                       "--host", "127.0.0.1", "--cores", "1", "--memory", "1g",
                                       "--webui-port", str(_free_port())],
                                      env=env, stdout=log, stderr=subprocess.STDOUT))
        while time.monotonic() < deadline and "Registering worker" not in (tmp_path / "spark.log").read_text():
            time.sleep(0.5)
        assert "Registering worker" in (tmp_path / "spark.log").read_text(), "the worker did not register"
        yield url
    finally:
        _stop_active_session()
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def test_standalone_cluster_equals_duckdb(standalone_master: str, sample_root: Path, duckdb_result: Any) -> None:
    _stop_active_session()
    session = spark_session(standalone_master, conf={"spark.executor.memory": "1g", "spark.cores.max": "1"})
    assert session.sparkContext.master == standalone_master
    result = derive_folder(ibis.pyspark.connect(session), sample_root, set())
    assert result.ae == duckdb_result.ae
    assert result.rtt == duckdb_result.rtt
