"""Monthly Diagnostics Waiting Times and Activity (DM01), provider level.

Two forms are read: NHS England's raw ``.xls`` web file (sheet ``Provider``, header on
row 14, England total on the row after it) and the flattened per-provider CSV derived
from twelve such files (one row per provider and month, a ``period`` YYYY-MM column).
The per-test CSV is deliberately *not* recognised: its ``Total`` rows repeat the
provider figures (see docs/decisions.md, Metrics).

``dm01_6wk`` = patients waiting 6+ weeks / total waiting list (per cent), computed from
the counts rather than the rounded published percentage.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xlrd

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._parsing import mentions, norm_header, parse_count, parse_month_text
from opmodel.metrics.readers._periods import month_range

__all__ = ["PUBLICATION", "Dm01DerivedCsvReader", "Dm01WorkbookReader", "dm01_rows"]

PUBLICATION = "dm01"
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_SHEET = "Provider"
_BY_TEST = "Provider by Test"
_CODE, _NAME, _TOTAL, _SIX = "provider code", "provider name", "total waiting list", "number waiting 6+ weeks"
_REQUIRED = (_CODE, _NAME, _TOTAL, _SIX)


def dm01_rows(code: str, name: str, period: tuple[dt.date, dt.date], row: int, total: float, six: float,
              file: Path) -> Iterator[MetricRow]:
    """The two DM01 metrics of one provider-month from its waiting list and 6+ week waits."""
    if six > total:
        raise InputError.one(file, row, "Number waiting 6+ Weeks",
                             f"patients waiting 6+ weeks ({six:g}) exceed the waiting list ({total:g})")
    common: dict[str, Any] = {"org_code": code, "period_start": period[0], "period_end": period[1], "source_row": row,
              "org_name": name}
    yield MetricRow(metric="dm01_waiting_list", value=total, numerator=total, **common)
    if total > 0:
        yield MetricRow(metric="dm01_6wk", value=100 * six / total, numerator=six, denominator=total, **common)


class Dm01WorkbookReader:
    """The raw DM01 provider web file (.xls with sheets ``Provider`` and ``Provider by Test``)."""

    publication = PUBLICATION

    def recognises(self, path: Path) -> bool:
        # Sheet names sit in the workbook stream's first records; reading bytes (not xlrd)
        # keeps recognition cheap and still recognises a truncated file so it can be rejected.
        try:
            with path.open("rb") as fh:
                head = fh.read(1 << 17)
        except OSError:
            return False
        if head[:8] != _OLE_MAGIC:
            return False
        # BIFF8 stores a sheet name as 8-bit or as UTF-16: other tools than NHS England's use the latter.
        return any(_BY_TEST.encode(enc) in head for enc in ("latin-1", "utf-16-le"))

    def read(self, path: Path) -> Iterator[MetricRow]:
        try:
            wb = xlrd.open_workbook(str(path), on_demand=True)
        except Exception as exc:  # xlrd raises many kinds on damaged files
            raise InputError.one(path, None, None, f"cannot read the .xls workbook (damaged or truncated?): {exc}"
                                 ) from None
        try:
            if _SHEET not in wb.sheet_names():
                raise InputError.one(path, None, _SHEET, f"no sheet named {_SHEET!r}")
            sheet = wb.sheet_by_name(_SHEET)
            rows = [sheet.row_values(r) for r in range(sheet.nrows)]
        finally:
            wb.release_resources()
        yield from self._read(path, rows)

    def _read(self, path: Path, rows: list[list[Any]]) -> Iterator[MetricRow]:
        period: tuple[dt.date, dt.date] | None = None
        col: dict[str, int] | None = None
        header_row = 0
        england: tuple[int, float, float] | None = None
        sums = [0.0, 0.0]
        seen: dict[str, int] = {}
        for r, values in enumerate(rows, start=1):
            texts = [str(v).strip() for v in values]
            if col is None:
                if len(texts) > 2 and norm_header(texts[1]) == "period:":
                    period = parse_month_text(texts[2], path, r, "Period")
                heads = [norm_header(t) for t in texts]
                if "regional team code" in heads and _CODE in heads:
                    missing = [c for c in _REQUIRED if c not in heads]
                    if missing:
                        raise InputError.one(path, r, ", ".join(missing), f"missing column(s) in sheet {_SHEET!r}")
                    col = {c: heads.index(c) for c in _REQUIRED}
                    header_row = r
                    if period is None:
                        raise InputError.one(path, r, "Period", "no 'Period:' cell above the header")
                continue
            code = texts[col[_CODE]].upper() if col[_CODE] < len(texts) else ""
            name = texts[col[_NAME]] if col[_NAME] < len(texts) else ""
            if not code and not name:
                continue
            total = parse_count(values[col[_TOTAL]] if col[_TOTAL] < len(values) else None, path, r,
                                "Total Waiting List") or 0.0
            six = parse_count(values[col[_SIX]] if col[_SIX] < len(values) else None, path, r,
                              "Number waiting 6+ Weeks") or 0.0
            if not code:
                if name.lower() == "total" and england is None:
                    england = (r, total, six)
                    continue
                raise InputError.one(path, r, "Provider Code", f"expected a provider code for {name!r}")
            if code in seen:
                raise InputError.one(path, r, "Provider Code", f"duplicate row for {code} (first at row {seen[code]})")
            seen[code] = r
            sums[0] += total
            sums[1] += six
            assert period is not None
            yield from dm01_rows(code, name, period, r, total, six, path)
        if col is None:
            raise InputError.one(path, None, _SHEET, "no header row with 'Provider Code' (expected on row 14)")
        if not seen:
            raise InputError.one(path, header_row, None, "no provider rows: the file looks truncated")
        if england is not None:
            for got, want, label in ((sums[0], england[1], "Total Waiting List"),
                                     (sums[1], england[2], "Number waiting 6+ Weeks")):
                if abs(got - want) > 0.5:
                    raise InputError.one(path, england[0], label,
                                         f"provider rows add up to {got:g} but the England total says {want:g}; "
                                         "the file looks truncated or edited")


def _csv_header(path: Path) -> list[str]:
    try:
        with path.open("rb") as fh:
            raw = fh.read(4096)
    except OSError:
        return []
    if b"\x00" in raw:
        return []
    lines = raw.decode("utf-8-sig", errors="replace").splitlines()
    return next(csv.reader(lines[:1]), []) if lines else []


class Dm01DerivedCsvReader:
    """The flattened DM01 per-provider CSV (``period`` + the ``Provider`` sheet's columns)."""

    publication = PUBLICATION

    def recognises(self, path: Path) -> bool:
        header = _csv_header(path)
        if not mentions(",".join(header), "provider code", "number waiting 6+ weeks"):
            return False
        names = {norm_header(c) for c in header}
        return ({"period", "regional team code", *_REQUIRED} <= names and "diagnostic id" not in names)

    def read(self, path: Path) -> Iterator[MetricRow]:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None) or []
            heads = [norm_header(c) for c in header]
            missing = [c for c in ("period", *_REQUIRED) if c not in heads]
            if missing:
                raise InputError.one(path, 1, ", ".join(missing), "missing column(s) of the DM01 provider CSV")
            col = {c: heads.index(c) for c in ("period", *_REQUIRED)}
            seen: dict[tuple[str, str], int] = {}
            periods: dict[str, tuple[dt.date, dt.date]] = {}
            line = 1
            for line, rec in enumerate(reader, start=2):
                if not any(c.strip() for c in rec):
                    continue
                if len(rec) != len(header):
                    raise InputError.one(path, line, header[min(len(rec), len(header) - 1)],
                                         f"row has {len(rec)} fields, the header has {len(header)}: truncated row")
                ptext = rec[col["period"]].strip()
                if ptext not in periods:
                    periods[ptext] = _parse_period(ptext, path, line)
                code = rec[col[_CODE]].strip().upper()
                if not code:
                    raise InputError.one(path, line, header[col[_CODE]], "expected a provider code")
                key = (ptext, code)
                if key in seen:
                    raise InputError.one(path, line, header[col[_CODE]],
                                         f"duplicate row for {code} in {ptext} (first at line {seen[key]})")
                seen[key] = line
                total = parse_count(rec[col[_TOTAL]], path, line, header[col[_TOTAL]]) or 0.0
                six = parse_count(rec[col[_SIX]], path, line, header[col[_SIX]]) or 0.0
                yield from dm01_rows(code, rec[col[_NAME]].strip(), periods[ptext], line, total, six, path)
            if line == 1:
                raise InputError.one(path, None, None, "no data rows: the file looks truncated")


def _parse_period(text: str, path: Path, line: int) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` as written by the derivation, or a month name and year."""
    try:
        day = dt.date.fromisoformat(text + "-01") if len(text) == 7 else None
    except ValueError:
        day = None
    if day is not None:
        return month_range(day.year, day.month)
    return parse_month_text(text, path, line, "period")


