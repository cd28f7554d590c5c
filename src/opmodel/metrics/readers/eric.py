"""Estates Returns Information Collection (ERIC), trust data, one financial year per file.

NHS England publishes ERIC as CSVs in Windows-1252 (the pound sign in column names is byte 0xA3),
one row per trust with about 50 estates and facilities measures. Four are stored:

* ``eric_sites``: Total number of sites (No.);
* ``eric_capital_investment``: capital investment in new build, improving, maintaining
  (lifecycle) existing buildings and equipment (£), summed;
* ``eric_fires``: Fires recorded (No.);
* ``eric_false_alarm_callouts``: False alarms - Call out (No.).

"Not Applicable" and blank cells are no value. The file does not state its year; NHS England's
file name does (``ERIC - 2024_25 - Trust data.csv``), so the financial year is taken from the name,
and a file whose name carries no year is refused rather than guessed (docs/decisions.md, issue 21).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._parsing import mentions, norm_header, parse_count

__all__ = ["EricTrustReader"]

_SIGNATURE = ("trust code", "trust name", "trust type", "total number of sites (no.)")
_CAPITAL = ("capital investment for new build (£)", "capital investment for changing/improving existing buildings (£)",
            "capital investment for maintaining (lifecycle) existing buildings (£)",
            "capital investment for equipment (£)")
_COUNTS = {"eric_sites": "total number of sites (no.)", "eric_fires": "fires recorded (no.)",
           "eric_false_alarm_callouts": "false alarms - call out (no.)"}
_MISSING = frozenset({"", "not applicable", "n/a", "-"})
_YEAR = re.compile(r"(20\d\d)[ _/-]+(\d\d)(?!\d)")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _header(path: Path) -> list[str]:
    try:
        with path.open("rb") as fh:
            raw = fh.read(8192)
    except OSError:
        return []
    if b"\x00" in raw:
        return []
    line = _decode(raw.split(b"\n", 1)[0]) if b"\n" in raw else ""
    return [norm_header(c) for c in next(csv.reader([line]), [])]


def financial_year(name: str) -> tuple[dt.date, dt.date] | None:
    """The financial year a file name states ('... 2024_25 ...' -> 1 April 2024 to 31 March 2025)."""
    for m in _YEAR.finditer(name):
        first, second = int(m.group(1)), int(m.group(2))
        if (first + 1) % 100 == second:
            return dt.date(first, 4, 1), dt.date(first + 1, 3, 31)
    return None


class EricTrustReader:
    """ERIC trust data CSV: header ``Trust Code, Trust Name, ..., Total number of sites (No.)``."""

    publication = "eric_trust"

    def recognises(self, path: Path) -> bool:
        header = _header(path)
        return mentions(",".join(header), *_SIGNATURE) and set(_SIGNATURE) <= set(header)

    def read(self, path: Path) -> Iterator[MetricRow]:
        period = financial_year(path.name)
        if period is None:
            raise InputError.one(path, None, None, "the ERIC trust data does not state its year inside; expected "
                                                   "the financial year in the file name, as NHS England names it "
                                                   "('ERIC - 2024_25 - Trust data.csv')")
        reader = csv.reader(io.StringIO(_decode(path.read_bytes())))
        header = next(reader, [])
        heads = [norm_header(h) for h in header]
        needed = (*_SIGNATURE, *_CAPITAL, *_COUNTS.values())
        missing = [c for c in needed if c not in heads]
        if missing:
            raise InputError.one(path, 1, ", ".join(missing), "missing column(s) of the ERIC trust data")
        col = {c: heads.index(c) for c in needed}
        seen: dict[str, int] = {}
        for line, rec in enumerate(reader, start=2):
            if not any(c.strip() for c in rec):
                continue
            if len(rec) != len(header):
                raise InputError.one(path, line, header[min(len(rec), len(header) - 1)],
                                     f"row has {len(rec)} fields, the header has {len(header)}: truncated row")
            code = rec[col["trust code"]].strip().upper()
            if not code:
                raise InputError.one(path, line, header[col["trust code"]], "expected an ODS code")
            if code in seen:
                raise InputError.one(path, line, header[col["trust code"]], f"duplicate row for {code} (first at "
                                                                           f"line {seen[code]})")
            seen[code] = line
            common = {"org_code": code, "period_start": period[0], "period_end": period[1], "source_row": line,
                      "org_name": rec[col["trust name"]].strip() or None}
            for metric, name in _COUNTS.items():
                n = parse_count(rec[col[name]], path, line, header[col[name]], allow_blank=True, missing=_MISSING)
                if n is not None:
                    yield MetricRow(metric=metric, value=n, numerator=n, **common)  # type: ignore[arg-type]
            parts = [parse_count(rec[col[c]], path, line, header[col[c]], allow_blank=True, missing=_MISSING)
                     for c in _CAPITAL]
            if any(p is not None for p in parts):
                total = sum(p or 0.0 for p in parts)
                yield MetricRow(metric="eric_capital_investment", value=total, numerator=total,
                                **common)  # type: ignore[arg-type]
        if not seen:
            raise InputError.one(path, None, None, "no trust rows: the file looks truncated")
