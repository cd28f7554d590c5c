"""Quick, damage-tolerant access to XLSX workbooks for the publication readers.

The loader asks every reader about every file under ``../shared/data`` (PDFs, CSVs, zips,
markdown), so recognition must be cheap: a magic-byte check, then the sheet names read
from ``xl/workbook.xml`` alone, without opening the (large) sheet XML. A download that was
cut short has no zip central directory; we still find ``xl/workbook.xml`` from its local
header so such a file is *recognised* and then reported as damaged by ``read`` instead of
being silently skipped as "not a publication".

Rows are streamed with openpyxl's read-only mode. Several NHS England files declare a wrong
sheet dimension (``A1``), so dimensions are reset before iterating.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl

from opmodel.errors import InputError

__all__ = [
    "Workbook",
    "cell_text",
    "iter_rows",
    "open_workbook",
    "sheet_names",
    "workbook_is_intact",
]

Workbook = Any  # openpyxl ships no type information
_ZIP_MAGIC = b"PK\x03\x04"
_WORKBOOK_PART = "xl/workbook.xml"
_LOCAL_HEADER_LEN = 30
_SCAN_LIMIT = 4 * 1024 * 1024  # the workbook part sits near the start of every real file
_INFLATE_LIMIT = 4 * 1024 * 1024  # workbook.xml is a few KB; never inflate more from a damaged file
_SHEET_NAME = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")


def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == _ZIP_MAGIC
    except OSError:
        return False


def _workbook_xml_from_local_header(path: Path) -> bytes | None:
    """Find and inflate ``xl/workbook.xml`` by its local header (no central directory needed)."""
    try:
        with path.open("rb") as fh:
            buf = fh.read(_SCAN_LIMIT)
    except OSError:
        return None
    name = _WORKBOOK_PART.encode()
    start = 0
    while (at := buf.find(name, start)) >= 0:
        start = at + 1
        header = at - _LOCAL_HEADER_LEN
        if header < 0 or buf[header:header + 4] != _ZIP_MAGIC:
            continue
        method = int.from_bytes(buf[header + 8:header + 10], "little")
        name_len = int.from_bytes(buf[header + 26:header + 28], "little")
        extra_len = int.from_bytes(buf[header + 28:header + 30], "little")
        data = buf[header + _LOCAL_HEADER_LEN + name_len + extra_len:]
        if method == 0:
            size = int.from_bytes(buf[header + 18:header + 22], "little")
            return data[:size] if size else None
        if method == 8:
            try:
                return zlib.decompressobj(-15).decompress(data, _INFLATE_LIMIT)  # bounded: no bombs
            except zlib.error:
                return None
    return None


def _workbook_xml(path: Path) -> bytes | None:
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.read(_WORKBOOK_PART)
    except KeyError:
        return None  # a zip, but not a workbook (e.g. the RTT extract)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return _workbook_xml_from_local_header(path)


def sheet_names(path: Path) -> list[str] | None:
    """Sheet names of an XLSX file, or None if the file is not an XLSX workbook.

    Works on truncated downloads too (see the module docstring).
    """
    if not _is_zip(path):
        return None
    xml = _workbook_xml(path)
    if xml is None:
        return None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        # A partly inflated part from a damaged file: fall back to a pattern over the bytes.
        return [_unescape(m.decode("utf-8", "replace")) for m in _SHEET_NAME.findall(xml)]
    return [el.get("name", "") for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "sheet"]


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def workbook_is_intact(path: Path) -> bool:
    """True if the zip container is complete (its central directory reads and tests cleanly)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _WORKBOOK_PART in zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return False


def open_workbook(path: Path) -> Workbook:
    """Open read-only (streaming) with cached values; a damaged file becomes an InputError."""
    if not workbook_is_intact(path):
        raise InputError.one(path, None, None,
                             "the XLSX file is damaged or truncated (its zip directory cannot be read); "
                             "expected a complete workbook as published")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt parts
        raise InputError.one(path, None, None, f"the XLSX file cannot be read ({exc}); "
                             "expected a complete workbook as published") from None


def iter_rows(path: Path, wb: Workbook, sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Stream ``(1-based row number, values)`` of one sheet; damage mid-sheet is an InputError."""
    ws = wb[sheet]
    ws.reset_dimensions()
    row_no = 0
    try:
        for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
            yield row_no, tuple(values)
    except (zipfile.BadZipFile, zlib.error, EOFError, ElementTree.ParseError, OSError) as exc:
        raise InputError.one(path, row_no + 1, None, f"sheet {sheet!r} is damaged after row {row_no} "
                             f"({exc}); expected the complete sheet as published") from None


def cell_text(value: Any) -> str:
    """A cell as stripped text ('' for empty), for header matching."""
    if value is None:
        return ""
    return str(value).strip()
