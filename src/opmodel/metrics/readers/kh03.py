"""KH03 bed availability and occupancy (overnight beds), quarterly: general and acute occupancy.

The web file's ``NHS Trust by Sector`` sheet gives, per trust, the average daily number of
available and occupied beds over the quarter by sector, under a two-row header: a group
row (``Available``, ``Occupied``, ``% Occupied``) above a row starting ``Year, Period End,
Region Code, Org Code``. ``General & Acute`` appears under each group, so columns are
located by (group, sector), never by position.

``ga_bed_occupancy`` = occupied G&A beds / available G&A beds, in per cent, per trust and
quarter (``2024-25`` + ``December`` -> 2024-10-01..2024-12-31). Trusts with no G&A beds
(mental health, learning disability) have no value: the metric does not apply. The England
row is the sum of the trust rows and is not loaded. Trusts named on the ``Data Quality``
sheet (estimated or carried-forward returns) are flagged in ``extra``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._periods import MONTH_NAMES, financial_year_month, quarter_ending
from opmodel.metrics.readers._xlsx import cell_text, iter_rows, open_workbook, sheet_names

__all__ = ["Kh03Reader"]

TRUST_SHEET = "NHS TRUST BY SECTOR"
QUALITY_SHEET = "DATA QUALITY"
ID_COLUMNS = ("Year", "Period End", "Region Code", "Org Code", "Org Name")
SECTOR = "General & Acute"
AVAILABLE, OCCUPIED, PERCENT = "Available", "Occupied", "% Occupied"
QUARTER_END_MONTHS = (3, 6, 9, 12)
_HEADER_SCAN = 40
_TOLERANCE = 1e-6
_ODS = re.compile(r"^[A-Z0-9]{3,6}$")
_STATED_PERIOD = re.compile(r"^([A-Za-z]+)\s+to\s+([A-Za-z]+)\s+(\d{4})$")


def _norm(value: Any) -> str:
    return " ".join(cell_text(value).split()).lower()


class Kh03Reader:
    """Reads ``Beds-Open-Overnight-Web_File-Q*.xlsx`` (any quarter, revised or not)."""

    publication = "kh03_beds"

    def recognises(self, path: Path) -> bool:
        names = sheet_names(path)
        return names is not None and TRUST_SHEET in {n.strip().upper() for n in names}

    def read(self, path: Path) -> Iterator[MetricRow]:
        names = {n.strip().upper(): n for n in (sheet_names(path) or [])}
        wb = open_workbook(path)
        try:
            flags = self._data_quality(path, wb, names[QUALITY_SHEET]) if QUALITY_SHEET in names else {}
            yield from self._trusts(path, wb, names[TRUST_SHEET], flags)
        finally:
            wb.close()

    def _data_quality(self, path: Path, wb: Any, sheet: str) -> dict[str, str]:
        """Trust code -> the Data Quality note it is listed under (estimated returns etc.)."""
        flags: dict[str, str] = {}
        note = ""
        for _, values in iter_rows(path, wb, sheet):
            first = cell_text(values[0]) if values else ""
            rest = [cell_text(v) for v in values[1:]]
            if first and not any(rest):
                note = first.rstrip(":")
            elif first and _ODS.match(first.upper()) and note:
                flags[first.upper()] = note
        return flags

    def _header(self, path: Path, rows: list[tuple[int, tuple[Any, ...]]]) -> tuple[int, dict[str, int]]:
        """Locate the header row and the (group, sector) columns, from the rows read so far."""
        row_no, values = rows[-1]
        texts = [_norm(v) for v in values]
        groups: list[str] = []
        above = rows[-2][1] if len(rows) >= 2 else ()
        current = ""
        for i in range(len(values)):
            g = _norm(above[i]) if i < len(above) else ""
            current = g or current
            groups.append(current)
        missing = [c for c in ID_COLUMNS if c.lower() not in texts]
        col = {c: texts.index(c.lower()) for c in ID_COLUMNS if c.lower() in texts}
        for group in (AVAILABLE, OCCUPIED, PERCENT):
            idx = [i for i, t in enumerate(texts) if t == SECTOR.lower() and groups[i] == group.lower()]
            if idx:
                col[group] = idx[0]
            elif group != PERCENT:
                missing.append(f"{group} / {SECTOR}")
        if missing:
            raise InputError.one(path, row_no, missing[0], f"missing column(s) {', '.join(missing)} in sheet "
                                 f"{TRUST_SHEET!r}; expected {', '.join(ID_COLUMNS)} and '{SECTOR}' under "
                                 f"'{AVAILABLE}' and '{OCCUPIED}'")
        return row_no, col

    def _trusts(self, path: Path, wb: Any, sheet: str, flags: dict[str, str]) -> Iterator[MetricRow]:
        col: dict[str, int] | None = None
        recent: list[tuple[int, tuple[Any, ...]]] = []
        seen: dict[tuple[str, dt.date], int] = {}
        meta: dict[str, tuple[int, str]] = {}
        quarter: tuple[dt.date, dt.date] | None = None
        for row_no, values in iter_rows(path, wb, sheet):
            if col is None:
                recent = [*recent[-1:], (row_no, values)]
                texts = {_norm(v) for v in values}
                labels = [cell_text(v) for v in values if cell_text(v)]
                if len(labels) >= 2 and labels[0].endswith(":"):
                    meta[labels[0].rstrip(":").lower()] = (row_no, labels[1])
                if "org code" in texts and "year" in texts:
                    _, col = self._header(path, recent)
                elif row_no >= _HEADER_SCAN:
                    break
                continue
            width = max(col.values()) + 1
            if len(values) < width:
                values = values + (None,) * (width - len(values))
            code = cell_text(values[col["Org Code"]]).upper()
            name = cell_text(values[col["Org Name"]])
            if not code:
                if not name or name.lower() == "england" or not any(cell_text(v) for v in values):
                    continue  # blank rows and the England total
                raise InputError.one(path, row_no, "Org Code", f"expected an ODS code for {name!r}, got an empty cell")
            start, end = self._period(path, row_no, values, col)
            if quarter is None:
                quarter = (start, end)
                self._check_stated_period(path, meta, start, end)
            elif quarter != (start, end):
                raise InputError.one(path, row_no, "Period End", f"row is for the quarter ending {end:%B %Y} but "
                                     f"earlier rows for the one ending {quarter[1]:%B %Y}; expected one quarter "
                                     "per file")
            if (code, start) in seen:
                raise InputError.one(path, row_no, "Org Code", f"duplicate row for {code} {start:%Y-%m} quarter "
                                     f"(first on row {seen[(code, start)]})")
            seen[(code, start)] = row_no
            available = self._beds(path, row_no, f"{AVAILABLE} / {SECTOR}", values[col[AVAILABLE]])
            occupied = self._beds(path, row_no, f"{OCCUPIED} / {SECTOR}", values[col[OCCUPIED]])
            if available == 0:
                if occupied:
                    raise InputError.one(path, row_no, f"{OCCUPIED} / {SECTOR}", f"{occupied:g} occupied G&A "
                                         "beds but none available; expected occupied <= available")
                continue  # no G&A beds: the metric does not apply to this trust
            if occupied > available + _TOLERANCE:
                raise InputError.one(path, row_no, f"{OCCUPIED} / {SECTOR}", f"{occupied:g} occupied G&A beds is "
                                     f"more than the {available:g} available; expected occupied <= available")
            extra: dict[str, Any] = {"region": cell_text(values[col["Region Code"]]).upper()}
            if code in flags:
                extra["data_quality"] = flags[code]
            for key in ("published", "revised"):
                if key in meta:
                    extra[key] = meta[key][1]
            yield MetricRow(metric="ga_bed_occupancy", org_code=code, period_start=start, period_end=end,
                            value=100.0 * occupied / available, numerator=occupied, denominator=available,
                            source_row=row_no, org_name=name or None, extra=extra)
        if col is None:
            raise InputError.one(path, None, None, f"sheet {TRUST_SHEET!r} has no header row in its first "
                                 f"{_HEADER_SCAN} rows; expected a row starting {', '.join(ID_COLUMNS)}")

    def _check_stated_period(self, path: Path, meta: dict[str, tuple[int, str]], start: dt.date,
                             end: dt.date) -> None:
        """The sheet's ``Period: October to December 2024`` line must agree with the data rows."""
        if "period" not in meta:
            return
        row_no, text = meta["period"]
        m = _STATED_PERIOD.match(text.strip())
        if m is None:
            return  # a wording we do not know: the rows' own Year and Period End decide
        first, last, year = m[1].upper(), m[2].upper(), int(m[3])
        if (first, last, year) != (MONTH_NAMES[start.month - 1], MONTH_NAMES[end.month - 1], end.year):
            raise InputError.one(path, row_no, "Period", f"the sheet says {text!r} but its rows are for "
                                 f"{start:%B} to {end:%B %Y}; expected the same quarter")

    def _period(self, path: Path, row_no: int, values: tuple[Any, ...], col: dict[str, int]
                ) -> tuple[dt.date, dt.date]:
        month_text = cell_text(values[col["Period End"]]).upper()
        if month_text not in MONTH_NAMES or MONTH_NAMES.index(month_text) + 1 not in QUARTER_END_MONTHS:
            raise InputError.one(path, row_no, "Period End", "expected a quarter-end month (June, September, "
                                 f"December or March), got {values[col['Period End']]!r}")
        month = MONTH_NAMES.index(month_text) + 1
        year = financial_year_month(cell_text(values[col["Year"]]), month)
        if year is None:
            raise InputError.one(path, row_no, "Year", f"expected a financial year such as 2024-25, "
                                 f"got {values[col['Year']]!r}")
        return quarter_ending(year, month)

    def _beds(self, path: Path, row_no: int, column: str, raw: Any) -> float:
        if isinstance(raw, bool):
            raise InputError.one(path, row_no, column, f"expected an average number of beds, got {raw!r}")
        if isinstance(raw, int | float):
            value = float(raw)
        elif cell_text(raw) in {"", "-"}:
            value = 0.0  # the file writes no beds as 0; treat an empty cell the same way
        else:
            try:
                value = float(cell_text(raw).replace(",", ""))
            except ValueError:
                raise InputError.one(path, row_no, column, f"expected an average number of beds, "
                                     f"got {raw!r}") from None
        if value < 0:
            raise InputError.one(path, row_no, column, f"expected 0 or more beds, got {raw!r}")
        return value
