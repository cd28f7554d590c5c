"""Ambulance Quality Indicators, Systems Indicators (AmbSYS): Category 1 and 2 response times.

The time-series workbook restates every month since August 2017 in each release; its
``Raw`` sheet holds one row per month and organisation (England ``ENG``, some regions and
each ambulance trust) under a header row of indicator codes (``A8``, ``A24``...). We read
that sheet, by indicator code rather than position, because columns are added over time.

Per trust and month (times in **seconds**, as published):

- ``amb_c1_mean`` = A25, numerator A24 (total C1 response time), denominator A8 (C1 incidents);
- ``amb_c1_p90`` = A26 (90th centile; no numerator: centiles do not aggregate);
- ``amb_c2_mean`` = A31, numerator A30, denominator A10 (C2 incidents);
- ``amb_c2_p90`` = A32.

England and region rows are aggregates of the trust rows and are not loaded (the store
derives them from numerators and denominators); cells published as ``-`` (no incidents,
no return) give no value. See docs/decisions.md, Metrics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._parsing import parse_count
from opmodel.metrics.readers._periods import MONTH_NAMES, financial_year_month, month_range
from opmodel.metrics.readers._xlsx import cell_text, iter_rows, open_workbook, sheet_names

__all__ = ["AmbsysReader"]

RAW_SHEET = "RAW"
#: Sheets that, with ``Raw``, identify the AmbSYS time series.
MARKER_SHEETS = {"RESPONSE TIMES", "INCIDENTS", "HANDOVERS"}
#: metric -> (value code, numerator code or None, incidents code). Centiles have no numerator.
METRICS: dict[str, tuple[str, str | None, str]] = {
    "amb_c1_mean": ("A25", "A24", "A8"),
    "amb_c1_p90": ("A26", None, "A8"),
    "amb_c2_mean": ("A31", "A30", "A10"),
    "amb_c2_p90": ("A32", None, "A10"),
}
ID_COLUMNS = ("Year", "Month", "Reg", "Area", "Trust")
ENGLAND = "ENG"
_HEADER_SCAN = 20
#: A published mean may differ from total/incidents by rounding (and, in a few 2017 rows,
#: by up to 1.5 s); more than this is a damaged or mis-keyed row.
_MEAN_TOLERANCE = 0.01
_MISSING = frozenset({"", "-", "*", ".", "n/a", "na"})


def _upper_names(path: Path) -> set[str] | None:
    names = sheet_names(path)
    return None if names is None else {n.strip().upper() for n in names}


class AmbsysReader:
    """Reads the AmbSYS time-series workbook (``AmbSYS-Time-Series-until-*.xlsx``)."""

    publication = "ambsys"

    def recognises(self, path: Path) -> bool:
        names = _upper_names(path)
        return names is not None and RAW_SHEET in names and len(MARKER_SHEETS & names) >= 2

    def read(self, path: Path) -> Iterator[MetricRow]:
        sheet = next(n for n in (sheet_names(path) or []) if n.strip().upper() == RAW_SHEET)
        wb = open_workbook(path)
        try:
            yield from self._read_raw(path, wb, sheet)
        finally:
            wb.close()

    def _read_raw(self, path: Path, wb: Any, sheet: str) -> Iterator[MetricRow]:
        col: dict[str, int] | None = None
        seen: dict[tuple[str, dt.date], int] = {}
        for row_no, values in iter_rows(path, wb, sheet):
            if col is None:
                col = self._header(path, row_no, values)
                continue
            width = max(col.values()) + 1
            if len(values) < width:
                values = values + (None,) * (width - len(values))
            if not any(cell_text(values[col[c]]) for c in ("Year", "Month", "Area")):
                continue  # blank separator rows and block labels ("Raw data")
            code = cell_text(values[col["Area"]]).upper()
            region = cell_text(values[col["Reg"]]).upper()
            if not code:
                raise InputError.one(path, row_no, "Area", "expected an organisation code "
                                     "(ENG, a region or an ambulance trust), got an empty cell")
            start, end = self._period(path, row_no, values, col)
            key = (code, start)
            if key in seen:
                raise InputError.one(path, row_no, "Area", f"duplicate row for {code} {start:%Y-%m} "
                                     f"(first on row {seen[key]})")
            seen[key] = row_no
            if code in (ENGLAND, region):
                continue  # England and region rows: aggregates of the trust rows
            name = cell_text(values[col["Trust"]]) or None
            yield from self._metrics(path, row_no, values, col, code, start, end, name, region)
        if col is None:
            raise InputError.one(path, 1, None, f"sheet {sheet!r} has no indicator-code header row; expected a "
                                 "row starting 'Concatenated, Year, Month' with codes A8, A24, ...")

    def _header(self, path: Path, row_no: int, values: tuple[Any, ...]) -> dict[str, int] | None:
        texts = [cell_text(v).upper() for v in values]  # "Year"/"YEAR" alike
        if "YEAR" not in texts or "MONTH" not in texts:
            if row_no >= _HEADER_SCAN:
                raise InputError.one(path, row_no, None, f"no header row in the first {_HEADER_SCAN} rows; "
                                     "expected a row with Year, Month and indicator codes A8, A24, ...")
            return None
        needed = list(ID_COLUMNS) + sorted({c for codes in METRICS.values() for c in codes if c},
                                           key=lambda c: int(c[1:]))
        missing = [c for c in needed if c.upper() not in texts]
        if missing:
            raise InputError.one(path, row_no, missing[0], f"missing column(s) {', '.join(missing)} in the "
                                 "indicator-code header; expected AmbSYS codes such as A8, A24, A25, A26")
        return {c: texts.index(c.upper()) for c in needed}  # first occurrence: later Year/Month repeat

    def _period(self, path: Path, row_no: int, values: tuple[Any, ...], col: dict[str, int]
                ) -> tuple[dt.date, dt.date]:
        month_text = cell_text(values[col["Month"]]).upper()
        year_text = cell_text(values[col["Year"]])
        month = MONTH_NAMES.index(month_text) + 1 if month_text in MONTH_NAMES else None
        if month is None:
            raise InputError.one(path, row_no, "Month", f"expected a month name such as JULY, got {month_text!r}")
        year = financial_year_month(year_text, month)
        if year is None:
            raise InputError.one(path, row_no, "Year", f"expected a financial year such as 2025-26, "
                                 f"got {year_text!r}")
        return month_range(year, month)

    def _number(self, path: Path, row_no: int, code: str, raw: Any) -> float | None:
        return parse_count(raw, path, row_no, code, allow_blank=True, missing=_MISSING)

    def _metrics(self, path: Path, row_no: int, values: tuple[Any, ...], col: dict[str, int], code: str,
                 start: dt.date, end: dt.date, name: str | None, region: str) -> Iterator[MetricRow]:
        for metric, (value_code, num_code, den_code) in METRICS.items():
            value = self._number(path, row_no, value_code, values[col[value_code]])
            den = self._number(path, row_no, den_code, values[col[den_code]])
            if not den:
                continue  # no incidents (or no return): a time of 0 or '-' is not a response time
            num = None
            if num_code:
                num = self._number(path, row_no, num_code, values[col[num_code]])
                if num is None:
                    den = None
                elif value is not None and abs(num / den - value) > max(2.0, _MEAN_TOLERANCE * value):
                    raise InputError.one(path, row_no, value_code, f"mean {value:g} s does not match total "
                                         f"{num:g} s / {den:g} incidents = {num / den:.1f} s; expected "
                                         f"{value_code} = {num_code} / {den_code}")
            if value is None:
                continue
            yield MetricRow(metric=metric, org_code=code, period_start=start, period_end=end, value=value,
                            numerator=num, denominator=den if num_code else None, source_row=row_no, org_name=name,
                            extra={"region": region})
