"""Quick, damage-tolerant access to XLSX workbooks for the publication readers.

The loader asks every reader about every file under ``../shared/data`` (PDFs, CSVs, zips,
markdown), so recognition must be cheap: a magic-byte check, then the sheet names read
from ``xl/workbook.xml`` alone, without opening the (large) sheet XML. A download that was
cut short has no zip central directory; we still find ``xl/workbook.xml`` from its local
header so such a file is *recognised* and then reported as damaged by ``read`` instead of
being silently skipped as "not a publication".

Rows are read with python-calamine (Rust), about ten times faster than openpyxl's read-only
mode, which took 14 of the 30 seconds of a full load on the cancer extracts alone (issue 16,
item 9). Cells come back as openpyxl gave them to the readers: an empty cell is None, a date
a date (calamine gives ``date`` for date-only cells), numbers as floats. Calamine reads the
cells actually present, so a wrong declared sheet dimension (``A1``, seen in several NHS
England files) does not matter. openpyxl remains only for writing test workbooks.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import python_calamine

from opmodel.errors import InputError
from opmodel.metrics.readers._archive import check_archive

__all__ = [
    "Workbook",
    "cell_text",
    "iter_rows",
    "open_workbook",
    "sheet_names",
    "workbook_is_intact",
]

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


class Workbook:
    """An open XLSX workbook (python-calamine); sheets are read whole, on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._book = python_calamine.CalamineWorkbook.from_path(str(path))

    @property
    def sheetnames(self) -> list[str]:
        return list(self._book.sheet_names)

    def rows(self, sheet: str) -> list[list[Any]]:
        """Every row of ``sheet`` from A1 (empty leading rows and columns kept, so numbers match Excel's)."""
        return self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    def close(self) -> None:
        self._book.close()


def open_workbook(path: Path) -> Workbook:
    """Open for reading; a damaged file becomes an InputError, an archive bomb an ArchiveLimitError."""
    if not workbook_is_intact(path):
        raise InputError.one(path, None, None,
                             "the XLSX file is damaged or truncated (its zip directory cannot be read); "
                             "expected a complete workbook as published")
    check_archive(path)
    try:
        return Workbook(path)
    except Exception as exc:  # calamine raises its own types for corrupt parts
        raise InputError.one(path, None, None, f"the XLSX file cannot be read ({exc}); "
                             "expected a complete workbook as published") from None


def iter_rows(path: Path, wb: Workbook, sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """``(1-based row number, values)`` of one sheet, empty cells as None; damage is an InputError."""
    try:
        rows = wb.rows(sheet)
    except Exception as exc:  # a damaged sheet part (XML or inflate error) anywhere in the sheet
        raise InputError.one(path, None, None, f"sheet {sheet!r} cannot be read ({exc}); "
                             "expected the complete sheet as published") from None
    for row_no, values in enumerate(rows, start=1):
        yield row_no, tuple([None if v == "" else v for v in values]) if "" in values else tuple(values)


def cell_text(value: Any) -> str:
    """A cell as stripped text ('' for empty), for header matching."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code or year typed as a number: 2024, not 2024.0
    return str(value).strip()
