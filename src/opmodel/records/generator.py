"""A seeded synthetic generator of record-level data calibrated to NHS England's publications.

For every organisation-month of the monthly A&E files it writes attendance records whose
aggregation reproduces the published attendances and over-4-hour counts of each of the six
department groups and the 4-12 and 12+ hour decision-to-admit waits exactly. For the RTT full
extract it writes one record per incomplete pathway reproducing every provider × treatment
function × commissioner × week-bucket count. Output streams to Parquet folders partitioned by
month (``<out>/ae_attendances/month=YYYY-MM/part-0.parquet``), a row group at a time, so memory
stays bounded whatever the scale. Each organisation-month draws from its own seeded stream, so
a subset of providers produces the same records as the full run (only record ids differ).
"""

from __future__ import annotations

import calendar
import datetime as dt
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from opmodel import csvsafe
from opmodel.records.calibration import AE_GROUPS, RTT_BUCKETS, AeCounts, RttCell, read_ae_counts, read_rtt_cells
from opmodel.records.layout import AE_DATASET, RTT_DATASET, month_dir
from opmodel.records.schemas import AE_SCHEMA, RTT_SCHEMA

__all__ = ["UNKNOWN_PROVIDER", "GenerateResult", "ae_records_for", "generate_ae", "generate_rtt"]

#: The provider code injected records use to exercise the unknown-provider rule.
UNKNOWN_PROVIDER = "ZZZ99"
_SITE_SUFFIX = {"1": "01", "2": "02", "other": "03"}
_H = 3600
_ROW_GROUP = 1_000_000
Progress = Callable[[int], None]

AE_ARROW = AE_SCHEMA.to_pyarrow()
RTT_ARROW = RTT_SCHEMA.to_pyarrow()


@dataclass
class GenerateResult:
    """What a generator run wrote: record counts per month file and the injected bad records."""

    dataset: Path
    records: int = 0
    files: list[Path] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)


def _rng(seed: int, *parts: str) -> np.random.Generator:
    """An independent stream per (seed, organisation, month): reproducible for any subset."""
    return np.random.default_rng([seed, *(zlib.crc32(p.encode()) for p in parts)])


def _uniform(rng: np.random.Generator, lo: int, hi: int, n: int) -> np.ndarray:
    """Whole seconds in [lo, hi]."""
    return rng.integers(lo, hi + 1, size=n, dtype=np.int64)


def _allocate(c: AeCounts) -> list[tuple[int, int, int, int, int]]:
    """Per group: (attendances, over 4h, admitted, DTA waits > 4h, of which > 12h).

    Admissions via A&E are published by type only: they go to the walk-in group first, then
    booked, capped at attendances. DTA waits are published for the organisation only: they go
    to over-4-hour attendances in group order (a DTA wait over 4 hours implies a stay over 4
    hours), and a group admits at least its DTA waiters (docs/decisions.md, Records and scale).
    """
    adm_by_group = [0] * 6
    for t in range(3):
        walk_in, booked = t, t + 3
        adm_by_group[walk_in] = min(c.admissions[t], c.attendances[walk_in])
        adm_by_group[booked] = min(c.admissions[t] - adm_by_group[walk_in], c.attendances[booked])
    dta_left, d12_left = c.dta_4_12h + c.dta_12h, c.dta_12h
    out = []
    for g in range(6):
        dta = min(dta_left, c.over_4h[g])
        d12 = min(d12_left, dta)
        dta_left -= dta
        d12_left -= d12
        out.append((c.attendances[g], c.over_4h[g], max(adm_by_group[g], dta), dta, d12))
    if dta_left:
        raise ValueError(f"{c.org_code} {c.month}: more DTA waits than over-4-hour attendances")
    return out


def ae_records_for(c: AeCounts, seed: int, first_id: int) -> pa.Table:
    """The attendance records of one organisation-month (ids from ``first_id``)."""
    rng = _rng(seed, c.org_code, c.month.isoformat())
    month_start = np.datetime64(c.month.isoformat(), "s").astype(np.int64)
    month_secs = calendar.monthrange(c.month.year, c.month.month)[1] * 86400
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("dtype", "booked", "arr", "dep", "dta", "has_dta")}
    for (dept, booked), (n, over, adm, dta, d12) in zip(AE_GROUPS, _allocate(c), strict=True):
        if n == 0:
            continue
        i = np.arange(n)
        is_over, is_adm = i < over, i < adm
        arrival = month_start + _uniform(rng, 0, month_secs - 1, n)
        # Stay lengths: within 4 hours is <= 14,400 s (exactly 4 hours counts as within).
        stay = np.where(is_over, _uniform(rng, 4 * _H + 1, 16 * _H, n), _uniform(rng, 300, 4 * _H, n))
        # Wait from decision to admit to departure: 12+ h, 4-12 h, else up to 4 h (and within the stay).
        short_wait = np.minimum(_uniform(rng, 600, 4 * _H, n), np.maximum(stay - 600, 1))
        wait = np.where(i < d12, _uniform(rng, 12 * _H + 1, 30 * _H, n),
                        np.where(i < dta, _uniform(rng, 4 * _H + 1, 12 * _H, n), short_wait))
        # Long DTA waiters' stays are the time to decision plus the wait.
        stay = np.where(i < dta, _uniform(rng, 1800, 4 * _H, n) + wait, stay)
        departure = arrival + stay
        cols["dtype"].append(np.full(n, dept, dtype=object))
        cols["booked"].append(np.full(n, booked))
        cols["arr"].append(arrival)
        cols["dep"].append(departure)
        cols["dta"].append(departure - wait)
        cols["has_dta"].append(is_adm)
    if not cols["arr"]:
        return AE_ARROW.empty_table()
    dtype = np.concatenate(cols["dtype"])
    n = len(dtype)
    has_dta = np.concatenate(cols["has_dta"])
    ts = pa.timestamp("us")
    return pa.table({
        "record_id": pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
        "provider": pa.array([c.org_code] * n, pa.string()),
        "site": pa.array(np.char.add(c.org_code, np.vectorize(_SITE_SUFFIX.__getitem__)(dtype)), pa.string()),
        "department_type": pa.array(dtype, pa.string()),
        "booked_appointment": pa.array(np.concatenate(cols["booked"])),
        "arrival": pa.array(np.concatenate(cols["arr"]) * 1_000_000, ts),
        "departure": pa.array(np.concatenate(cols["dep"]) * 1_000_000, ts),
        "decision_to_admit": pa.array(np.concatenate(cols["dta"]) * 1_000_000, ts, mask=~has_dta),
        "admitted": pa.array(has_dta),
    }, schema=AE_ARROW)


def _ae_bad_records(c: AeCounts, k: int, first_id: int) -> pa.Table:
    """``k`` records breaking each A&E rule, dated in ``c``'s month (all excluded by derivation)."""
    start = dt.datetime(c.month.year, c.month.month, 1, 10)
    rows = []
    for j in range(k):
        arr = start + dt.timedelta(hours=j)
        base = {"site": c.org_code + "01", "department_type": "1", "booked_appointment": False,
                "decision_to_admit": None, "admitted": False}
        rows.append({**base, "record_id": first_id + 4 * j, "provider": c.org_code,
                     "arrival": arr, "departure": arr - dt.timedelta(minutes=30)})
        rows.append({**base, "record_id": first_id + 4 * j + 1, "provider": UNKNOWN_PROVIDER,
                     "arrival": arr, "departure": arr + dt.timedelta(hours=1)})
        for _ in range(2):  # two records sharing one id
            rows.append({**base, "record_id": first_id + 4 * j + 2, "provider": c.org_code,
                         "arrival": arr, "departure": arr + dt.timedelta(hours=5)})
    return pa.Table.from_pylist(rows, schema=AE_ARROW)


def parquet_options(schema: pa.Schema) -> dict[str, Any]:
    """How record files are encoded: ZSTD; ids delta-encoded; dictionaries only where values repeat.

    Record ids ascend through a file, so delta encoding stores them in about a bit each and
    decodes ten times faster than the dictionary-then-plain fallback, which matters because
    the derivation reads the ids twice (duplicate search and main scan). Timestamps are
    almost all distinct, so a dictionary attempt is wasted work; codes, dates and flags keep
    dictionaries (docs/decisions.md, Records and scale).
    """
    plain = {"record_id", *(f.name for f in schema if pa.types.is_timestamp(f.type))}
    return {"compression": "zstd",
            "use_dictionary": [f.name for f in schema if f.name not in plain and not pa.types.is_boolean(f.type)],
            "column_encoding": {"record_id": "DELTA_BINARY_PACKED"}}


class _Writer:
    """Row groups of about ``row_group`` records appended to one Parquet file."""

    def __init__(self, path: Path, schema: pa.Schema, row_group: int = _ROW_GROUP) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.row_group = row_group
        self.path = path
        self.schema = schema
        self.tmp = path.with_suffix(".parquet.tmp")
        self.writer = pq.ParquetWriter(self.tmp, schema, **parquet_options(schema))
        self.pending: list[pa.Table] = []
        self.rows = 0

    def add(self, table: pa.Table) -> None:
        self.pending.append(table)
        if sum(t.num_rows for t in self.pending) >= self.row_group:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            table = pa.concat_tables(self.pending)
            self.writer.write_table(table, row_group_size=self.row_group)
            self.rows += table.num_rows
            self.pending = []

    def close(self) -> None:
        self.flush()
        self.writer.close()
        self.tmp.replace(self.path)  # a month file appears only once complete


def _write_providers(folder: Path, rows: Iterable[tuple[str, str]], source: str) -> None:
    """The publication's provider list: the reference the unknown-provider rule checks against."""
    with (folder / "providers.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csvsafe.writer(fh)
        w.writerow(["code", "name", "source"])
        for code, name in sorted(set(rows)):
            w.writerow([code, name, source])


def generate_ae(files: Sequence[Path], out: Path, *, seed: int = 1, providers: Sequence[str] | None = None,
                months: Sequence[str] | None = None, inject_bad: int = 0,
                progress: Progress | None = None) -> GenerateResult:
    """Write A&E attendance records for every organisation-month in the monthly A&E ``files``.

    ``providers``/``months`` (``YYYY-MM``) restrict the output; ``inject_bad`` adds that many
    records per rule per month (departure before arrival, unknown provider, duplicated id pairs).
    Where two files cover the same month (a revision), the later file in ``files`` wins.
    """
    by_month: dict[dt.date, dict[str, AeCounts]] = {}
    for path in files:
        for c in read_ae_counts(path):
            if (providers is None or c.org_code in providers) and (months is None or c.month.isoformat()[:7] in months):
                by_month.setdefault(c.month, {})[c.org_code] = c
    dataset = out / AE_DATASET
    result = GenerateResult(dataset=dataset, injected={"departure_before_arrival": 0, "unknown_provider": 0,
                                                       "duplicate_record_id": 0})
    next_id = 1
    names: list[tuple[str, str]] = []
    for month in sorted(by_month):
        writer = _Writer(dataset / month_dir(month) / "part-0.parquet", AE_ARROW)
        for code in sorted(by_month[month]):
            c = by_month[month][code]
            names.append((c.org_code, c.org_name))
            table = ae_records_for(c, seed, next_id)
            next_id += table.num_rows
            writer.add(table)
            if progress:
                progress(table.num_rows)
        if inject_bad and by_month[month]:
            bad = _ae_bad_records(by_month[month][min(by_month[month])], inject_bad, next_id)
            next_id += 4 * inject_bad
            writer.add(bad)
            result.injected["departure_before_arrival"] += inject_bad
            result.injected["unknown_provider"] += inject_bad
            result.injected["duplicate_record_id"] += 2 * inject_bad
        writer.close()
        result.records += writer.rows
        result.files.append(writer.path)
    dataset.mkdir(parents=True, exist_ok=True)
    _write_providers(dataset, names, "NHS England monthly A&E attendances and emergency admissions")
    return result


def _rtt_batches(cells: Iterator[RttCell], limit: int) -> Iterator[list[RttCell]]:
    batch: list[RttCell] = []
    size = 0
    for cell in cells:
        batch.append(cell)
        size += sum(cell.buckets)
        if size >= limit:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _rtt_table(batch: list[RttCell], rng: np.random.Generator, first_id: int) -> pa.Table:
    counts = np.array([c.buckets for c in batch], dtype=np.int64).ravel()
    n = int(counts.sum())
    cell = np.repeat(np.repeat(np.arange(len(batch)), RTT_BUCKETS), counts)
    week = np.repeat(np.tile(np.arange(RTT_BUCKETS), len(batch)), counts)
    # A wait of w whole weeks is 7w to 7w+6 days; the open-ended 104+ bucket spreads over ~6 months.
    days = week * 7 + np.where(week < RTT_BUCKETS - 1, rng.integers(0, 7, n), rng.integers(0, 182, n))
    census = np.array([np.datetime64(c.census_date.isoformat(), "D") for c in batch])[cell]
    take = pa.array(cell)
    return pa.table({
        "record_id": pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
        "provider": pa.array([c.provider for c in batch], pa.string()).take(take),
        "commissioner": pa.array([c.commissioner for c in batch], pa.string()).take(take),
        "treatment_function": pa.array([c.treatment_function for c in batch], pa.string()).take(take),
        "clock_start": pa.array(census - days.astype("timedelta64[D]"), pa.date32()),
        "census_date": pa.array(census, pa.date32()),
        "pathway_part": pa.array(np.full(n, "Part_2", dtype=object), pa.string()),
    }, schema=RTT_ARROW)


def _rtt_bad_records(cell: RttCell, k: int, first_id: int) -> pa.Table:
    """``k`` records per RTT rule: null clock start, unknown provider, duplicated id pairs."""
    rows = []
    base = {"commissioner": cell.commissioner, "treatment_function": cell.treatment_function,
            "census_date": cell.census_date, "pathway_part": "Part_2"}
    start = cell.census_date - dt.timedelta(days=30)
    for j in range(k):
        rows.append({**base, "record_id": first_id + 4 * j, "provider": cell.provider, "clock_start": None})
        rows.append({**base, "record_id": first_id + 4 * j + 1, "provider": UNKNOWN_PROVIDER, "clock_start": start})
        for _ in range(2):
            rows.append({**base, "record_id": first_id + 4 * j + 2, "provider": cell.provider, "clock_start": start})
    return pa.Table.from_pylist(rows, schema=RTT_ARROW)


def generate_rtt(extract: Path, out: Path, *, seed: int = 1, providers: Sequence[str] | None = None,
                 inject_bad: int = 0, progress: Progress | None = None,
                 batch_records: int = _ROW_GROUP) -> GenerateResult:
    """Write one record per incomplete RTT pathway in the full ``extract`` (zip or CSV), streaming."""
    dataset = out / RTT_DATASET
    result = GenerateResult(dataset=dataset, injected={"null_clock_start": 0, "unknown_provider": 0,
                                                       "duplicate_record_id": 0})
    cells = (c for c in read_rtt_cells(extract) if providers is None or c.provider in providers)
    writers: dict[dt.date, _Writer] = {}
    next_id = 1
    seen: set[str] = set()
    first_cell: RttCell | None = None
    for n_batch, batch in enumerate(_rtt_batches(cells, batch_records)):
        first_cell = first_cell or batch[0]
        seen.update(c.provider for c in batch)
        for census in sorted({c.census_date for c in batch}):
            part = [c for c in batch if c.census_date == census]
            table = _rtt_table(part, _rng(seed, "rtt", str(n_batch), census.isoformat()), next_id)
            next_id += table.num_rows
            if census not in writers:
                writers[census] = _Writer(dataset / month_dir(census) / "part-0.parquet", RTT_ARROW, batch_records)
            writers[census].add(table)
            if progress:
                progress(table.num_rows)
    if inject_bad and first_cell is not None:
        writers[first_cell.census_date].add(_rtt_bad_records(first_cell, inject_bad, next_id))
        result.injected = {"null_clock_start": inject_bad, "unknown_provider": inject_bad,
                           "duplicate_record_id": 2 * inject_bad}
    for census in sorted(writers):
        writers[census].close()
        result.records += writers[census].rows
        result.files.append(writers[census].path)
    dataset.mkdir(parents=True, exist_ok=True)
    _write_providers(dataset, ((p, "") for p in seen), "NHS England RTT full extract")
    return result
