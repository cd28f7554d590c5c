"""The same derivation on a standalone Spark cluster (a master and one worker started here on
127.0.0.1 with the launcher shipped in pyspark, ``bin/spark-class``) gives DuckDB's counts.

Apart from ``test_spark.py`` so that the two long Spark files run on different workers (issue 25).
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

from opmodel.records import derive_folder, spark_session
from tests.records.spark_support import free_port, stop_active_session

pytestmark = pytest.mark.spark


@pytest.fixture
def standalone_master(tmp_path: Path) -> Iterator[str]:
    """A Spark master and one worker on 127.0.0.1, stopped (by pid) when the test ends."""
    import pyspark

    spark_class = Path(pyspark.__file__).parent / "bin" / "spark-class"
    port = free_port()
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable,
           "SPARK_LOG_DIR": str(tmp_path), "SPARK_WORKER_DIR": str(tmp_path / "work")}
    log = (tmp_path / "spark.log").open("w")
    procs = [subprocess.Popen([str(spark_class), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                               "--port", str(port), "--webui-port", str(free_port())],
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
                                       "--webui-port", str(free_port())],
                                      env=env, stdout=log, stderr=subprocess.STDOUT))
        while time.monotonic() < deadline and "Registering worker" not in (tmp_path / "spark.log").read_text():
            time.sleep(0.5)
        assert "Registering worker" in (tmp_path / "spark.log").read_text(), "the worker did not register"
        yield url
    finally:
        stop_active_session()
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def test_standalone_cluster_equals_duckdb(standalone_master: str, sample_root: Path, duckdb_result: Any) -> None:
    stop_active_session()
    session = spark_session(standalone_master, conf={"spark.executor.memory": "1g", "spark.cores.max": "1"})
    assert session.sparkContext.master == standalone_master
    result = derive_folder(ibis.pyspark.connect(session), sample_root, set())
    assert result.ae == duckdb_result.ae
    assert result.rtt == duckdb_result.rtt
