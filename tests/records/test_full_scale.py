"""National scale (deselected by default): every trust-month and every RTT provider round-trips.

Run with ``.venv/bin/pytest -m slow tests/records`` (about 33 million records; DuckDB and Spark).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from opmodel.records import ae_calibration_files, connect, derive_folder, generate_ae, generate_rtt, read_ae_counts

from .conftest import AE_FOLDER, RTT_BY_PROVIDER, RTT_EXTRACT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("national")
    generate_ae(ae_calibration_files(AE_FOLDER), root, seed=11, inject_bad=3)
    generate_rtt(RTT_EXTRACT, root, seed=11, inject_bad=3)
    return root


@pytest.fixture(scope="module")
def on_duckdb(national: Path) -> Any:
    return derive_folder(connect("duckdb", memory_limit="3GB"), national, set())


def test_every_trust_month_round_trips(on_duckdb: Any) -> None:
    got = {(r["provider"], f"{r['year']:04d}-{r['month']:02d}"): r for r in on_duckdb.ae}
    checked = 0
    for f in ae_calibration_files(AE_FOLDER):
        for c in read_ae_counts(f):
            r = got.get((c.org_code, c.month.isoformat()[:7]), {"attendances": 0, "over_4h": 0, "dta_12h": 0})
            assert (r["attendances"], r["over_4h"], r["dta_12h"]) == (sum(c.attendances), sum(c.over_4h), c.dta_12h)
            checked += 1
    assert checked > 2_700


def test_every_rtt_provider_round_trips(on_duckdb: Any) -> None:
    got = {r["provider"]: r for r in on_duckdb.rtt}
    with RTT_BY_PROVIDER.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    for p in rows:
        r = got[p["Provider Org Code"]]
        assert (r["pathways"], r["within_18wk"], r["over_52wk"], r["over_65wk"], r["over_78wk"]) == (
            int(p["incomplete_total"]), int(p["within_18_weeks"]), int(p["over_52_weeks"]),
            int(p["over_65_weeks"]), int(p["over_78_weeks"]))
    assert len(rows) == 528 and sum(r["pathways"] for r in on_duckdb.rtt) == 7_123_980


@pytest.mark.spark
def test_spark_equals_duckdb_at_national_scale(national: Path, on_duckdb: Any) -> None:
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
    on_spark = derive_folder(connect("spark", spark_master="local[2]"), national, set())
    assert on_spark.ae == on_duckdb.ae and on_spark.rtt == on_duckdb.rtt
