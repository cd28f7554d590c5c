"""KH03 overnight beds time series: ``KH03-Available-Overnight-only.csv`` and ``...-Occupied-...csv``.

NHS England publishes the whole KH03 series (2000/01 onwards) as two long CSVs with the same four
columns, ``Organisation_Code, Sector, Number_Of_Beds, Effective_Snapshot_Date``: the average daily
number of beds open overnight (available) or occupied, per trust, sector and period. The content
does not say which of the two a file is, only its name does ("Available" / "Occupied", as NHS
England names them), so the measure is taken from the name and a file named neither is refused
(docs/decisions.md, issue 21).

Snapshot dates are period ends. Until 2009/10 the collection was annual (31 March), quarterly
since June 2010: each date's period is decided from the gap to the previous snapshot date in the
file (3 months: a quarter; 12 months: the financial year), so nothing is assumed about the year
the cycle changed. General and acute beds are stored (``kh03_available_ga``,
``kh03_occupied_ga``), as the KH03 workbook reader does; the other sectors are read and checked
but not stored. ``NULL`` is a missing return (no value); thousands separators are allowed.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._parsing import norm_header, parse_count
from opmodel.metrics.readers._periods import month_range

__all__ = ["Kh03OvernightReader"]

HEADER = ("organisation_code", "sector", "number_of_beds", "effective_snapshot_date")
SECTOR = "general & acute"
_KINDS = {"available": "kh03_available_ga", "occupied": "kh03_occupied_ga"}
_MISSING = frozenset({"", "null", "-"})


def _header(path: Path) -> tuple[str, ...]:
    try:
        with path.open("rb") as fh:
            raw = fh.read(256)
    except OSError:
        return ()
    if b"\x00" in raw:
        return ()
    first = raw.decode("utf-8-sig", errors="replace").splitlines()[:1]
    return tuple(norm_header(c) for c in next(csv.reader(first), [])) if first else ()


def _snapshot(text: str, path: Path, line: int) -> dt.date:
    try:
        day, month, year = (int(p) for p in text.strip().split("/"))
        found = dt.date(year, month, day)
    except ValueError:
        raise InputError.one(path, line, "Effective_Snapshot_Date", f"expected a date such as 30/06/2024, "
                                                                     f"got {text!r}") from None
    if month_range(year, month)[1] != found:
        raise InputError.one(path, line, "Effective_Snapshot_Date", f"{text!r} is not the last day of a month; "
                                                                     "expected a period end")
    return found


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _periods(ends: set[dt.date], path: Path) -> dict[dt.date, dt.date]:
    """Period end -> start, from the gap to the previous snapshot (3 months: quarter; 12: year)."""
    ordered = sorted(ends)
    out: dict[dt.date, dt.date] = {}
    for i, end in enumerate(ordered):
        # the first snapshot takes the gap to the second (a lone snapshot is taken as a quarter)
        neighbours = (ordered[i - 1], end) if i else (end, ordered[1]) if len(ordered) > 1 else None
        gap = _months_between(*neighbours) if neighbours else 3
        if gap not in (3, 12):
            raise InputError.one(path, None, "Effective_Snapshot_Date", f"snapshots around {end} are {gap} months "
                                 "apart; expected quarterly (3) or annual (12) snapshots")
        first = end.year * 12 + end.month - 1 - (gap - 1)
        out[end] = dt.date(first // 12, first % 12 + 1, 1)
    return out


class Kh03OvernightReader:
    """One of the two KH03 overnight series CSVs (available or occupied beds, by its name)."""

    publication = "kh03_overnight"

    def recognises(self, path: Path) -> bool:
        return _header(path) == HEADER

    def read(self, path: Path) -> Iterator[MetricRow]:
        low = path.name.lower()
        kinds = [k for k in _KINDS if k in low]
        if len(kinds) != 1:
            raise InputError.one(path, None, None, "cannot tell available from occupied beds: the KH03 overnight "
                                                   "CSVs say which only in their name; expected 'Available' or "
                                                   "'Occupied' in the file name, as NHS England names them")
        metric = _KINDS[kinds[0]]
        rows: list[tuple[int, str, dt.date, float | None]] = []
        seen: dict[tuple[str, str, dt.date], int] = {}
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            for line, rec in enumerate(reader, start=2):
                if not any(c.strip() for c in rec):
                    continue
                if len(rec) != len(HEADER):
                    raise InputError.one(path, line, None, f"row has {len(rec)} fields, expected {len(HEADER)} "
                                                           "(truncated row?)")
                code, sector = rec[0].strip().upper(), norm_header(rec[1])
                if not code:
                    raise InputError.one(path, line, "Organisation_Code", "expected an ODS code")
                end = _snapshot(rec[3], path, line)
                key = (code, sector, end)
                if key in seen:
                    raise InputError.one(path, line, "Organisation_Code", f"duplicate row for {code} {rec[1]!r} "
                                                                          f"{rec[3]} (first at line {seen[key]})")
                seen[key] = line
                beds = parse_count(rec[2], path, line, "Number_Of_Beds", allow_blank=True, missing=_MISSING)
                if sector == SECTOR:
                    rows.append((line, code, end, beds))
        if not rows:
            raise InputError.one(path, None, "Sector", "no General & Acute rows: the file looks truncated")
        starts = _periods({end for _, _, end, _ in rows}, path)
        for line, code, end, beds in rows:
            if beds is None:
                continue
            yield MetricRow(metric=metric, org_code=code, period_start=starts[end], period_end=end, value=beds,
                            numerator=beds, source_row=line)
