"""Engines: the same ibis expressions run on embedded DuckDB (default) or on Apache Spark.

Only this module knows which engine is in use; readers and derivations take an ibis backend.
Spark is optional (``pip install 'opmodel[spark]'``, Java 17): a local session by default
(``local[2]``) or any master URL (``spark://host:7077``). The driver binds to loopback unless
told otherwise, the UI is off, and the session time zone is UTC so that timestamp arithmetic
gives the same seconds as DuckDB (no daylight-saving shifts).
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

from opmodel.errors import OpmodelError
from opmodel.records.layout import DATASETS, dataset_files
from opmodel.records.schemas import cast_to_schema, validate_records

__all__ = ["Engine", "connect", "read_dataset", "spark_session"]


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


def spark_session(master: str = "local[2]", *, bind_address: str = "127.0.0.1",
                  conf: dict[str, str] | None = None) -> Any:
    """A Spark session for ``master``, loopback-bound, UI off, UTC (reused if one is running)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise OpmodelError("the Spark engine needs the spark extra: pip install 'opmodel[spark]' "
                           "(and Java 17: apt-get install openjdk-17-jre-headless)") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", bind_address)
    builder = (SparkSession.builder.master(master).appName("opmodel-records")
               .config("spark.driver.bindAddress", bind_address)
               .config("spark.driver.host", bind_address)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "2g"))
    if master.startswith("local"):
        # A few shuffle partitions suit one machine; clusters keep Spark's default (adaptive).
        builder = builder.config("spark.sql.shuffle.partitions", "4")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect(engine: Engine | str = Engine.duckdb, *, spark_master: str | None = None,
            duckdb_path: str = ":memory:", threads: int | None = None,
            memory_limit: str | None = None) -> BaseBackend:
    """An ibis backend for ``engine``: DuckDB in memory or PySpark.

    DuckDB spills to its temporary directory past ``memory_limit`` (e.g. ``"3GB"``), which
    keeps a national year of records out of core on a small machine.
    """
    if Engine(engine) is Engine.spark:
        return ibis.pyspark.connect(spark_session(spark_master or "local[2]"))
    con = ibis.duckdb.connect(duckdb_path)
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    if memory_limit:
        con.raw_sql(f"SET memory_limit = '{memory_limit.replace(chr(39), '')}'")
    return con


def read_dataset(con: BaseBackend, folder: Path, *, validate_data: bool = False) -> ibis.Table:
    """One dataset folder (``ae_attendances`` or ``rtt_pathways``) as an ibis table in its schema.

    Parquet and CSV month folders are read the same way on every engine: the files are named
    by a glob both engines expand, CSV text is cast to the schema's types, then pandera checks
    the result (types only, or every value when ``validate_data``).
    """
    kind = DATASETS.get(folder.name)
    if kind is None:
        raise OpmodelError(f"{folder}: expected a dataset folder named one of {', '.join(DATASETS)}")
    fmt, _files = dataset_files(folder)
    pattern = str(folder / "month=*" / f"*.{fmt}")
    is_spark = con.name == "pyspark"
    if fmt == "parquet":
        # No Hive partition column: the period comes from the records (Spark adds none for a glob).
        table = con.read_parquet(pattern) if is_spark else con.read_parquet(pattern, hive_partitioning=False)
    elif is_spark:
        table = con.read_csv(pattern, header=True, inferSchema=False)
    else:
        table = con.read_csv(pattern, all_varchar=True, header=True, hive_partitioning=False)
    table = cast_to_schema(table, kind, str(folder))
    return validate_records(table, kind, str(folder), data=validate_data)
