"""The published counts the synthetic generator must reproduce, read from the raw files.

The metric readers keep only the published metrics; the generator needs finer counts
(attendances and over-4-hour counts for each of the six department groups, decision-to-admit
waits, admissions via A&E; RTT incomplete pathways per provider × treatment function ×
commissioner × week bucket). Both parsers stream the files and never hold the RTT extract
in memory; problems are raised as :class:`~opmodel.errors.InputError` naming file, line and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from opmodel.errors import InputError

__all__ = [
    "AE_GROUPS",
    "RTT_BUCKETS",
    "AeCounts",
    "RttCell",
    "ae_calibration_files",
    "read_ae_counts",
    "read_rtt_cells",
]

#: The six published department groups: (department type, booked appointment).
AE_GROUPS: tuple[tuple[str, bool], ...] = (
    ("1", False), ("2", False), ("other", False), ("1", True), ("2", True), ("other", True),
)
_ATT = (
    "A&E attendances Type 1", "A&E attendances Type 2", "A&E attendances Other A&E Department",
    "A&E attendances Booked Appointments Type 1", "A&E attendances Booked Appointments Type 2",
    "A&E attendances Booked Appointments Other Department",
)
_OVER = (
    "Attendances over 4hrs Type 1", "Attendances over 4hrs Type 2", "Attendances over 4hrs Other Department",
    "Attendances over 4hrs Booked Appointments Type 1", "Attendances over 4hrs Booked Appointments Type 2",
    "Attendances over 4hrs Booked Appointments Other Department",
)
_DTA_4_12 = "Patients who have waited 4-12 hs from DTA to admission"
_DTA_12 = "Patients who have waited 12+ hrs from DTA to admission"
_ADM = (
    "Emergency admissions via A&E - Type 1", "Emergency admissions via A&E - Type 2",
    "Emergency admissions via A&E - Other A&E department",
)
_MONTHS = {m.upper(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}
_PERIOD = re.compile(r"^MSITAE-(?P<month>[A-Z]+)-(?P<year>\d{4})$")
_RTT_PERIOD = re.compile(r"^RTT-(?P<month>[A-Z]+)-(?P<year>\d{4})$")

#: Number of RTT week buckets: "Gt 00 To 01 Weeks" ... "Gt 103 To 104 Weeks", then "Gt 104 Weeks".
RTT_BUCKETS = 105


@dataclass(frozen=True, slots=True)
class AeCounts:
    """One organisation-month of the monthly A&E publication (the generator's target)."""

    org_code: str
    org_name: str
    month: dt.date                      # first day of the month
    attendances: tuple[int, ...]        # six groups, in AE_GROUPS order
    over_4h: tuple[int, ...]            # six groups
    dta_4_12h: int
    dta_12h: int
    admissions: tuple[int, ...]         # via A&E by type: 1, 2, other
    line: int


@dataclass(frozen=True, slots=True)
class RttCell:
    """Incomplete pathways of one provider × treatment function × commissioner, by week bucket."""

    provider: str
    commissioner: str
    treatment_function: str
    buckets: tuple[int, ...]            # RTT_BUCKETS counts
    census_date: dt.date                # last day of the reporting month
    line: int


def ae_calibration_files(folder: Path) -> list[Path]:
    """The monthly A&E CSVs in ``folder`` (recognised by header, not by name), sorted."""
    found = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
        if "Org Code" in header and _ATT[0] in header and _DTA_12 in header:
            found.append(path)
    return found


def _int(path: Path, line: int, column: str, raw: str | None) -> int:
    text = (raw or "").strip().replace(",", "")
    if text == "":
        return 0
    try:
        value = int(float(text))
    except ValueError:
        raise InputError.one(path, line, column, f"expected a whole number, got {raw!r}") from None
    if value < 0:
        raise InputError.one(path, line, column, f"expected a count of 0 or more, got {value}")
    return value


def read_ae_counts(path: Path) -> Iterator[AeCounts]:
    """Stream every organisation row of one monthly A&E CSV (the England TOTAL row is skipped)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("Period", "Org Code", "Org name", *_ATT, *_OVER, _DTA_4_12, _DTA_12, *_ADM)
                   if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError.one(path, 1, missing[0], "expected the monthly A&E CSV header "
                                 f"(missing {len(missing)} column(s))")
        for line, row in enumerate(reader, start=2):
            code = (row["Org Code"] or "").strip()
            if code.upper() == "TOTAL" or not code:
                continue
            m = _PERIOD.match((row["Period"] or "").strip().upper())
            if not m or m["month"] not in _MONTHS:
                raise InputError.one(path, line, "Period", f"expected e.g. MSitAE-MAY-2025, got {row['Period']!r}")
            yield AeCounts(
                org_code=code,
                org_name=(row["Org name"] or "").strip(),
                month=dt.date(int(m["year"]), _MONTHS[m["month"]], 1),
                attendances=tuple(_int(path, line, c, row[c]) for c in _ATT),
                over_4h=tuple(_int(path, line, c, row[c]) for c in _OVER),
                dta_4_12h=_int(path, line, _DTA_4_12, row[_DTA_4_12]),
                dta_12h=_int(path, line, _DTA_12, row[_DTA_12]),
                admissions=tuple(_int(path, line, c, row[c]) for c in _ADM),
                line=line,
            )


def _open_text(path: Path) -> io.TextIOBase:
    """The RTT extract as text, straight from its zip (first CSV member) or a plain CSV."""
    if path.suffix.lower() == ".zip":
        archive = zipfile.ZipFile(path)
        members = [n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX")]
        if not members:
            raise InputError.one(path, None, None, "expected a zip holding the RTT full extract CSV")
        return io.TextIOWrapper(archive.open(members[0]), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def read_rtt_cells(path: Path, *, part: str = "Part_2") -> Iterator[RttCell]:
    """Stream the rows of one RTT part (default: incomplete pathways) below the C_999 total.

    Lines that cannot be of ``part`` are skipped before CSV parsing (two thirds of the file),
    which halves the time to stream the 180,000-row extract.
    """
    with _open_text(path) as fh:
        header = next(csv.reader([fh.readline()]), [])
        try:
            idx = {name: header.index(name) for name in (
                "Period", "Provider Org Code", "Commissioner Org Code", "RTT Part Type", "Treatment Function Code",
                "Gt 00 To 01 Weeks SUM 1", "Gt 104 Weeks SUM 1", "Total All")}
        except ValueError as exc:
            raise InputError.one(path, 1, None, f"expected the RTT full extract header ({exc})") from None
        first, last = idx["Gt 00 To 01 Weeks SUM 1"], idx["Gt 104 Weeks SUM 1"]
        if last - first + 1 != RTT_BUCKETS:
            raise InputError.one(path, 1, None, f"expected {RTT_BUCKETS} week buckets, found {last - first + 1}")
        names = header[first:last + 1]
        census: dict[str, dt.date] = {}
        marker = f",{part},"
        for line, text in enumerate(fh, start=2):
            if marker not in text:
                continue
            row = next(csv.reader([text]))
            if len(row) != len(header):
                raise InputError.one(path, line, None, f"expected {len(header)} fields, found {len(row)}")
            if row[idx["RTT Part Type"]] != part or row[idx["Treatment Function Code"]] == "C_999":
                continue
            buckets = tuple(_int(path, line, names[i], row[first + i]) for i in range(RTT_BUCKETS))
            total = _int(path, line, "Total All", row[idx["Total All"]])
            if sum(buckets) != total:
                raise InputError.one(path, line, "Total All",
                                     f"expected the sum of the week buckets ({sum(buckets)}), got {total}")
            period = row[idx["Period"]]
            if period not in census:
                census[period] = _census_date(path, line, period)
            yield RttCell(row[idx["Provider Org Code"]].strip(), row[idx["Commissioner Org Code"]].strip(),
                          row[idx["Treatment Function Code"]].strip(), buckets, census[period], line)


def _census_date(path: Path, line: int, period: str) -> dt.date:
    """``RTT-April-2026`` -> 2026-04-30: the RTT census is the month's last day."""
    m = _RTT_PERIOD.match(period.strip().upper())
    if not m or m["month"] not in _MONTHS:
        raise InputError.one(path, line, "Period", f"expected e.g. RTT-April-2026, got {period!r}")
    year, month = int(m["year"]), _MONTHS[m["month"]]
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)
