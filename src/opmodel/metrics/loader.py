"""Loading publication files into the metric store: atomic, idempotent, revision-aware.

Flow (files -> validated rows -> store): every file is recognised by content; a file
already loaded (same sha256) is left alone; the rows of each recognised file go through the
metrics area's one write path, :func:`opmodel.metrics.write.write_values` (stage, check,
merge with revisions, never undoing a newer publication with an older one).

The whole batch runs in one transaction: if any recognised file is malformed nothing is
written. Organisation codes missing from the registry (independent-sector providers,
walk-in centres) are added as ``other_provider`` with their published name and reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from opmodel.errors import ArchiveLimitError, InputError, InputProblem, OpmodelError
from opmodel.metrics.readers.base import Reader
from opmodel.metrics.readers.registry import recognise
from opmodel.metrics.write import Source, version_from_name, write_values
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


def _load_one(store: Store, path: Path, report: LoadReport) -> FileResult:
    reader, note = _recognise(path)
    if reader is None:
        return FileResult(str(path), "skipped", message=note or "not a publication any reader recognises")
    sha = _sha256(path)
    known = store.scalar("SELECT min(source_id) FROM metric_sources WHERE sha256 = ?", [sha])
    if known is not None:
        return FileResult(str(path), "unchanged", reader.publication, sha,
                          message=f"already loaded (source {known})")
    hook = getattr(reader, "version", None)  # optional reader hook: the publication's own version
    version = int(hook(path)) if callable(hook) else version_from_name(path.name)
    try:
        done = write_values(store, reader.read(path), Source(path, reader.publication, sha, version))
    except InputError:
        raise
    except Exception as exc:  # damage a reader did not anticipate still names the file
        raise InputError.one(path, None, None, f"cannot read this {reader.publication} file "
                                               f"({type(exc).__name__}: {exc})") from exc
    report.new_organisations.extend(done.new_organisations)
    report.uncatalogued_metrics.extend(m for m in done.uncatalogued_metrics if m not in report.uncatalogued_metrics)
    return FileResult(str(path), "loaded", reader.publication, sha, rows=done.rows, inserted=done.inserted,
                      replaced=done.replaced, unchanged=done.unchanged, kept=done.kept, message=done.warning)
