"""Structural problems reject the input with the column named; rule breaches do not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import ibis
import pytest

from opmodel.errors import InputError
from opmodel.records import AE_DATASET, AE_SCHEMA, connect, read_dataset, validate_records


def test_generated_records_pass_the_full_schema_check(sample_root: Path) -> None:
    con = connect("duckdb")
    table = read_dataset(con, sample_root / AE_DATASET, validate_data=True)
    # Exactly the schema's columns: no Hive "month" column from the month=YYYY-MM folders.
    assert tuple(table.columns) == tuple(AE_SCHEMA.names)


def test_missing_column_names_the_column(sample_root: Path, tmp_path: Path) -> None:
    src = next((sample_root / AE_DATASET).glob("month=*/*.parquet"))
    target = tmp_path / AE_DATASET / "month=2024-06" / "part-0.parquet"
    target.parent.mkdir(parents=True)
    duckdb.sql(f"COPY (SELECT * EXCLUDE (departure) FROM read_parquet('{src}')) TO '{target}'")
    with pytest.raises(InputError) as err:
        read_dataset(connect("duckdb"), tmp_path / AE_DATASET)
    assert err.value.problems[0].field == "departure"
    assert "expected column" in err.value.problems[0].message


def test_unknown_department_type_fails_the_data_check() -> None:
    t0 = dt.datetime(2025, 5, 1)
    table = ibis.memtable({"record_id": [1], "provider": ["RJ1"], "site": ["RJ101"], "department_type": ["9"],
                           "booked_appointment": [False], "arrival": [t0], "departure": [t0],
                           "decision_to_admit": [None], "admitted": [False]}
                          ).cast({"decision_to_admit": "timestamp"})
    with pytest.raises(InputError) as err:
        validate_records(table, "ae", "memtable", data=True)
    assert err.value.problems[0].field == "department_type"
    # Types alone are fine: the code list is a data check, run only when asked.
    assert validate_records(table, "ae", "memtable") is table


def test_an_empty_folder_is_rejected_with_what_was_expected(tmp_path: Path) -> None:
    (tmp_path / AE_DATASET).mkdir()
    with pytest.raises(InputError, match=r"month=YYYY-MM"):
        read_dataset(connect("duckdb"), tmp_path / AE_DATASET)
