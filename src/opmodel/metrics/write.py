"""The one way metric values enter the store: stage, check, merge with revisions, provenance.

Every writer uses :func:`write_values`: the publication loader (:mod:`.loader`) and the
record-level derivation (``records.publish``). Flow, in one transaction:

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

Organisation codes missing from the registry are added as ``other_provider``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa

from opmodel.errors import InputError, InputProblem
from opmodel.metrics.catalogue import MetricDefinition, catalogue
from opmodel.metrics.models import MetricRow
from opmodel.store import Store

__all__ = ["FINAL", "FIRST", "REVISED", "Source", "WriteResult", "version_from_name", "write_values"]

#: Publication versions (higher wins): first publication, revised, final.
FIRST, REVISED, FINAL = 0, 1, 2
_STAGE = "_metric_stage"
_STAGE_SCHEMA = pa.schema([
    ("metric", pa.string()), ("org_code", pa.string()), ("period_start", pa.date32()),
    ("period_end", pa.date32()), ("numerator", pa.float64()), ("denominator", pa.float64()),
    ("value", pa.float64()), ("provisional", pa.bool_()), ("source_row", pa.int32()),
    ("org_name", pa.string()), ("extra", pa.string()),
])


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


def write_values(store: Store, rows: Iterable[MetricRow], source: Source) -> WriteResult:
    """Write ``rows`` from ``source`` atomically (see the module docstring); InputError on bad rows."""
    with store.transaction():
        known = store.scalar("SELECT min(source_id) FROM metric_sources WHERE sha256 = ? AND publication = ?",
                             [source.sha256, source.publication])
        if known is not None:
            return WriteResult("unchanged", int(known))
        uncatalogued: list[str] = []
        n = _stage(store, rows, source.file, uncatalogued)
        try:
            if n == 0:
                raise InputError.one(source.file, None, None, "the file holds no metric values")
            _refuse_duplicates(store, source.file)
            result = _merge(store, source, n)
        finally:
            store.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        result.uncatalogued_metrics = uncatalogued
        return result


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


def _stage(store: Store, rows: Iterable[MetricRow], path: Path, uncatalogued: list[str]) -> int:
    cat = catalogue()
    cols: dict[str, list[object]] = {f.name: [] for f in _STAGE_SCHEMA}
    for row in rows:
        defn = cat.get(row.metric)
        if defn is None and row.metric not in uncatalogued:
            uncatalogued.append(row.metric)
        _check_row(row, defn, path)
        for name, v in (("metric", row.metric), ("org_code", row.org_code.strip().upper()),
                        ("period_start", row.period_start), ("period_end", row.period_end),
                        ("numerator", row.numerator), ("denominator", row.denominator), ("value", row.value),
                        ("provisional", row.provisional), ("source_row", row.source_row),
                        ("org_name", row.org_name),
                        ("extra", json.dumps(row.extra, sort_keys=True, default=str) if row.extra else None)):
            cols[name].append(v)
    table = pa.table(cols, schema=_STAGE_SCHEMA)
    store.con.register("_metric_stage_arrow", table)
    try:
        store.execute(f"CREATE OR REPLACE TEMP TABLE {_STAGE} AS SELECT * FROM _metric_stage_arrow")
    finally:
        store.con.unregister("_metric_stage_arrow")
    return int(table.num_rows)


def _refuse_duplicates(store: Store, path: Path) -> None:
    dups = store.rows(f"""
        SELECT metric, org_code, period_start, min(source_row) AS first, max(source_row) AS second
        FROM {_STAGE} GROUP BY metric, org_code, period_start, period_end HAVING count(*) > 1
        ORDER BY first LIMIT 5""")
    if dups:
        raise InputError([InputProblem(str(path), d["second"], "org_code",
                                       f"duplicate {d['metric']} value for {d['org_code']} in the period "
                                       f"starting {d['period_start']} (first at row {d['first']})")
                          for d in dups])


_KEY = ("v.metric = s.metric AND v.org_code = s.org_code AND v.period_start = s.period_start "
        "AND v.period_end = s.period_end")
#: A row differs when a number or an attribute in ``extra`` differs: a re-published file that changes only
#: the published ranks or quartiles is a change (issue 20 item 3), not "unchanged".
_DIFFERS = ("(v.numerator, v.denominator, v.value, v.provisional, v.extra) IS DISTINCT FROM "
            "(s.numerator, s.denominator, s.value, s.provisional, s.extra)")
#: The stored value is newer than the staged one: final beats provisional, then the higher version.
_OLDER = ("((s.provisional AND NOT v.provisional) OR "
          "(s.provisional = v.provisional AND $version < (SELECT ms.version FROM metric_sources ms "
          "WHERE ms.source_id = v.source_id)))")


def _merge(store: Store, source: Source, n: int) -> WriteResult:
    path = source.file
    new_orgs = store.rows(f"""
        SELECT org_code AS code, coalesce(max(org_name), org_code) AS name FROM {_STAGE}
        WHERE org_code NOT IN (SELECT code FROM organisations) GROUP BY org_code ORDER BY org_code""")
    if new_orgs:
        store.con.executemany(
            "INSERT INTO organisations(code, name, kind, source) VALUES (?, ?, 'other_provider', ?)",
            [(o["code"], o["name"], f"metrics:{path.name}") for o in new_orgs])
    source_id = int(store.scalar("SELECT nextval('metric_source_seq')"))
    store.execute("INSERT INTO metric_sources(source_id, file, file_name, sha256, publication, loaded_at, row_count, "
                  "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  [source_id, str(path), path.name, source.sha256, source.publication,
                   dt.datetime.now(dt.UTC).replace(tzinfo=None), n, source.version])
    params = {"sid": source_id, "version": source.version}
    only_version = {"version": source.version}
    kept_from = [str(r["file_name"]) for r in store.rows(f"""
        SELECT DISTINCT ms.file_name FROM {_STAGE} s JOIN metric_values v ON {_KEY}
        JOIN metric_sources ms ON ms.source_id = v.source_id
        WHERE {_DIFFERS} AND {_OLDER} ORDER BY 1 LIMIT 3""", only_version)]
    kept = int(store.scalar(f"SELECT count(*) FROM {_STAGE} s JOIN metric_values v ON {_KEY} "
                            f"WHERE {_DIFFERS} AND {_OLDER}", only_version)) if kept_from else 0
    store.execute(f"""
        INSERT INTO metric_revisions(metric, org_code, period_start, period_end, old_value, new_value,
                                     old_source_id, new_source_id, revised_at)
        SELECT s.metric, s.org_code, s.period_start, s.period_end, v.value, s.value, v.source_id, $sid,
               current_timestamp
        FROM {_STAGE} s JOIN metric_values v ON {_KEY} WHERE {_DIFFERS} AND NOT {_OLDER}""", params)
    replaced = int(store.scalar(f"SELECT count(*) FROM {_STAGE} s JOIN metric_values v ON {_KEY} "
                                f"WHERE {_DIFFERS} AND NOT {_OLDER}", only_version))
    store.execute(f"""
        UPDATE metric_values v SET numerator = s.numerator, denominator = s.denominator, value = s.value,
               provisional = s.provisional, source_id = $sid, source_row = s.source_row, extra = s.extra
        FROM {_STAGE} s WHERE {_KEY} AND {_DIFFERS} AND NOT {_OLDER}""", params)
    inserted = int(store.scalar(f"""
        SELECT count(*) FROM {_STAGE} s WHERE NOT EXISTS (SELECT 1 FROM metric_values v WHERE {_KEY})"""))
    store.execute(f"""
        INSERT INTO metric_values(metric, org_code, period_start, period_end, numerator, denominator, value,
                                  provisional, source_id, source_row, extra)
        SELECT metric, org_code, period_start, period_end, numerator, denominator, value, provisional, ?,
               source_row, extra
        FROM {_STAGE} s WHERE NOT EXISTS (SELECT 1 FROM metric_values v WHERE {_KEY})""", [source_id])
    return WriteResult("loaded", source_id, rows=n, inserted=inserted, replaced=replaced,
                       unchanged=n - inserted - replaced - kept, kept=kept, kept_from=kept_from,
                       new_organisations=[{**o, "file": path.name} for o in new_orgs])
