"""``opmodel data update``: find the newest files on each series' landing page, fetch what is missing, load it.

For each series (``series.yaml``): read the landing page, follow the newest year pages when the
series has them, and collect the file links it names. Files whose names the store already holds
(``metric_sources``) or that were downloaded before are skipped; the newest ``max_files`` others
are downloaded (:class:`~opmodel.publications.fetch.Fetcher`: one request a second, a clear
User-Agent, size limits, resumable) into ``DEST/<series>/`` and loaded through the normal loader,
file by file (:func:`opmodel.metrics.load_files`). Each download is recorded in
``DEST/provenance.jsonl``: series, landing page, address, file, size, SHA-256, when, and how the
load went. A page whose layout changed refuses its series by name and loads nothing from it; with
no network the update stops at the first request and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from opmodel.errors import OpmodelError
from opmodel.metrics import MetricsLoadError, load_files
from opmodel.publications.fetch import USER_AGENT, Downloaded, Fetcher, FetchError, OfflineError
from opmodel.publications.links import LayoutChangedError, Link, file_name, matching, newest_first, page_links
from opmodel.publications.series import Series, load_series
from opmodel.store import Store

__all__ = ["EXIT_OFFLINE", "PROVENANCE_FILE", "SeriesUpdate", "UpdateReport", "default_download_dir", "update"]

PROVENANCE_FILE = "provenance.jsonl"
#: ``opmodel data update`` exit code when the network cannot be reached (nothing changed).
EXIT_OFFLINE = 4
#: Year (or month) pages followed per series: the newest two cover a new financial year's first months.
PAGES_FOLLOWED = 2
Status = Literal["up to date", "loaded", "would download", "refused", "failed", "not updatable"]
Progress = Callable[[str], None]


@dataclass
class SeriesUpdate:
    """What the update did for one series."""

    series: str
    status: Status
    message: str | None = None
    found: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class UpdateReport:
    series: list[SeriesUpdate] = field(default_factory=list)
    offline: str | None = None
    dry_run: bool = False
    dest: str | None = None

    @property
    def exit_code(self) -> int:
        """0 done, 1 a series or file refused (or failed), :data:`EXIT_OFFLINE` without network."""
        if self.offline:
            return EXIT_OFFLINE
        return 1 if any(s.status in ("refused", "failed") for s in self.series) else 0

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "offline": self.offline, "dest": self.dest, "exit_code": self.exit_code,
                "series": [vars(s) for s in self.series]}


def default_download_dir(store: Store) -> Path:
    """``downloads/`` beside the store file (the user data directory by default)."""
    return (store.path.parent if store.path is not None else Path.cwd()) / "downloads"


def _known_names(store: Store, dest: Path) -> set[str]:
    names = {str(r[0]) for r in store.execute("SELECT DISTINCT file_name FROM metric_sources").fetchall()}
    log = dest / PROVENANCE_FILE
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("load") in ("loaded", "unchanged"):
                names.add(str(entry.get("file")))
    return names


def _file_links(series: Series, fetcher: Fetcher, progress: Progress | None) -> list[Link]:
    """The file links of ``series``, newest pages first; LayoutChangedError when a page has none expected."""
    if series.files is None:
        raise LayoutChangedError(series.id, series.url, "the series names no file pattern")
    if progress:
        progress(f"{series.id}: reading {series.url}")
    links = page_links(fetcher.page(series.url), series.url)
    if series.pages is None:
        files = matching(links, series.files)
        if not files:
            raise LayoutChangedError(series.id, series.url, f"no file link matching {series.files!r}")
        return files
    pages = newest_first(matching(links, series.pages))[:PAGES_FOLLOWED]
    if not pages:
        raise LayoutChangedError(series.id, series.url, f"no link to its pages matching {series.pages!r}")
    files = []
    for page in pages:
        if progress:
            progress(f"{series.id}: reading {page.url}")
        files.extend(matching(page_links(fetcher.page(page.url), page.url), series.files))
    if not files:
        raise LayoutChangedError(series.id, pages[0].url, f"no file link matching {series.files!r}")
    return list({lk.url: lk for lk in files}.values())


def _record(dest: Path, entry: dict[str, Any]) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with (dest / PROVENANCE_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, sort_keys=True) + "\n")


def _one(store: Store, series: Series, fetcher: Fetcher, dest: Path, *, dry_run: bool, max_files: int,
         progress: Progress | None) -> SeriesUpdate:
    if not series.updatable:
        return SeriesUpdate(series.id, "not updatable", f"no landing page listing files: load a copy of "
                                                        f"{series.url} with `opmodel metrics load`")
    links = _file_links(series, fetcher, progress)
    known = _known_names(store, dest)
    new = [lk for lk in links if file_name(lk.url) not in known][:max_files]
    result = SeriesUpdate(series.id, "up to date", found=len(links))
    if not new:
        result.message = f"{len(links)} file(s) listed, all already held"
        return result
    if dry_run:
        result.status = "would download"
        result.files = [{"url": lk.url, "file": file_name(lk.url), "text": lk.text} for lk in new]
        return result
    got: list[tuple[Link, Downloaded]] = []
    for lk in new:
        if progress:
            progress(f"{series.id}: downloading {file_name(lk.url)}")
        target = dest / series.id / file_name(lk.url)
        try:
            got.append((lk, fetcher.download(lk.url, target)))
        except FetchError as exc:
            result.status = "failed"
            result.files.append({"url": lk.url, "file": target.name, "status": "failed", "message": str(exc)})
    if not got:
        return result
    try:
        report = load_files(store, [d.path for _, d in got])
        loads = {f.path: f for f in report.files}
    except MetricsLoadError as exc:
        loads = {f.path: f for f in exc.report.files}
        result.status = "refused"
        result.message = str(exc).splitlines()[0]
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for lk, d in got:
        f = loads.get(str(d.path))
        status = f.status if f is not None else "skipped"
        entry = {"series": series.id, "landing_page": series.url, "url": lk.url, "link_text": lk.text,
                 "file": d.path.name, "path": str(d.path), "bytes": d.size, "sha256": d.sha256,
                 "resumed": d.resumed, "downloaded_at": now, "user_agent": USER_AGENT, "load": status,
                 "message": f.message if f is not None else None}
        _record(dest, entry)
        result.files.append(entry)
        if status == "skipped":
            result.status = "refused" if result.status != "failed" else result.status
            result.message = f"{d.path.name} is not a publication any reader recognises"
    if result.status == "up to date":
        result.status = "loaded"
    return result


def update(store: Store, series: list[Series] | None = None, *, dest: Path | None = None, dry_run: bool = False,
           fetcher: Fetcher | None = None, max_files: int = 3, progress: Progress | None = None) -> UpdateReport:
    """Fetch and load the newest files of ``series`` (default: every shipped series); see the module docstring.

    Stops at the first request that cannot reach the network (``report.offline``), having
    changed nothing if it was the first. ``max_files`` bounds the downloads per series.
    """
    chosen = load_series() if series is None else series
    target = dest or default_download_dir(store)
    report = UpdateReport(dry_run=dry_run, dest=str(target))
    own = fetcher is None
    client = fetcher or Fetcher()
    try:
        for s in chosen:
            try:
                report.series.append(_one(store, s, client, target, dry_run=dry_run, max_files=max_files,
                                          progress=progress))
            except OfflineError as exc:
                report.offline = str(exc)
                break
            except LayoutChangedError as exc:
                report.series.append(SeriesUpdate(s.id, "refused", str(exc)))
            except (FetchError, OpmodelError) as exc:
                report.series.append(SeriesUpdate(s.id, "failed", str(exc)))
    finally:
        if own:
            client.close()
    return report
