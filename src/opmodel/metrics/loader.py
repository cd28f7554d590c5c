"""Loading publication files into the metric store: atomic, idempotent, revision-aware.

Flow (files -> validated rows -> store): every file is recognised by content; a file
already loaded (same sha256) is left alone; the rows of each recognised file are staged
in a temporary table, checked (catalogue, counts, duplicates) and merged:

* new (metric, organisation, period) keys are inserted;
* keys whose numbers are unchanged keep their original source;
* keys whose numbers differ are replaced and the change is recorded in ``metric_revisions``
  (a revised publication, or a later file for the same period).

The whole batch runs in one transaction: if any recognised file is malformed nothing is
written. Organisation codes missing from the registry (independent-sector providers,
walk-in centres) are added as ``other_provider`` with their published name and reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa

from opmodel.errors import ArchiveLimitError, InputError, InputProblem, OpmodelError
from opmodel.metrics.catalogue import MetricDefinition, catalogue
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.base import Reader
from opmodel.metrics.readers.registry import recognise
from opmodel.store import Store

__all__ = ["EXIT_NAMED_SKIPPED", "EXIT_OK", "EXIT_REJECTED", "FileResult", "LoadReport", "MetricsArchiveLimitError",
           "MetricsLoadError", "expand_paths", "load_files"]

#: Exit codes of a load (``opmodel metrics load``; documented in docs/user-guide.md).
EXIT_OK = 0             # every file loaded or already loaded (unrecognised files inside folders skipped)
EXIT_REJECTED = 1       # a file was refused (damaged, look-alike, over the archive limits): nothing written
EXIT_NAMED_SKIPPED = 3  # the rest loaded, but a file named explicitly was skipped as not a publication
Status = Literal["loaded", "unchanged", "skipped", "rejected"]
#: Called before each file: (index from 0, number of files, path).
Progress = Callable[[int, int, Path], None]
_STAGE = "_metric_stage"
_STAGE_SCHEMA = pa.schema([
    ("metric", pa.string()), ("org_code", pa.string()), ("period_start", pa.date32()),
    ("period_end", pa.date32()), ("numerator", pa.float64()), ("denominator", pa.float64()),
    ("value", pa.float64()), ("provisional", pa.bool_()), ("source_row", pa.int32()),
    ("org_name", pa.string()), ("extra", pa.string()),
])


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    status: Status
    publication: str | None = None
    sha256: str | None = None
    rows: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    message: str | None = None
    #: True if the user named this file itself (not a folder holding it).
    named: bool = False


@dataclass
class LoadReport:
    """Outcome of :func:`load_files`; ``committed`` is False for a dry run or a rejected batch."""

    files: list[FileResult] = field(default_factory=list)
    new_organisations: list[dict[str, str]] = field(default_factory=list)
    uncatalogued_metrics: list[str] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def inserted(self) -> int:
        return sum(f.inserted for f in self.files)

    @property
    def replaced(self) -> int:
        return sum(f.replaced for f in self.files)

    @property
    def named_skipped(self) -> list[FileResult]:
        """Files the user named explicitly that were skipped (not a publication any reader knows)."""
        return [f for f in self.files if f.named and f.status == "skipped"]

    @property
    def exit_code(self) -> int:
        """:data:`EXIT_REJECTED`, :data:`EXIT_NAMED_SKIPPED` or :data:`EXIT_OK` (see docs/user-guide.md)."""
        if self.count("rejected"):
            return EXIT_REJECTED
        return EXIT_NAMED_SKIPPED if self.named_skipped else EXIT_OK

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON responses (API) and logs."""
        return {
            "dry_run": self.dry_run, "committed": self.committed, "exit_code": self.exit_code,
            "loaded": self.count("loaded"), "unchanged": self.count("unchanged"),
            "skipped": self.count("skipped"), "rejected": self.count("rejected"),
            "inserted": self.inserted, "replaced": self.replaced,
            "new_organisations": self.new_organisations, "uncatalogued_metrics": self.uncatalogued_metrics,
            "files": [vars(f) for f in self.files],
        }


class MetricsLoadError(InputError):
    """One or more recognised files were malformed; nothing was written. Carries the report."""

    def __init__(self, problems: Sequence[InputProblem], report: LoadReport) -> None:
        self.report = report
        super().__init__(problems)


class MetricsArchiveLimitError(MetricsLoadError, ArchiveLimitError):
    """A file in the batch was over the archive limits (a compression bomb); nothing was written."""


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""



def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and every file under each folder (recursively, sorted, hidden ones excluded)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file()
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        elif p.is_file():
            out.append(p)
        else:
            raise InputError.one(p, None, None, "no such file or folder")
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _recognise(path: Path) -> tuple[Reader | None, str | None]:
    """The reader for ``path``, or None with a note; a reader failing to decide is not fatal.

    A look-alike (named or headed like a publication, not recognised) is refused with what is
    missing; a zip over the archive limits is refused before anything is inflated.
    """
    found = recognise(path)
    if found.near_miss:
        raise InputError.one(path, None, None, found.near_miss)
    note = None
    if found.reader is None and found.failures:
        note = "not a publication any reader recognises (recognition failed: " + "; ".join(found.failures) + ")"
    return found.reader, note


def load_files(store: Store, paths: Iterable[Path | str], dry_run: bool = False,
               progress: Progress | None = None) -> LoadReport:
    """Load publication files (or folders) into the store in one transaction.

    Files no reader recognises are reported as skipped (``report.exit_code`` says if a file
    named explicitly was among them). If any recognised file is malformed, or a file looks
    like a publication but is not recognised, :class:`MetricsLoadError` is raised (with the
    report) and nothing is written (:class:`MetricsArchiveLimitError` if a zip was over the
    archive limits); with ``dry_run`` everything is checked and counted, then rolled back.
    """
    if dry_run and store._depth > 0:  # the Store tracks nesting; a nested block cannot roll back alone
        raise OpmodelError("a dry run cannot run inside another transaction (it could not be rolled back)")
    given = [Path(p) for p in paths]
    files = expand_paths(given)
    named = {p for p in given if p.is_file()}
    report = LoadReport(dry_run=dry_run)
    problems: list[InputProblem] = []
    over_limit = False
    try:
        with store.transaction():
            for i, path in enumerate(files):
                if progress is not None:
                    progress(i, len(files), path)
                try:
                    report.files.append(_load_one(store, path, report))
                except InputError as exc:
                    problems.extend(exc.problems)
                    over_limit = over_limit or isinstance(exc, ArchiveLimitError)
                    report.files.append(FileResult(str(path), "rejected", message=str(exc).splitlines()[0]))
                report.files[-1].named = path in named
            if problems:
                raise (MetricsArchiveLimitError if over_limit else MetricsLoadError)(problems, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return report
    report.committed = True
    return report


def _check_row(row: MetricRow, defn: MetricDefinition | None, path: Path) -> None:
    line = row.source_row
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
    if not row.org_code:
        raise InputError.one(path, line, "org_code", "expected an organisation code")


def _stage(store: Store, reader: Reader, path: Path, report: LoadReport) -> int:
    cat = catalogue()
    cols: dict[str, list[object]] = {f.name: [] for f in _STAGE_SCHEMA}
    for row in reader.read(path):
        defn = cat.get(row.metric)
        if defn is None and row.metric not in report.uncatalogued_metrics:
            report.uncatalogued_metrics.append(row.metric)
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


def _load_one(store: Store, path: Path, report: LoadReport) -> FileResult:
    reader, note = _recognise(path)
    if reader is None:
        return FileResult(str(path), "skipped", message=note or "not a publication any reader recognises")
    sha = _sha256(path)
    known = store.scalar("SELECT min(source_id) FROM metric_sources WHERE sha256 = ?", [sha])
    if known is not None:
        return FileResult(str(path), "unchanged", reader.publication, sha,
                          message=f"already loaded (source {known})")
    try:
        n = _stage(store, reader, path, report)
    except InputError:
        raise
    except Exception as exc:  # damage a reader did not anticipate still names the file
        raise InputError.one(path, None, None, f"cannot read this {reader.publication} file "
                                               f"({type(exc).__name__}: {exc})") from exc
    if n == 0:
        raise InputError.one(path, None, None, "the file holds no metric values")
    dups = store.rows(f"""
        SELECT metric, org_code, period_start, min(source_row) AS first, max(source_row) AS second
        FROM {_STAGE} GROUP BY metric, org_code, period_start, period_end HAVING count(*) > 1
        ORDER BY first LIMIT 5""")
    if dups:
        raise InputError([InputProblem(str(path), d["second"], "org_code",
                                       f"duplicate {d['metric']} value for {d['org_code']} in the period "
                                       f"starting {d['period_start']} (first at row {d['first']})")
                          for d in dups])
    result = _merge(store, path, sha, reader.publication, n, report)
    store.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    return result


def _merge(store: Store, path: Path, sha: str, publication: str, n: int, report: LoadReport) -> FileResult:
    new_orgs = store.rows(f"""
        SELECT org_code AS code, coalesce(max(org_name), org_code) AS name FROM {_STAGE}
        WHERE org_code NOT IN (SELECT code FROM organisations) GROUP BY org_code ORDER BY org_code""")
    if new_orgs:
        store.con.executemany(
            "INSERT INTO organisations(code, name, kind, source) VALUES (?, ?, 'other_provider', ?)",
            [(o["code"], o["name"], f"metrics:{path.name}") for o in new_orgs])
        report.new_organisations.extend({**o, "file": path.name} for o in new_orgs)
    source_id = int(store.scalar("SELECT nextval('metric_source_seq')"))
    store.execute("INSERT INTO metric_sources(source_id, file, file_name, sha256, publication, loaded_at, row_count) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  [source_id, str(path), path.name, sha, publication, dt.datetime.now(dt.UTC).replace(tzinfo=None),
                   n])
    key = "v.metric = s.metric AND v.org_code = s.org_code AND v.period_start = s.period_start " \
          "AND v.period_end = s.period_end"
    differs = ("(v.numerator, v.denominator, v.value, v.provisional) IS DISTINCT FROM "
               "(s.numerator, s.denominator, s.value, s.provisional)")
    store.execute(f"""
        INSERT INTO metric_revisions(metric, org_code, period_start, period_end, old_value, new_value,
                                     old_source_id, new_source_id, revised_at)
        SELECT s.metric, s.org_code, s.period_start, s.period_end, v.value, s.value, v.source_id, ?,
               current_timestamp
        FROM {_STAGE} s JOIN metric_values v ON {key} WHERE {differs}""", [source_id])
    replaced = int(store.scalar(f"SELECT count(*) FROM {_STAGE} s JOIN metric_values v ON {key} WHERE {differs}"))
    store.execute(f"""
        UPDATE metric_values v SET numerator = s.numerator, denominator = s.denominator, value = s.value,
               provisional = s.provisional, source_id = ?, source_row = s.source_row, extra = s.extra
        FROM {_STAGE} s WHERE {key} AND {differs}""", [source_id])
    inserted = int(store.scalar(f"""
        SELECT count(*) FROM {_STAGE} s WHERE NOT EXISTS (SELECT 1 FROM metric_values v WHERE {key})"""))
    store.execute(f"""
        INSERT INTO metric_values(metric, org_code, period_start, period_end, numerator, denominator, value,
                                  provisional, source_id, source_row, extra)
        SELECT metric, org_code, period_start, period_end, numerator, denominator, value, provisional, ?,
               source_row, extra
        FROM {_STAGE} s WHERE NOT EXISTS (SELECT 1 FROM metric_values v WHERE {key})""", [source_id])
    return FileResult(str(path), "loaded", publication, sha, rows=n, inserted=inserted, replaced=replaced,
                      unchanged=n - inserted - replaced)


