"""Polite HTTP for the updater: one request a second, a clear User-Agent, size limits, resumable downloads.

Built on httpx. Every request waits until at least ``min_interval`` seconds have passed since the
previous one (NHS England's servers are shared; one request a second is the courtesy asked of
crawlers). Downloads go to ``NAME.part`` first and are renamed only when complete: an interrupted
download resumes with a ``Range`` request, and the SHA-256 is computed over the finished file. A
file over ``max_bytes`` (by its ``Content-Length``, or counted as it streams) is abandoned.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from opmodel import __version__
from opmodel.errors import OpmodelError

__all__ = ["MAX_DOWNLOAD_BYTES", "USER_AGENT", "Downloaded", "FetchError", "Fetcher", "OfflineError"]

USER_AGENT = (f"opmodel/{__version__} (open NHS operating model; monthly statistics updater; "
              "fetches published files at most once a second)")
MAX_DOWNLOAD_BYTES = 500 * 1024 * 1024  # the largest publication (CSDS, zipped) is a few MB; RTT 4 MB
MAX_PAGE_BYTES = 5 * 1024 * 1024
_CHUNK = 1 << 16


class OfflineError(OpmodelError):
    """No network: the host could not be reached at all."""


class FetchError(OpmodelError):
    """The server answered, but not with what was asked for (an HTTP error, a file too large)."""


@dataclass(frozen=True)
class Downloaded:
    path: Path
    sha256: str
    size: int
    resumed: bool


class Fetcher:
    """Throttled GETs with one httpx client; ``sleep``/``clock`` are injectable for tests."""

    def __init__(self, *, min_interval: float = 1.0, max_bytes: int = MAX_DOWNLOAD_BYTES, timeout: float = 30.0,
                 client: httpx.Client | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.min_interval = min_interval
        self.max_bytes = max_bytes
        self.client = client or httpx.Client(headers={"User-Agent": USER_AGENT}, timeout=timeout,
                                             follow_redirects=True)
        self._clock, self._sleep = clock, sleep
        self._last: float | None = None
        #: When each request was sent (the clock's time), for reports and tests.
        self.sent: list[float] = []

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self.min_interval:
            self._sleep(self.min_interval - (now - self._last))
        self._last = self._clock()
        self.sent.append(self._last)

    def _offline(self, url: str, exc: Exception) -> OfflineError:
        host = httpx.URL(url).host
        return OfflineError(f"no network: could not reach {host} ({type(exc).__name__}); nothing was changed")

    def page(self, url: str) -> str:
        """The text of an HTML page (at most 5 MB)."""
        self._wait()
        try:
            with self.client.stream("GET", url) as r:
                if r.status_code >= 400:
                    raise FetchError(f"{url}: the server answered {r.status_code} {r.reason_phrase}")
                body = bytearray()
                for chunk in r.iter_bytes(_CHUNK):
                    body += chunk
                    if len(body) > MAX_PAGE_BYTES:
                        raise FetchError(f"{url}: the page is over {MAX_PAGE_BYTES // 2**20} MB; expected a "
                                         "landing page")
                return body.decode(r.encoding or "utf-8", errors="replace")
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise self._offline(url, exc) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None

    def download(self, url: str, dest: Path) -> Downloaded:
        """``url`` to ``dest`` via ``dest.part`` (resumed if present); the file's size and SHA-256."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        self._wait()
        resumed = False
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                if have and r.status_code == 206 and _range_start(r.headers.get("content-range")) == have:
                    resumed, mode, size = True, "ab", have
                elif r.status_code == 200:
                    mode, size = "wb", 0
                else:
                    raise FetchError(f"{url}: the server answered {r.status_code} {r.reason_phrase}")
                declared = r.headers.get("content-length")
                if declared is not None and declared.isdigit() and size + int(declared) > self.max_bytes:
                    raise FetchError(f"{url}: {size + int(declared):,} bytes is over the limit of "
                                     f"{self.max_bytes:,}; not downloaded")
                with part.open(mode) as fh:
                    for chunk in r.iter_bytes(_CHUNK):
                        size += len(chunk)
                        if size > self.max_bytes:
                            fh.close()
                            part.unlink(missing_ok=True)
                            raise FetchError(f"{url}: over the limit of {self.max_bytes:,} bytes; abandoned")
                        fh.write(chunk)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise self._offline(url, exc) from None
        except httpx.HTTPError as exc:  # cut off mid-way: the .part stays, to be resumed next time
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}; the part downloaded is kept to resume") from None
        sha = _sha256(part)
        part.replace(dest)
        return Downloaded(dest, sha, dest.stat().st_size, resumed)


def _range_start(header: Any) -> int | None:
    """The first byte of a ``Content-Range: bytes 100-199/200`` header."""
    if not isinstance(header, str) or not header.startswith("bytes "):
        return None
    first = header[6:].split("-", 1)[0]
    return int(first) if first.isdigit() else None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
