"""Limits on compressed files (zips and XLSX workbooks), checked before anything is inflated.

A 9 MB zip can claim 2 GB of content; inflating it to find out costs half a minute of CPU
and, through the web upload, slows every other request. The zip's central directory states
each member's compressed and uncompressed size, so we refuse an archive from its directory
alone when it would unpack beyond :data:`MAX_UNPACKED_BYTES` in all, or when a large member
inflates more than :data:`MAX_RATIO` times (the real publications stay under 25 times; a
bomb is thousands). Readers then never read more than the declared size (``zipfile``
stops at it). A file whose directory cannot be read is left to the readers, which inflate
only bounded prefixes of it (see ``_xlsx`` and ``rtt``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from opmodel.errors import ArchiveLimitError, InputError, InputProblem

__all__ = ["MAX_MEMBERS", "MAX_RATIO", "MAX_UNPACKED_BYTES", "check_archive", "csv_first_line", "csv_member",
           "is_zip"]

MAX_UNPACKED_BYTES = 1 << 30  # 1 GiB: the largest publication (RTT extract) unpacks to 82 MB
MAX_RATIO = 200.0
MAX_MEMBERS = 10_000
_RATIO_FLOOR = 1 << 20  # small members (styles, a few cells) compress well; ignore them
_ZIP_MAGIC = b"PK\x03\x04"


def is_zip(path: Path) -> bool:
    """True if the file starts like a zip (XLSX workbooks are zips too)."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) == _ZIP_MAGIC
    except OSError:
        return False


def _refuse(path: Path, message: str) -> ArchiveLimitError:
    return ArchiveLimitError([InputProblem(str(path), None, None, message)])


def check_archive(path: Path) -> None:
    """Raise :class:`ArchiveLimitError` if the zip at ``path`` would unpack beyond the limits.

    Reads only the central directory. Not a zip, or a zip without a readable directory: no-op.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return
    if len(infos) > MAX_MEMBERS:
        raise _refuse(path, f"the archive holds {len(infos):,} files; expected at most {MAX_MEMBERS:,}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise _refuse(path, f"the archive would unpack to {total / 1e6:,.0f} MB; expected at most "
                            f"{MAX_UNPACKED_BYTES / 1e6:,.0f} MB (a compression bomb or not a publication)")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            raise _refuse(path, f"member {info.filename!r} would inflate {ratio:,.0f} times "
                                f"({info.compress_size:,} to {info.file_size:,} bytes); expected at most "
                                f"{MAX_RATIO:.0f} times (a compression bomb)")


def csv_member(path: Path) -> tuple[zipfile.ZipFile | None, IO[bytes]]:
    """The one CSV of a publication shipped as a CSV or as a zip holding one CSV (checked for bombs
    first); the caller closes both the stream and the zip."""
    if is_zip(path):
        check_archive(path)
        zf = zipfile.ZipFile(path)
        members = [n for n in zf.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX")]
        if len(members) != 1:
            zf.close()
            raise InputError.one(path, None, None, f"expected one CSV in the zip, found {len(members)}")
        return zf, zf.open(members[0])
    return None, path.open("rb")


def csv_first_line(path: Path, limit: int = 4096) -> str:
    """The first line of :func:`csv_member` (within ``limit`` bytes), or "" when it cannot be read: what
    a reader recognises a file by."""
    try:
        zf, raw = csv_member(path)
    except Exception:
        return ""
    try:
        return raw.read(limit).decode("utf-8-sig", errors="replace").splitlines()[0]
    except (OSError, IndexError, zipfile.BadZipFile, EOFError):
        return ""
    finally:
        raw.close()
        if zf is not None:
            zf.close()
