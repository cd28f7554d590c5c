"""Monthly A&E Attendances and Emergency Admissions by provider (NHS England, MSitAE).

Two forms of the same publication are read:

* the monthly CSV (one row per provider, booked and non-booked columns separately,
  a closing ``TOTAL`` row); and
* the formatted "A&E by provider" workbook, sheet ``Provider Level Data`` (booked and
  non-booked already added together).

4-hour performance follows NHS England's definition: attendances of all types *including*
booked appointments, minus those over 4 hours, over all attendances; type 1 the same for
type 1 departments (booked type 1 included, as in the published "type 1" percentage).
Organisations with no attendances have no 4-hour value (their counts are still stored).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._parsing import mentions, norm_header, parse_count, parse_month_text
from opmodel.metrics.readers._xlsx import cell_text, iter_rows, open_workbook, sheet_names

__all__ = ["AeMonthlyCsvReader", "AeProviderWorkbookReader", "ae_rows"]

PUBLICATION = "ae_monthly"
ATT = ("a&e attendances type 1", "a&e attendances type 2", "a&e attendances other a&e department",
       "a&e attendances booked appointments type 1", "a&e attendances booked appointments type 2",
       "a&e attendances booked appointments other department")
OVER = ("attendances over 4hrs type 1", "attendances over 4hrs type 2", "attendances over 4hrs other department",
        "attendances over 4hrs booked appointments type 1", "attendances over 4hrs booked appointments type 2",
        "attendances over 4hrs booked appointments other department")
DTA_4_12 = "patients who have waited 4-12 hs from dta to admission"
DTA_12 = "patients who have waited 12+ hrs from dta to admission"
ADMISSIONS = ("emergency admissions via a&e - type 1", "emergency admissions via a&e - type 2",
              "emergency admissions via a&e - other a&e department")
OTHER_ADMISSIONS = "other emergency admissions"
ID_COLUMNS = ("period", "org code", "parent org", "org name")
COUNT_COLUMNS = (*ATT, *OVER, DTA_4_12, DTA_12, *ADMISSIONS, OTHER_ADMISSIONS)
REQUIRED = (*ID_COLUMNS, *COUNT_COLUMNS)
_TYPE1 = (0, 3)  # positions of type 1 (non-booked, booked) within ATT / OVER


def ae_rows(code: str, name: str, period: tuple[Any, Any], row: int, att: list[float], over: list[float],
            dta12: float, admissions: float, file: Path, columns: tuple[str, ...]) -> Iterator[MetricRow]:
    """The four A&E metrics of one provider-month from its six attendance and over-4-hour counts."""
    for i, (a, o) in enumerate(zip(att, over, strict=True)):
        if o > a:
            raise InputError.one(file, row, columns[i],
                                 f"attendances over 4 hours ({o:g}) exceed attendances ({a:g})")
    start, end = period
    total, total_over = sum(att), sum(over)
    t1 = sum(att[i] for i in _TYPE1)
    t1_over = sum(over[i] for i in _TYPE1)
    common: dict[str, Any] = {"org_code": code, "period_start": start, "period_end": end, "source_row": row,
                              "org_name": name}
    yield MetricRow(metric="ae_attendances", value=total, numerator=total, **common)
    if total > 0:
        yield MetricRow(metric="ae_4hr", value=100 * (total - total_over) / total, numerator=total - total_over,
                        denominator=total, **common)
    if t1 > 0:
        yield MetricRow(metric="ae_type1_4hr", value=100 * (t1 - t1_over) / t1, numerator=t1 - t1_over,
                        denominator=t1, **common)
    yield MetricRow(metric="ae_12hr_dta", value=dta12, numerator=dta12, denominator=admissions, **common)


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _head(path: Path, size: int = 4096) -> str:
    try:
        with path.open("rb") as fh:
            raw = fh.read(size)
    except OSError:
        return ""
    return raw.decode("utf-8-sig", errors="replace")


class AeMonthlyCsvReader:
    """The monthly A&E CSV: recognised by its ``Period``/``Org Code``/``A&E attendances`` header."""

    publication = PUBLICATION

    def recognises(self, path: Path) -> bool:
        head = _head(path)
        if not head or "\x00" in head or not mentions(head[:4096], "org code", "a&e attendances type 1"):
            return False
        first = next(csv.reader(io.StringIO(head.splitlines()[0] if head.splitlines() else "")), [])
        names = {norm_header(c) for c in first}
        return {"period", "org code", "a&e attendances type 1"} <= names

    def read(self, path: Path) -> Iterator[MetricRow]:
        reader = csv.reader(io.StringIO(_decode(path)))
        header = next(reader, None)
        if header is None:
            raise InputError.one(path, 1, None, "the file is empty; expected a header row")
        names = [norm_header(c) for c in header]
        index: dict[str, int] = {}
        for i, n in enumerate(names):
            if n in REQUIRED and n in index:
                raise InputError.one(path, 1, header[i], "column appears twice")
            index.setdefault(n, i)
        missing = [c for c in REQUIRED if c not in index]
        if missing:
            raise InputError.one(path, 1, ", ".join(missing), "missing column(s) of the monthly A&E CSV")
        # Trailing blank columns (and a stray header over an empty column) are a known quirk;
        # any other unexpected column must be empty in every row, or the layout has changed.
        extra = [i for i, n in enumerate(names) if n not in REQUIRED]
        seen: dict[tuple[str, Any], int] = {}
        totals = [0.0] * len(COUNT_COLUMNS)
        closing: tuple[int, list[float]] | None = None
        for line, rec in enumerate(reader, start=2):
            if not any(c.strip() for c in rec):
                continue
            if closing is not None:
                raise InputError.one(path, line, None, "rows after the TOTAL row")
            if len(rec) < len(header):
                raise InputError.one(path, line, header[min(len(rec), len(header) - 1)],
                                     f"row has {len(rec)} fields, the header has {len(header)}: truncated row")
            for i in extra:
                if i < len(rec) and rec[i].strip():
                    raise InputError.one(path, line, header[i] or f"column {i + 1}",
                                         f"unexpected column with a value ({rec[i]!r})")
            counts = [parse_count(rec[index[c]], path, line, header[index[c]]) or 0.0 for c in COUNT_COLUMNS]
            code = rec[index["org code"]].strip().upper()
            if code == "TOTAL":
                closing = (line, counts)
                continue
            if not code:
                raise InputError.one(path, line, header[index["org code"]], "expected an organisation code")
            period = parse_month_text(rec[index["period"]], path, line, header[index["period"]])
            key = (code, period)
            if key in seen:
                raise InputError.one(path, line, header[index["org code"]],
                                     f"duplicate row for {code} (first at line {seen[key]})")
            seen[key] = line
            totals = [t + c for t, c in zip(totals, counts, strict=True)]
            att, over = counts[:6], counts[6:12]
            yield from ae_rows(code, rec[index["org name"]].strip(), period, line, att, over,
                               counts[13], sum(counts[14:17]), path, tuple(header[index[c]] for c in ATT))
        if closing is None:
            raise InputError.one(path, None, None, "no TOTAL row at the end: the file looks truncated")
        line, published = closing
        for col, got, want in zip(COUNT_COLUMNS, totals, published, strict=True):
            if abs(got - want) > 0.5:
                raise InputError.one(path, line, header[index[col]],
                                     f"rows add up to {got:g} but the TOTAL row says {want:g}")


# --- the formatted workbook ------------------------------------------------------------------

SHEET = "Provider Level Data"
_WORKBOOK_SHEETS = {SHEET, "Booked Appointments Data", "Non-Booked Data"}
#: (group header prefix, column header) -> our field, in the Provider Level Data sheet.
_XLSX_FIELDS = {
    ("a&e attendances", "type 1 departments - major a&e"): "att1",
    ("a&e attendances", "type 2 departments - single specialty"): "att2",
    ("a&e attendances", "type 3 departments - other a&e/minor injury unit"): "att3",
    ("a&e attendances greater than 4 hours", "type 1 departments - major a&e"): "over1",
    ("a&e attendances greater than 4 hours", "type 2 departments - single specialty"): "over2",
    ("a&e attendances greater than 4 hours", "type 3 departments - other a&e/minor injury unit"): "over3",
    ("emergency admissions", "total emergency admissions via a&e"): "admissions",
    ("emergency admissions", "number of patients spending >12 hours from decision to admit to admission"): "dta12",
}


def _label(fld: str) -> str:
    """A workbook column as a person finds it: 'group heading: column heading'."""
    group, head = next(k for k, v in _XLSX_FIELDS.items() if v == fld)
    return f"{group}: {head}"


class AeProviderWorkbookReader:
    """NHS England's "A&E by provider" workbook (sheets Provider Level Data, Booked/Non-Booked Data)."""

    publication = PUBLICATION

    def recognises(self, path: Path) -> bool:
        names = sheet_names(path)
        return names is not None and set(names) >= _WORKBOOK_SHEETS

    def read(self, path: Path) -> Iterator[MetricRow]:
        wb = open_workbook(path)
        try:
            yield from self._read(path, wb)
        finally:
            wb.close()

    def _read(self, path: Path, wb: Any) -> Iterator[MetricRow]:
        period: tuple[Any, Any] | None = None
        groups: list[str] = []
        cols: dict[str, int] | None = None
        code_col = name_col = 0
        seen: dict[str, int] = {}
        england: tuple[int, tuple[Any, ...]] | None = None
        sums: dict[str, float] = {}
        for rownum, values in iter_rows(path, wb, SHEET):
            texts = [cell_text(v) for v in values]
            if cols is None:
                if len(texts) > 2 and norm_header(texts[1]) == "period:":
                    period = parse_month_text(texts[2], path, rownum, "Period")
                if "code" in [norm_header(t) for t in texts] and "name" in [norm_header(t) for t in texts]:
                    heads = [norm_header(t) for t in texts]
                    code_col, name_col = heads.index("code"), heads.index("name")
                    cols = {}
                    current = ""
                    for i, h in enumerate(heads):
                        g = groups[i] if i < len(groups) else ""
                        current = g or current
                        for (gp, ch), fld in _XLSX_FIELDS.items():
                            if h == ch and current.startswith(gp) and fld not in cols:
                                cols[fld] = i
                    missing = sorted(_label(f) for f in set(_XLSX_FIELDS.values()) - set(cols))
                    if missing:
                        raise InputError.one(path, rownum, ", ".join(missing),
                                             f"missing column(s) in sheet {SHEET!r}")
                    if period is None:
                        raise InputError.one(path, rownum, "Period", "no 'Period:' cell above the header")
                else:
                    groups = [norm_header(t) for t in texts]
                continue
            code = texts[code_col].upper() if code_col < len(texts) else ""
            if code == "-" and england is None:
                england = (rownum, values)  # checked against the provider rows at the end
                continue
            if not code:
                continue  # blank spacer rows
            if code in seen:
                raise InputError.one(path, rownum, "Code", f"duplicate row for {code} (first at row {seen[code]})")
            seen[code] = rownum

            def num(fld: str, rownum: int = rownum, values: tuple[Any, ...] = values,
                    cols: dict[str, int] = cols) -> float:
                i = cols[fld]
                return parse_count(values[i] if i < len(values) else None, path, rownum, _label(fld)) or 0.0

            for fld in _XLSX_FIELDS.values():
                sums[fld] = sums.get(fld, 0.0) + num(fld)
            att = [num("att1"), num("att2"), num("att3"), 0.0, 0.0, 0.0]
            over = [num("over1"), num("over2"), num("over3"), 0.0, 0.0, 0.0]
            assert period is not None
            yield from ae_rows(code, texts[name_col], period, rownum, att, over, num("dta12"), num("admissions"),
                               path, ("Type 1", "Type 2", "Type 3", "", "", ""))
        if cols is None:
            raise InputError.one(path, None, SHEET, "no header row with 'Code' and 'Name' columns")
        if not seen:
            raise InputError.one(path, None, SHEET, "no provider rows: the file looks truncated")
        if england is not None and cols is not None:
            row, values = england
            for fld, i in cols.items():
                want = parse_count(values[i] if i < len(values) else None, path, row, _label(fld)) or 0.0
                if abs(sums.get(fld, 0.0) - want) > 0.5:
                    raise InputError.one(path, row, _label(fld), f"provider rows add up to {sums.get(fld, 0.0):g} "
                                         f"but the England row says {want:g}; the sheet looks truncated or edited")
