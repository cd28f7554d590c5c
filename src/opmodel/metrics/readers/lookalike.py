"""Files that look like a publication but are not recognised: say what is missing.

A renamed ``Org Code`` column, a UTF-16 copy or a zip without its CSV used to be "skipped:
no reader recognises", exactly like a README, and the load exited 0. A file whose *name*
follows a publication's naming, or whose first line carries a publication's header words,
is instead refused with what is missing (issue 16, item 6). Signatures are deliberately
narrow: the derived CSVs in ``../shared/data`` (``ae_attendances.csv``,
``rtt_..._incomplete_by_provider.csv``, the DM01 per-test CSV) must stay plain skips.

A reader may also offer its own ``looks_like(path) -> str | None`` (see ``base.py``).
"""

from __future__ import annotations

import csv
import functools
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from opmodel.metrics.readers._archive import is_zip
from opmodel.metrics.readers._parsing import mentions, norm_header
from opmodel.metrics.readers._xlsx import sheet_names

__all__ = ["SIGNATURES", "Signature", "first_line", "looks_like"]

_HEAD_BYTES = 8192  # a publication header line is well under 4 KB
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Signature:
    """How to tell a damaged copy of one publication, and what a good copy must have."""

    title: str
    name: re.Pattern[str] | None = None
    #: Any of these (normalised) header cells marks a look-alike ...
    words: frozenset[str] = frozenset()
    #: ... unless one of these is there too (a related file we deliberately do not read).
    unless: frozenset[str] = frozenset()
    #: Header columns a recognised file has (CSV publications).
    columns: tuple[str, ...] = ()
    #: Sheets a recognised workbook has (workbook publications).
    sheets: tuple[str, ...] = ()


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


#: By reader publication id. Readers added later without an entry simply have no look-alikes.
SIGNATURES: dict[str, tuple[Signature, ...]] = {
    "ae_monthly": (
        Signature("A&E monthly CSV", _rx(r"^monthly-ae-.*\.csv$"),
                  frozenset({"a&e attendances type 1", "attendances over 4hrs type 1"}),
                  columns=("period", "org code", "a&e attendances type 1")),
        Signature("A&E by provider workbook", _rx(r"ae-by-provider.*\.xlsx$"),
                  sheets=("Provider Level Data", "Booked Appointments Data", "Non-Booked Data")),
    ),
    "rtt_full_extract": (
        Signature("RTT full extract", _rx(r"rtt.*full-extract"),
                  frozenset({"rtt part type", "treatment function code"}),
                  columns=("provider org code", "rtt part type", "treatment function code")),
    ),
    "dm01": (
        Signature("DM01 provider web file", _rx(r"diagnostics-web-file-provider.*\.xls$"),
                  sheets=("Provider", "Provider by Test")),
        Signature("DM01 provider CSV", None, frozenset({"number waiting 6+ weeks"}),
                  frozenset({"diagnostic id"}),
                  columns=("period", "regional team code", "provider code", "provider name",
                           "total waiting list", "number waiting 6+ weeks")),
        Signature("DM01 full extract", _rx(r"dm01-[a-z]+-20\d\d-full-extract"), frozenset({"total wl"}),
                  columns=("period", "provider org code", "provider org name", "commissioner org code",
                           "diagnostic tests", "total wl")),
    ),
    "csds_monthly": (Signature("CSDS core data CSV", _rx(r"^csds-.*-core-data.*\.(csv|zip)$"),
                               frozenset({"count_of", "measure_value_0_18"}),
                               columns=("reporting_period_start", "reporting_period_end", "org_code", "org_name",
                                        "org_level", "dimension", "measure_value")),),
    "fft_summary": (Signature("Friends and Family Test summary", _rx(r"f[ft]t-summary-.*\.xlsx$"),
                              sheets=("Headline figures",)),),
    "cancer_waiting_times": (
        Signature("cancer waiting times provider extract", _rx(r"^cwt-crs-.*provider.*\.xlsx$"),
                  sheets=("CWT CRS Provider Extract",)),
    ),
    "kh03_beds": (Signature("KH03 beds workbook", _rx(r"^beds-open-overnight.*\.xlsx$"),
                            sheets=("NHS Trust by Sector",)),),
    "ambsys": (Signature("AmbSYS time series", _rx(r"^ambsys-time-series.*\.xlsx$"), sheets=("Raw",)),),
}


_ALL = tuple(sig for sigs in SIGNATURES.values() for sig in sigs)


def first_line(path: Path) -> tuple[str | None, str | None]:
    """The first text line (of the file, or of a zip's first CSV) and an encoding note.

    The note is set for UTF-16 text, which every reader expects as UTF-8. Never raises.
    """
    try:
        if is_zip(path):
            with zipfile.ZipFile(path) as zf:
                members = [n for n in zf.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX")]
                if not members:
                    return None, None
                with zf.open(members[0]) as fh:
                    raw = fh.read(_HEAD_BYTES)
        else:
            with path.open("rb") as fh:
                raw = fh.read(_HEAD_BYTES)
    except Exception:  # damaged zips and unreadable files: no line, the caller decides by name
        return None, None
    note = None
    if raw[:2] in _UTF16_BOMS:
        text = raw.decode("utf-16", errors="replace")
        note = "the file is UTF-16 text; publications are read as UTF-8 (save it as 'CSV UTF-8' and load again)"
    else:
        if b"\x00" in raw[:4096]:
            return None, None
        text = raw.decode("utf-8-sig", errors="replace")
    return re.split(r"[\r\n]", text, maxsplit=1)[0], note


def _header(line: str) -> list[str]:
    try:
        return [norm_header(c) for c in next(csv.reader([line]), [])]
    except csv.Error:
        return [norm_header(c) for c in line.split(",")]


@functools.lru_cache(maxsize=8)
def _head(path: Path, stamp: tuple[int, int]) -> tuple[tuple[str, ...], str | None, bool]:
    """(header cells, encoding note, had a line) of ``path``; cached across the signatures asked."""
    line, note = first_line(path)
    if line and not any(mentions(line, w) for sig in _ALL for w in (*sig.words, *sig.columns[1:])):
        return (), note, True  # no publication's header word at all: skip parsing it cell by cell
    return tuple(_header(line)) if line else (), note, bool(line)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_size, st.st_mtime_ns)


def looks_like(publication: str, path: Path) -> str | None:
    """If ``path`` looks like (a damaged copy of) ``publication``, why it is not read; else None."""
    for sig in SIGNATURES.get(publication, ()):
        by_name = sig.name is not None and sig.name.search(path.name) is not None
        cells: tuple[str, ...] = ()
        note, had_line = None, False
        if sig.columns:
            cells, note, had_line = _head(path, _stamp(path))
        by_words = bool(sig.words & set(cells)) and not (sig.unless & set(cells))
        if not (by_name or by_words):
            continue
        why = f"its name {path.name!r}" if by_name else "its header"
        if note:
            return f"looks like a {sig.title} ({why}) but {note}"
        if sig.columns:
            missing = [c for c in sig.columns if c not in cells]
            if not had_line:
                return f"looks like a {sig.title} ({why}) but has no readable header line; expected columns " \
                       f"{', '.join(sig.columns)}"
            if missing:
                return f"looks like a {sig.title} ({why}) but is missing column(s) {', '.join(missing)}"
            return f"looks like a {sig.title} ({why}) but its content is not recognised"
        names = sheet_names(path)
        if names is None:
            return f"looks like a {sig.title} ({why}) but is not a readable workbook"
        have = {n.strip().upper() for n in names}
        lacking = [s for s in sig.sheets if s.upper() not in have]
        if lacking:
            return f"looks like a {sig.title} ({why}) but is missing sheet(s) {', '.join(lacking)}"
        return f"looks like a {sig.title} ({why}) but its content is not recognised"
    return None
