"""Plausible or refused: every value a reader yields is checked against its publication's declarations.

Each catalogue entry declares the domain of its values (``minimum``/``maximum``, defaulting from the
unit: percentages 0-100, counts at least 0, NOF scores 1-4, ...), and no publication can hold a
period that has not ended (:func:`opmodel.metrics.publishing.latest_possible_end`). A row outside
either, or text carrying a NUL byte, is refused with the file, line and field, and the file is not
loaded (issue 21, item 4). Text files are also scanned for NUL bytes as a whole, because Python's
``csv`` module passes them through silently inside a field.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from pathlib import Path

from opmodel.errors import InputError
from opmodel.metrics.catalogue import MetricDefinition, catalogue
from opmodel.metrics.models import MetricRow
from opmodel.metrics.publishing import latest_possible_end

__all__ = ["EARLIEST_PERIOD", "check_row", "checked_rows", "find_nul", "is_text_file"]

#: The NHS began on 5 July 1948: no NHS statistic describes an earlier period.
EARLIEST_PERIOD = dt.date(1948, 7, 5)
_BINARY_MAGIC = (b"PK\x03\x04", bytes.fromhex("d0cf11e0a1b11ae1"), b"%PDF", b"\x89PNG", b"PAR1", b"\xff\xfe",
                 b"\xfe\xff", b"\x1f\x8b")
_CHUNK = 1 << 20


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:,.6g}"


def check_row(row: MetricRow, defn: MetricDefinition | None, path: Path, latest: dt.date) -> None:
    """Raise :class:`InputError` (file, line, field) if ``row`` is implausible; see the module docstring."""
    line = row.source_row
    for name, text in (("org_code", row.org_code), ("org_name", row.org_name)):
        if isinstance(text, str) and "\x00" in text:
            raise InputError.one(path, line, name, f"{row.metric}: the text holds a NUL byte ({text!r}); "
                                                   "expected plain text (a damaged or binary-edited file)")
    for key, item in row.extra.items():
        if isinstance(item, str) and "\x00" in item:
            raise InputError.one(path, line, key, f"{row.metric} for {row.org_code}: the text holds a NUL byte")
    if row.period_end > latest:
        raise InputError.one(path, line, "period", f"{row.metric} for {row.org_code}: the period "
                                                   f"{row.period_start} to {row.period_end} has not ended (today is "
                                                   f"{latest}); expected a period that is over")
    if row.period_start < EARLIEST_PERIOD:
        raise InputError.one(path, line, "period", f"{row.metric} for {row.org_code}: the period starting "
                                                   f"{row.period_start} is before the NHS began (5 July 1948)")
    if defn is None or row.value is None or not math.isfinite(row.value):
        return  # uncatalogued metrics have no declared domain; non-finite values are refused on write
    lo, hi = defn.minimum, defn.maximum
    if (lo is not None and row.value < lo - 1e-9) or (hi is not None and row.value > hi + 1e-9):
        span = (f"from {_fmt(lo)} to {_fmt(hi)}" if lo is not None and hi is not None
                else f"at least {_fmt(lo)}" if lo is not None else f"at most {_fmt(hi)}")
        raise InputError.one(path, line, "value", f"{row.metric} for {row.org_code} in the period starting "
                                                  f"{row.period_start}: {_fmt(row.value)} is impossible for a "
                                                  f"{defn.unit} value; expected {span}")


def checked_rows(rows: Iterable[MetricRow], path: Path, today: dt.date | None = None) -> Iterator[MetricRow]:
    """``rows`` unchanged, each checked with :func:`check_row` as it passes (streaming)."""
    cat = catalogue()
    latest = latest_possible_end(today)
    for row in rows:
        check_row(row, cat.get(row.metric), path, latest)
        yield row


def is_text_file(path: Path) -> bool:
    """True unless the file starts like a zip, an OLE workbook, a PDF, an image, UTF-16 or gzip."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return not any(head.startswith(m) for m in _BINARY_MAGIC)


def _field_at(path: Path, line_text: bytes, column_offset: int) -> str:
    """The header name of the CSV column holding ``column_offset`` of ``line_text`` (or 'column N')."""
    index = line_text[:column_offset].count(b",")
    try:
        with path.open("rb") as fh:
            header = fh.readline().decode("utf-8-sig", errors="replace").rstrip("\r\n").split(",")
    except OSError:
        header = []
    if index < len(header) and header[index].strip():
        return header[index].strip().strip('"')
    return f"column {index + 1}"


def find_nul(path: Path) -> tuple[int, str] | None:
    """(line, field) of the first NUL byte in a text file, or None. Reads the file in 1 MB chunks."""
    offset = 0
    lines = 0
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            at = chunk.find(b"\x00")
            if at < 0:
                lines += chunk.count(b"\n")
                tail = chunk[chunk.rfind(b"\n") + 1:] if b"\n" in chunk else tail + chunk
                offset += len(chunk)
                continue
            before = chunk[:at]
            line = lines + before.count(b"\n") + 1
            start = before.rfind(b"\n")
            text = before[start + 1:] if start >= 0 else tail + before
            return line, _field_at(path, text, len(text))
    return None

