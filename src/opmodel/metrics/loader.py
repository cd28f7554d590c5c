"""Loading publication files into the metric store: per file, idempotent, revision-aware, plausible.

Flow (files -> validated rows -> store): every file is recognised by content; a file
already loaded (same sha256) is left alone; the rows of each recognised file are checked for
plausibility as they stream (:mod:`opmodel.metrics.plausibility`: value domains, periods that
have ended, no NUL bytes) and go through the metrics area's one write path,
:func:`opmodel.metrics.write.write_values` (stage, check, merge with revisions, never undoing a
newer publication with an older one, nor an official figure with a third-party one).

Each file stands or falls alone (issue 21, item 5): a good file is committed, a bad one is
refused by name and leaves nothing behind, and the load reports every refusal (exit code 1).
Files are read and checked one at a time and merged in batches of files whose keys do not overlap
(one transaction per batch, each file still its own source), because a merge per file cost more
than reading the 908 small third-party series files.
Organisation codes missing from the registry (independent-sector providers, walk-in centres)
are added as ``other_provider`` with their published name and reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from opmodel.errors import ArchiveLimitError, InputError, InputProblem, OpmodelError
from opmodel.metrics.plausibility import checked_rows, find_nul, is_text_file
from opmodel.metrics.publishing import THIRD_PARTY_VERSION, get_publication
from opmodel.metrics.readers.base import Reader
from opmodel.metrics.readers.registry import recognise
from opmodel.metrics.write import Source, Staged, WriteResult, stage_values, version_from_name, write_staged
from opmodel.store import Store

__all__ = ["EXIT_NAMED_SKIPPED", "EXIT_OK", "EXIT_REJECTED", "FileResult", "LoadReport", "MetricsArchiveLimitError",
           "MetricsLoadError", "expand_paths", "load_files"]

#: Exit codes of a load (``opmodel metrics load``; documented in docs/user-guide.md).
EXIT_OK = 0             # every file loaded or already loaded (unrecognised files inside folders skipped)
EXIT_REJECTED = 1       # a file was refused (damaged, implausible, look-alike, over the limits): nothing from it
EXIT_NAMED_SKIPPED = 3  # the rest loaded, but a file named explicitly was skipped as not a publication
Status = Literal["loaded", "unchanged", "skipped", "rejected"]
#: Called before each file: (index from 0, number of files, path).
Progress = Callable[[int, int, Path], None]


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
    #: Values not applied because the store holds newer figures (a later revision, final figures).
    kept: int = 0
    message: str | None = None
    #: True if the user named this file itself (not a folder holding it).
    named: bool = False
    #: True for a third-party series: its values rank below official publications of the same figures.
    third_party: bool = False


@dataclass
class LoadReport:
    """Outcome of :func:`load_files`; ``committed``: not a dry run, and no file was refused or some file loaded."""

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
    def kept(self) -> int:
        """Values not applied because the store holds newer figures (see :mod:`opmodel.metrics.write`)."""
        return sum(f.kept for f in self.files)

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
            "inserted": self.inserted, "replaced": self.replaced, "kept": self.kept,
            "new_organisations": self.new_organisations, "uncatalogued_metrics": self.uncatalogued_metrics,
            "files": [vars(f) for f in self.files],
        }


class MetricsLoadError(InputError):
    """One or more files were refused; nothing from them was written. Carries the report.

    Raised after the load: the other files were committed (``report.committed``) unless it was a
    dry run. ``problems`` locate each refusal (file, line, field).
    """

    def __init__(self, problems: Sequence[InputProblem], report: LoadReport) -> None:
        self.report = report
        super().__init__(problems)


class MetricsArchiveLimitError(MetricsLoadError, ArchiveLimitError):
    """A file in the batch was over the archive limits (a compression bomb); nothing from it was written."""


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
    if found.reader is None:
        _refuse_nul_publication(path)
    note = None
    if found.reader is None and found.failures:
        note = "not a publication any reader recognises (recognition failed: " + "; ".join(found.failures) + ")"
    return found.reader, note


def _refuse_nul_publication(path: Path) -> None:
    """Refuse an unrecognised text file that is a publication once its NUL bytes are removed.

    Recognisers read header lines and give up on NUL bytes, so a publication damaged that way would
    otherwise be skipped as "not a publication"; unrelated files (with or without NULs) stay skipped.
    """
    if not is_text_file(path):
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return
    if b"\x00" not in head or head.count(b"\x00") > len(head) // 100:  # many NULs: binary, not damaged text
        return
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / path.name
        clean.write_bytes(path.read_bytes().replace(b"\x00", b""))
        publication = recognise(clean).reader
    if publication is not None:
        where = find_nul(path)
        line, fld = where if where is not None else (None, None)
        raise InputError.one(path, line, fld, f"looks like a {publication.publication} file but holds NUL bytes; "
                                              "expected plain text (a damaged or binary-edited copy)")


#: A batch of staged files is merged in one set of statements; flushed at these sizes.
_BATCH_ROWS = 100_000
_BATCH_FILES = 500


@dataclass
class _Batch:
    """Files read and checked, waiting to be merged together (their keys are disjoint)."""

    items: list[tuple[FileResult, Staged]] = field(default_factory=list)
    keys: set[tuple[object, ...]] = field(default_factory=set)
    shas: dict[str, str] = field(default_factory=dict)
    rows: int = 0

    def fits(self, staged: Staged) -> bool:
        return (len(self.items) < _BATCH_FILES and self.rows + staged.rows <= _BATCH_ROWS
                and self.keys.isdisjoint(staged.keys))

    def add(self, result: FileResult, staged: Staged) -> None:
        self.items.append((result, staged))
        self.keys |= staged.keys
        self.shas[staged.source.sha256] = result.path
        self.rows += staged.rows


def load_files(store: Store, paths: Iterable[Path | str], dry_run: bool = False,
               progress: Progress | None = None, today: dt.date | None = None) -> LoadReport:
    """Load publication files (or folders) into the store; every file stands or falls alone.

    Files no reader recognises are reported as skipped (``report.exit_code`` says if a file
    named explicitly was among them). A file that is malformed, implausible (a value outside
    its domain, a period not yet ended, NUL bytes: see :mod:`opmodel.metrics.plausibility`),
    looks like a publication without being one, or is over the archive limits is refused and
    nothing from it is written; every other file is committed. When any file was refused,
    :class:`MetricsLoadError` is raised at the end with every problem and the report
    (:class:`MetricsArchiveLimitError` if a zip was over the limits). With ``dry_run`` every
    file is checked and counted, then rolled back. ``today`` bounds the periods a file may hold.

    Files are read and checked one by one; checked files whose keys do not overlap are merged
    together (each with its own source and counts), so a folder of small files costs a few
    statements, not a few per file. A file revising an earlier one in the same load is merged
    after it, so the last file loaded still wins.
    """
    if dry_run and store._depth > 0:  # the Store tracks nesting; a nested block cannot roll back alone
        raise OpmodelError("a dry run cannot run inside another transaction (it could not be rolled back)")
    given = [Path(p) for p in paths]
    files = expand_paths(given)
    named = {p for p in given if p.is_file()}
    report = LoadReport(dry_run=dry_run)
    problems: list[InputProblem] = []
    over_limit = False
    batch = _Batch()
    # sha256 -> source id of every file already loaded, read once (a query per file cost 6 ms each)
    known = {str(sha): int(sid) for sha, sid in store.execute(
        "SELECT sha256, min(source_id) FROM metric_sources GROUP BY sha256").fetchall()}
    for i, path in enumerate(files):
        if progress is not None:
            progress(i, len(files), path)
        try:
            outcome = _prepare(path, batch, known, today)
        except InputError as exc:
            problems.extend(exc.problems)
            over_limit = over_limit or isinstance(exc, ArchiveLimitError)
            outcome = FileResult(str(path), "rejected", message=_where(exc))
        if isinstance(outcome, tuple):
            result, staged = outcome
            if not batch.fits(staged):
                _flush(store, batch, report, dry_run, known)
                batch = _Batch()
            batch.add(result, staged)
        else:
            result = outcome
        result.named = path in named
        report.files.append(result)
    _flush(store, batch, report, dry_run, known)
    report.committed = not dry_run and (not problems or any(f.status == "loaded" for f in report.files))
    if problems:
        raise (MetricsArchiveLimitError if over_limit else MetricsLoadError)(problems, report)
    return report


def _where(exc: InputError) -> str:
    """The first problem without the file name (the report names the file): 'line 5, field X: ...'."""
    if not exc.problems:
        return str(exc)
    p = exc.problems[0]
    where = ", ".join(x for x in (f"line {p.line}" if p.line is not None else "",
                                  f"field {p.field}" if p.field else "") if x)
    more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
    return f"{where}: {p.message}{more}" if where else f"{p.message}{more}"


def _flush(store: Store, batch: _Batch, report: LoadReport, dry_run: bool, known: dict[str, int]) -> None:
    """Merge a batch in one transaction (rolled back for a dry run) and fill in each file's counts."""
    if not batch.items:
        return
    done: list[WriteResult] = []
    try:
        with store.transaction():
            done = write_staged(store, [staged for _, staged in batch.items])
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    for (result, _), written in zip(batch.items, done, strict=True):
        if not dry_run and result.sha256:
            known.setdefault(result.sha256, written.source_id)
        result.status = written.status
        result.inserted, result.replaced, result.unchanged, result.kept = (
            written.inserted, written.replaced, written.unchanged, written.kept)
        result.message = written.warning
        if result.third_party and written.kept:
            result.message = (f"{written.kept} value(s) left as NHS England published them: third-party figures "
                              "never replace official ones")
        report.new_organisations.extend(written.new_organisations)
        report.uncatalogued_metrics.extend(m for m in written.uncatalogued_metrics
                                           if m not in report.uncatalogued_metrics)


def _prepare(path: Path, batch: _Batch, known: dict[str, int],
             today: dt.date | None) -> FileResult | tuple[FileResult, Staged]:
    """Recognise, check and stage one file; a result for files with nothing to write."""
    reader, note = _recognise(path)
    if reader is None:
        return FileResult(str(path), "skipped", message=note or "not a publication any reader recognises")
    sha = _sha256(path)
    if sha in known:
        return FileResult(str(path), "unchanged", reader.publication, sha,
                          message=f"already loaded (source {known[sha]})")
    if sha in batch.shas:
        return FileResult(str(path), "unchanged", reader.publication, sha,
                          message=f"the same file as {batch.shas[sha]} in this load")
    if is_text_file(path) and (nul := find_nul(path)) is not None:
        raise InputError.one(path, nul[0], nul[1], "the file holds a NUL byte here; expected plain text "
                                                   "(a damaged or binary-edited copy)")
    declared = get_publication(reader.publication)
    hook = getattr(reader, "version", None)  # optional reader hook: the publication's own version
    version = (THIRD_PARTY_VERSION if declared is not None and declared.third_party
               else int(hook(path)) if callable(hook) else version_from_name(path.name))
    try:
        staged = stage_values(checked_rows(reader.read(path), path, today),
                              Source(path, reader.publication, sha, version))
    except InputError:
        raise
    except Exception as exc:  # damage a reader did not anticipate still names the file
        raise InputError.one(path, None, None, f"cannot read this {reader.publication} file "
                                               f"({type(exc).__name__}: {exc})") from exc
    third = declared is not None and declared.third_party
    return FileResult(str(path), "loaded", reader.publication, sha, rows=staged.rows, third_party=third), staged
