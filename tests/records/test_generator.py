"""The generator reproduces the published counts exactly, reproducibly, a row group at a time.

The checks here aggregate the Parquet files with plain DuckDB SQL, independently of the
ibis derivation under test elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from opmodel.records import (
    AE_DATASET,
    RTT_DATASET,
    ae_calibration_files,
    generate_ae,
    generate_rtt,
    read_ae_counts,
    read_rtt_cells,
)
from opmodel.records.calibration import AE_GROUPS
from opmodel.records.generator import ae_records_for

from .conftest import AE_FOLDER, AE_SAMPLE, INJECTED, RTT_SAMPLE


def _published() -> dict[tuple[str, str], object]:
    out = {}
    for f in ae_calibration_files(AE_FOLDER):
        for c in read_ae_counts(f):
            if c.org_code in AE_SAMPLE:
                out[(c.org_code, c.month.isoformat()[:7])] = c
    return out


def test_every_group_count_matches_the_publication(sample_root: Path) -> None:
    glob = str(sample_root / AE_DATASET / "month=*" / "*.parquet")
    got = {}
    for row in duckdb.sql(f"""
        SELECT provider, strftime(arrival, '%Y-%m') AS m, department_type, booked_appointment,
               count(*) AS n, count(*) FILTER (WHERE epoch(departure) - epoch(arrival) > 14400) AS over,
               count(*) FILTER (WHERE epoch(departure) - epoch(decision_to_admit) > 43200) AS d12,
               count(*) FILTER (WHERE epoch(departure) - epoch(decision_to_admit) BETWEEN 14401 AND 43200) AS d412,
               count(*) FILTER (WHERE admitted) AS adm
        FROM read_parquet('{glob}')
        WHERE provider <> 'ZZZ99' AND departure >= arrival
          AND record_id NOT IN (SELECT record_id FROM read_parquet('{glob}') GROUP BY 1 HAVING count(*) > 1)
        GROUP BY ALL""").fetchall():
        got[row[:4]] = row[4:]
    published = _published()
    assert len(published) == len(AE_SAMPLE) * 14
    for (org, month), c in published.items():
        d12 = d412 = 0
        for g, (dept, booked) in enumerate(AE_GROUPS):
            n, over, g12, g412, adm = got.get((org, month, dept, booked), (0, 0, 0, 0, 0))
            assert (n, over) == (c.attendances[g], c.over_4h[g]), (org, month, dept, booked)
            d12, d412 = d12 + g12, d412 + g412
            t = AE_GROUPS.index((dept, False))
            if not booked and c.admissions[t] <= c.attendances[g]:
                assert adm >= c.admissions[t]
        assert (d12, d412) == (c.dta_12h, c.dta_4_12h), (org, month)


def test_dta_waits_beyond_admissions_still_reproduced(sample_root: Path) -> None:
    """RXF, January 2025: 4-12 h + 12+ h DTA waits exceed admissions via A&E; the waits win."""
    c = _published()[("RXF", "2025-01")]
    assert c.dta_4_12h + c.dta_12h > sum(c.admissions)
    table = ae_records_for(c, seed=7, first_id=1)
    admitted = sum(table.column("admitted").to_pylist())
    assert admitted >= c.dta_4_12h + c.dta_12h


def test_same_seed_same_records_other_seed_different(tmp_path: Path) -> None:
    c = _published()[("RJ1", "2025-05")]
    a, b = ae_records_for(c, seed=3, first_id=1), ae_records_for(c, seed=3, first_id=1)
    assert a.equals(b)
    assert not a.equals(ae_records_for(c, seed=4, first_id=1))


def test_a_subset_of_providers_gives_the_same_records(sample_root: Path, tmp_path: Path) -> None:
    generate_ae(ae_calibration_files(AE_FOLDER), tmp_path, seed=7, providers=["RJ1"], months=["2025-05"])
    alone = pq.read_table(tmp_path / AE_DATASET / "month=2025-05" / "part-0.parquet").drop(["record_id"])
    full = pq.read_table(sample_root / AE_DATASET / "month=2025-05" / "part-0.parquet")
    full = full.filter(full.column("provider").to_numpy(zero_copy_only=False) == "RJ1").drop(["record_id"])
    assert alone.sort_by("arrival").equals(full.sort_by("arrival"))


def test_rtt_reproduces_every_cell_and_week_bucket(sample_root: Path, small_extract: Path) -> None:
    glob = str(sample_root / RTT_DATASET / "month=*" / "*.parquet")
    got = {tuple(r[:4]): r[4] for r in duckdb.sql(f"""
        SELECT provider, commissioner, treatment_function, least((census_date - clock_start) // 7, 104) AS w, count(*)
        FROM read_parquet('{glob}')
        WHERE clock_start IS NOT NULL AND provider <> 'ZZZ99'
          AND record_id NOT IN (SELECT record_id FROM read_parquet('{glob}') GROUP BY 1 HAVING count(*) > 1)
        GROUP BY ALL""").fetchall()}
    expected = {}
    for cell in read_rtt_cells(small_extract):
        for week, n in enumerate(cell.buckets):
            if n:
                expected[(cell.provider, cell.commissioner, cell.treatment_function, week)] = n
    assert got == expected
    assert {k[0] for k in expected} == set(RTT_SAMPLE)
    assert len({k[:3] for k in expected}) > 100


def test_rtt_streams_in_bounded_row_groups(tmp_path: Path, small_extract: Path) -> None:
    res = generate_rtt(small_extract, tmp_path, providers=["RAN"], batch_records=5_000, inject_bad=1)
    meta = pq.ParquetFile(res.files[0]).metadata
    assert meta.num_row_groups > 1
    assert max(meta.row_group(i).num_rows for i in range(meta.num_row_groups)) <= 5_000
    assert res.records == meta.num_rows == sum(
        sum(c.buckets) for c in read_rtt_cells(small_extract) if c.provider == "RAN") + 4


@pytest.mark.parametrize("dataset", [AE_DATASET, RTT_DATASET])
def test_provider_reference_list_written(sample_root: Path, dataset: str) -> None:
    text = (sample_root / dataset / "providers.csv").read_text().splitlines()
    assert text[0] == "code,name,source"
    codes = {line.split(",")[0] for line in text[1:]}
    assert codes == set(AE_SAMPLE if dataset == AE_DATASET else RTT_SAMPLE)
    assert INJECTED and "ZZZ99" not in codes


def test_record_files_delta_encode_ids_and_keep_timestamps_plain(sample_root: Path) -> None:
    """The derivation reads ids twice: delta-encoded they decode ~10x faster (docs/decisions.md)."""
    for dataset in (AE_DATASET, RTT_DATASET):
        meta = pq.ParquetFile(next((sample_root / dataset).glob("month=*/*.parquet"))).metadata
        cols = {meta.row_group(0).column(i).path_in_schema: meta.row_group(0).column(i)
                for i in range(meta.num_columns)}
        assert "DELTA_BINARY_PACKED" in cols["record_id"].encodings
        assert "RLE_DICTIONARY" in cols["provider"].encodings and cols["record_id"].compression == "ZSTD"
        for name, col in cols.items():
            if name in ("arrival", "departure", "decision_to_admit"):
                assert "RLE_DICTIONARY" not in col.encodings, name
