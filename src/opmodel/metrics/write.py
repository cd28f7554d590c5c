"""The one way metric values enter the store: stage, check, merge with revisions, provenance.

Every writer uses :func:`write_values` (or, for many small files at once, :func:`stage_values`
then :func:`write_staged`): the publication loader (:mod:`.loader`) and the record-level
derivation (``records.publish``). Flow, in one transaction:

1. a source already written (same SHA-256 and publication) is left alone: writing twice is
   idempotent;
2. the rows are checked (finite numbers, no negative counts, numerator within denominator
   for percentages, period order, an organisation code) and staged in a temporary table;
   duplicate keys are refused;
3. merge: new (metric, organisation, period) keys are inserted; unchanged rows keep their
   original source; changed rows (a number, or an attribute in ``extra`` such as a published rank
   or quartile: issue 20 item 3) replace the old ones and the change is recorded in
   ``metric_revisions`` -- unless the stored value comes from a *newer* publication (a higher
   :attr:`Source.version`, or final figures where the new ones are provisional), in which case
   the stored value is kept and the result says so (issue 16, item 8).

Organisation codes missing from the registry are added as ``other_provider``. Staging is done
in Python per source, so many sources with disjoint keys can be merged in one set of statements
(908 third-party series files: one merge instead of 908; issue 21) while each keeps its own
provenance and counts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa

from opmodel.errors import InputError, InputProblem
from opmodel.metrics.catalogue import MetricDefinition, catalogue
from opmodel.metrics.models import MetricRow
from opmodel.store import Store

__all__ = ["FINAL", "FIRST", "REVISED", "Source", "Staged", "WriteResult", "stage_values", "version_from_name",
           "write_staged", "write_values"]

#: Publication versions (higher wins): first publication, revised, final.
FIRST, REVISED, FINAL = 0, 1, 2
_STAGE = "_metric_stage"
_SOURCES = "_metric_stage_sources"
_ROW_FIELDS = (("metric", pa.string()), ("org_code", pa.string()), ("period_start", pa.date32()),
               ("period_end", pa.date32()), ("numerator", pa.float64()), ("denominator", pa.float64()),
               ("value", pa.float64()), ("provisional", pa.bool_()), ("source_row", pa.int32()),
               ("org_name", pa.string()), ("extra", pa.string()))
_STAGE_SCHEMA = pa.schema([*_ROW_FIELDS, ("src", pa.int32()), ("version", pa.int32())])


def version_from_name(name: str) -> int:
    """The version NHS England's file naming states: ``...Final...`` 2, ``...revised...`` 1, else 0.

    The files carry no publication date or version inside, so the name is the publication's
    own statement of it (docs/decisions.md, Loading publications).
    """
    low = name.lower()
    return FINAL if "final" in low else REVISED if "revised" in low else FIRST


@dataclass(frozen=True)
class Source:
    """Where values come from: a file (or records folder), its digest, publication and version."""

    file: Path
    publication: str
    sha256: str
    version: int = FIRST


@dataclass
class WriteResult:
    """What :func:`write_values` did. ``kept``: values not applied because the store holds newer ones."""

    status: Literal["loaded", "unchanged"]
    source_id: int
    rows: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    kept: int = 0
    kept_from: list[str] = field(default_factory=list)
    new_organisations: list[dict[str, str]] = field(default_factory=list)
    uncatalogued_metrics: list[str] = field(default_factory=list)

    @property
    def warning(self) -> str | None:
        if not self.kept:
            return None
        return (f"{self.kept} value(s) not applied: the store holds newer figures for them "
                f"(from {', '.join(self.kept_from)})")


@dataclass
class Staged:
    """The checked rows of one source, as columns, ready for :func:`write_staged`."""

    source: Source
    columns: dict[str, list[object]]
    keys: set[tuple[object, ...]]
    uncatalogued: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.columns["metric"])


def write_values(store: Store, rows: Iterable[MetricRow], source: Source) -> WriteResult:
    """Write ``rows`` from ``source`` atomically (see the module docstring); InputError on bad rows."""
    with store.transaction():
        known = store.scalar("SELECT min(source_id) FROM metric_sources WHERE sha256 = ? AND publication = ?",
                             [source.sha256, source.publication])
        if known is not None:
            return WriteResult("unchanged", int(known))
        return write_staged(store, [stage_values(rows, source)])[0]


def _check_row(row: MetricRow, defn: MetricDefinition | None, path: Path) -> None:
    line = row.source_row
    if not isinstance(row.org_code, str) or not row.org_code.strip():
        raise InputError.one(path, line, "org_code", f"{row.metric}: expected an organisation code")
    for name in ("numerator", "denominator", "value"):
        v = getattr(row, name)
        if v is not None and not math.isfinite(v):
            raise InputError.one(path, line, name, f"{row.metric} for {row.org_code}: expected a number, got {v}")
    for name in ("numerator", "denominator"):
        v = getattr(row, name)
        if v is not None and v < 0:
            raise InputError.one(path, line, name, f"{row.metric} for {row.org_code}: negative count {v:g}")
    if (defn is not None and defn.unit == "percent" and row.numerator is not None
            and row.denominator is not None and row.numerator > row.denominator + 1e-9):
        raise InputError.one(path, line, "numerator",
                             f"{row.metric} for {row.org_code}: numerator {row.numerator:g} exceeds "
                             f"denominator {row.denominator:g}")
    if row.period_end < row.period_start:
        raise InputError.one(path, line, "period", f"period ends ({row.period_end}) before it starts "
                                                   f"({row.period_start})")


def stage_values(rows: Iterable[MetricRow], source: Source) -> Staged:
    """Check ``rows`` (see :func:`_check_row`) and hold them as columns; InputError naming the file.

    Refuses a source with no values, and one that gives the same key twice.
    """
    cat = catalogue()
    path = source.file
    cols: dict[str, list[object]] = {name: [] for name, _ in _ROW_FIELDS}
    keys: dict[tuple[object, ...], int | None] = {}
    dups: list[InputProblem] = []
    uncatalogued: list[str] = []
    for row in rows:
        defn = cat.get(row.metric)
        if defn is None and row.metric not in uncatalogued:
            uncatalogued.append(row.metric)
        _check_row(row, defn, path)
        code = row.org_code.strip().upper()
        key = (row.metric, code, row.period_start, row.period_end)
        if key in keys:
            if len(dups) < 5:
                dups.append(InputProblem(str(path), row.source_row, "org_code",
                                         f"duplicate {row.metric} value for {code} in the period starting "
                                         f"{row.period_start} (first at row {keys[key]})"))
            continue
        keys[key] = row.source_row
        for name, v in (("metric", row.metric), ("org_code", code), ("period_start", row.period_start),
                        ("period_end", row.period_end), ("numerator", row.numerator),
                        ("denominator", row.denominator), ("value", row.value), ("provisional", row.provisional),
                        ("source_row", row.source_row), ("org_name", row.org_name),
                        ("extra", json.dumps(row.extra, sort_keys=True, default=str) if row.extra else None)):
            cols[name].append(v)
    if dups:
        raise InputError(dups)
    if not keys:
        raise InputError.one(path, None, None, "the file holds no metric values")
    return Staged(source, cols, set(keys), uncatalogued)


def write_staged(store: Store, staged: Sequence[Staged]) -> list[WriteResult]:
    """Merge staged sources (disjoint keys, distinct sha256) in one transaction; one result each, in order.

    A source already in the store (same sha256 and publication) is left alone ("unchanged").
    """
    results: list[WriteResult | None] = [None] * len(staged)
    with store.transaction():
        known = {(str(sha), str(pub)): int(sid) for sha, pub, sid in store.execute(
            "SELECT sha256, publication, min(source_id) FROM metric_sources WHERE list_contains($shas, sha256) "
            "GROUP BY ALL", {"shas": [st.source.sha256 for st in staged]}).fetchall()}
        todo: list[int] = []
        for i, st in enumerate(staged):
            sid = known.get((st.source.sha256, st.source.publication))
            if sid is not None:
                results[i] = WriteResult("unchanged", sid)
            else:
                todo.append(i)
        if todo:
            _stage_table(store, [staged[i] for i in todo])
            try:
                for i, result in zip(todo, _merge([staged[i] for i in todo], store), strict=True):
                    result.uncatalogued_metrics = staged[i].uncatalogued
                    results[i] = result
            finally:
                store.execute(f"DROP TABLE IF EXISTS {_STAGE}")
                store.execute(f"DROP TABLE IF EXISTS {_SOURCES}")
    return [r for r in results if r is not None]


def _stage_table(store: Store, staged: Sequence[Staged]) -> None:
    cols: dict[str, list[object]] = {name: [] for name, _ in _ROW_FIELDS}
    src: list[int] = []
    version: list[int] = []
    seen: set[tuple[object, ...]] = set()
    for i, st in enumerate(staged):
        if not seen.isdisjoint(st.keys):
            raise ValueError(f"{st.source.file}: keys overlap another source of the same write; write it alone")
        seen |= st.keys
        for name in cols:
            cols[name].extend(st.columns[name])
        src.extend([i] * st.rows)
        version.extend([st.source.version] * st.rows)
    table = pa.table({**cols, "src": src, "version": version}, schema=_STAGE_SCHEMA)
    store.con.register("_metric_stage_arrow", table)
    try:
        store.execute(f"CREATE OR REPLACE TEMP TABLE {_STAGE} AS SELECT * FROM _metric_stage_arrow")
    finally:
        store.con.unregister("_metric_stage_arrow")


_KEY = ("v.metric = s.metric AND v.org_code = s.org_code AND v.period_start = s.period_start "
        "AND v.period_end = s.period_end")
#: A row differs when a number or an attribute in ``extra`` differs: a re-published file that changes only
#: the published ranks or quartiles is a change (issue 20 item 3), not "unchanged".
_DIFFERS = ("(v.numerator, v.denominator, v.value, v.provisional, v.extra) IS DISTINCT FROM "
            "(s.numerator, s.denominator, s.value, s.provisional, s.extra)")
_STORED_VERSION = "(SELECT ms.version FROM metric_sources ms WHERE ms.source_id = v.source_id)"
#: The stored value is newer than the staged one: official beats third-party (a negative version,
#: issue 21), then final beats provisional, then the higher version.
_OLDER = (f"(CASE WHEN s.version < 0 AND {_STORED_VERSION} >= 0 THEN true "
          f"WHEN s.version >= 0 AND {_STORED_VERSION} < 0 THEN false "
          "ELSE (s.provisional AND NOT v.provisional) OR "
          f"(s.provisional = v.provisional AND s.version < {_STORED_VERSION}) END)")


def _merge(staged: Sequence[Staged], store: Store) -> list[WriteResult]:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    names = [st.source.file.name for st in staged]
    new_orgs = store.rows(f"""
        SELECT org_code AS code, coalesce(max(org_name), org_code) AS name, min(src) AS src FROM {_STAGE}
        WHERE org_code NOT IN (SELECT code FROM organisations) GROUP BY org_code ORDER BY org_code""")
    if new_orgs:
        store.con.executemany(
            "INSERT INTO organisations(code, name, kind, source) VALUES (?, ?, 'other_provider', ?)",
            [(o["code"], o["name"], f"metrics:{names[o['src']]}") for o in new_orgs])
    ids = [int(r[0]) for r in store.execute(
        f"SELECT nextval('metric_source_seq') FROM range({len(staged)})").fetchall()]
    store.con.executemany(
        "INSERT INTO metric_sources(source_id, file, file_name, sha256, publication, loaded_at, row_count, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(sid, str(st.source.file), st.source.file.name, st.source.sha256, st.source.publication, now, st.rows,
          st.source.version) for sid, st in zip(ids, staged, strict=True)])
    store.execute(f"CREATE OR REPLACE TEMP TABLE {_SOURCES} AS SELECT unnest($src) AS src, unnest($sid) AS source_id",
                  {"src": list(range(len(staged))), "sid": ids})
    results = [WriteResult("loaded", sid, rows=st.rows) for sid, st in zip(ids, staged, strict=True)]
    for o in new_orgs:
        results[o["src"]].new_organisations.append({"code": o["code"], "name": o["name"], "file": names[o["src"]]})
    overlap = store.scalar(f"SELECT count(*) FROM {_STAGE} s JOIN metric_values v ON {_KEY}")
    if overlap:
        for r in store.rows(f"""
                SELECT s.src, count(*) AS n, list(DISTINCT ms.file_name ORDER BY ms.file_name) AS files
                FROM {_STAGE} s JOIN metric_values v ON {_KEY} JOIN metric_sources ms ON ms.source_id = v.source_id
                WHERE {_DIFFERS} AND {_OLDER} GROUP BY s.src"""):
            results[r["src"]].kept = int(r["n"])
            results[r["src"]].kept_from = [str(f) for f in r["files"]][:3]
        for r in store.rows(f"""SELECT s.src, count(*) AS n FROM {_STAGE} s JOIN metric_values v ON {_KEY}
                                WHERE {_DIFFERS} AND NOT {_OLDER} GROUP BY s.src"""):
            results[r["src"]].replaced = int(r["n"])
        store.execute(f"""
            INSERT INTO metric_revisions(metric, org_code, period_start, period_end, old_value, new_value,
                                         old_source_id, new_source_id, revised_at)
            SELECT s.metric, s.org_code, s.period_start, s.period_end, v.value, s.value, v.source_id, m.source_id,
                   current_timestamp
            FROM {_STAGE} s JOIN {_SOURCES} m USING (src) JOIN metric_values v ON {_KEY}
            WHERE {_DIFFERS} AND NOT {_OLDER}""")
        store.execute(f"""
            UPDATE metric_values v SET numerator = s.numerator, denominator = s.denominator, value = s.value,
                   provisional = s.provisional, source_id = s.source_id, source_row = s.source_row, extra = s.extra
            FROM (SELECT x.*, m.source_id FROM {_STAGE} x JOIN {_SOURCES} m USING (src)) s
            WHERE {_KEY} AND {_DIFFERS} AND NOT {_OLDER}""")
        fresh = f"WHERE NOT EXISTS (SELECT 1 FROM metric_values v WHERE {_KEY})"
        for r in store.rows(f"SELECT s.src, count(*) AS n FROM {_STAGE} s {fresh} GROUP BY s.src"):
            results[r["src"]].inserted = int(r["n"])
    else:
        fresh = ""
        for result in results:
            result.inserted = result.rows
    store.execute(f"""
        INSERT INTO metric_values(metric, org_code, period_start, period_end, numerator, denominator, value,
                                  provisional, source_id, source_row, extra)
        SELECT s.metric, s.org_code, s.period_start, s.period_end, s.numerator, s.denominator, s.value,
               s.provisional, m.source_id, s.source_row, s.extra
        FROM {_STAGE} s JOIN {_SOURCES} m USING (src) {fresh}""")
    for result in results:
        result.unchanged = result.rows - result.inserted - result.replaced - result.kept
    return results
