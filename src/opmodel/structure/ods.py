"""Reader for NHS Organisation Data Service (ODS) ``etr`` and ``eccg`` files.

ODS publishes these as headerless, quoted CSV in a fixed 27-column layout
(see ``shared/data/ods-org-hierarchy/PROVENANCE.md``): code, name, national
grouping (NHS England region), high-level health geography (ICB), address,
postcode, open and close dates (YYYYMMDD). We recognise the file by content, not
by its name, and report every problem with file, line and field.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from opmodel.errors import InputError, InputProblem
from opmodel.structure.names import house_style_name

__all__ = ["ODS_COLUMNS", "OdsFileKind", "OdsRecord", "OdsSnapshot", "detect_kind", "read_ods_file"]

ODS_COLUMNS = 27

#: Column positions (1-based, as ODS documents them) and the names we report.
FIELDS = {1: "organisation_code", 2: "name", 3: "national_grouping", 4: "high_level_health_geography",
          10: "postcode", 11: "open_date", 12: "close_date", 14: "role"}

#: ODS pseudo-codes for Welsh organisations: not part of NHS England's structure.
OUTSIDE_ENGLAND = frozenset({"W00", "Q99"})

_CODE = re.compile(r"^[A-Z0-9]{3,6}$")
_ROLE = re.compile(r"^RO\d+(\|RO\d+)*$")


class OdsFileKind(StrEnum):
    ETR = "etr"    # NHS trusts
    ECCG = "eccg"  # CCGs and sub-ICB locations


@dataclass(frozen=True)
class OdsRecord:
    line: int
    code: str
    name: str
    region: str | None
    icb: str | None
    postcode: str | None
    open_date: dt.date | None
    close_date: dt.date | None
    role: str | None


@dataclass(frozen=True)
class OdsSnapshot:
    path: Path
    kind: OdsFileKind
    sha256: str
    records: tuple[OdsRecord, ...]


def _parse_date(raw: str, file: Path, line: int, fld: str, problems: list[InputProblem]) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        if not re.fullmatch(r"\d{8}", raw):
            raise ValueError
        return dt.datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        problems.append(InputProblem(str(file), line, fld, f"expected a date as YYYYMMDD, got {raw!r}"))
        return None


def detect_kind(rows: Iterable[list[str]]) -> OdsFileKind | None:
    """Tell an etr from an eccg file by content: eccg rows carry ODS role codes (RO…)."""
    names = 0
    trusts = 0
    for row in rows:
        if len(row) != ODS_COLUMNS:
            continue
        if _ROLE.match(row[13].strip()):
            return OdsFileKind.ECCG
        name = row[1].upper()
        names += 1
        if " CCG" in name or " ICB" in name:
            return OdsFileKind.ECCG
        if "TRUST" in name:
            trusts += 1
    if names and trusts / names >= 0.5:
        return OdsFileKind.ETR
    return None


def read_ods_file(path: Path | str, expect: OdsFileKind | None = None) -> OdsSnapshot:
    """Read and validate one ODS etr/eccg file; raise :class:`InputError` listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise InputError.one(path, None, None, "file not found")
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    rows = list(csv.reader(text.splitlines()))
    problems: list[InputProblem] = []
    if not rows:
        raise InputError.one(path, None, None, "the file is empty; expected ODS rows of 27 columns")
    kind = detect_kind(rows)
    if kind is None:
        first = rows[0]
        detail = f"{len(first)} columns" if len(first) != ODS_COLUMNS else "no trust or sub-ICB names"
        raise InputError.one(path, 1, None,
                             f"not an ODS etr or eccg file: expected headerless rows of {ODS_COLUMNS} "
                             f"columns naming trusts or sub-ICB locations ({detail})")
    if expect is not None and kind is not expect:
        raise InputError.one(path, None, None, f"expected an ODS {expect.value} file, found {kind.value}")
    records: list[OdsRecord] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        if not any(c.strip() for c in row):
            continue
        if len(row) != ODS_COLUMNS:
            problems.append(InputProblem(str(path), i, None,
                                         f"expected {ODS_COLUMNS} columns, found {len(row)}"))
            continue
        code = row[0].strip().upper()
        if not _CODE.match(code):
            problems.append(InputProblem(str(path), i, FIELDS[1],
                                         f"expected an ODS code of 3-6 letters or digits, got {row[0]!r}"))
            continue
        if code in seen:
            problems.append(InputProblem(str(path), i, FIELDS[1],
                                         f"duplicate code {code} (first seen on line {seen[code]})"))
            continue
        seen[code] = i
        name = house_style_name(row[1])
        if not name:
            problems.append(InputProblem(str(path), i, FIELDS[2], "expected a name, found nothing"))
        opened = _parse_date(row[10], path, i, FIELDS[11], problems)
        closed = _parse_date(row[11], path, i, FIELDS[12], problems)
        if opened and closed and closed < opened:
            problems.append(InputProblem(str(path), i, FIELDS[12],
                                         f"close date {closed} is before open date {opened}"))
        region = row[2].strip().upper() or None
        icb = row[3].strip().upper() or None
        if region in OUTSIDE_ENGLAND or icb in OUTSIDE_ENGLAND:
            region = icb = None
        records.append(OdsRecord(i, code, name, region, icb, row[9].strip() or None, opened, closed,
                                 row[13].strip() or None))
    if problems:
        raise InputError(problems)
    return OdsSnapshot(path, kind, sha, tuple(records))
