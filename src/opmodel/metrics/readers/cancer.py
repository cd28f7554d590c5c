"""Cancer Waiting Times (CWT-CRS) provider data extracts: FDS, 31-day and 62-day performance.

Each extract (one sheet, ``CWT CRS Provider Extract``) has one row per month, standard,
provider, stage/route, treatment modality and cancer type. The rows are two overlapping
views of the same patients for the 31- and 62-day standards: ``ALL MODALITIES`` split by
cancer type, and each single modality for ``ALL CANCERS``. Summing every row would count
each patient twice, so a provider's monthly figure is the sum of the ``ALL MODALITIES``
rows only (all stages/routes and cancer types); the modality view is used only to check
that both views agree. The 28-day Faster Diagnosis Standard has no modality split, so all
its rows are summed. Counts may be halves (a pathway shared by two providers).

Numerator = ``WITHIN STANDARD``, denominator = ``TOTAL TREATED``; value in per cent. FDS and
62-day are the NOF's OF0010 and OF0011 (oversight methodology §3.2).
Months in an extract whose title lacks ``Final`` are provisional (NHS England refreshes
them in the next financial-year "Final" extract); see docs/decisions.md, Metrics.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._periods import month_range
from opmodel.metrics.readers._xlsx import cell_text, iter_rows, open_workbook, sheet_names

__all__ = ["CancerWaitingTimesReader"]

SHEET = "CWT CRS Provider Extract"
COLUMNS = ("PERIOD", "YEAR", "MONTH", "STANDARD", "ORG CODE", "STAGE/ROUTE", "TREATMENT MODALITY",
           "CANCER TYPE", "TOTAL TREATED", "WITHIN STANDARD", "BREACHES")
#: Published standard (case-insensitive) -> catalogue metric id.
STANDARDS = {"28-day fds": "cancer_fds_28d", "31-day combined": "cancer_31d", "62-day combined": "cancer_62d"}
ALL_MODALITIES = "ALL MODALITIES"
ALL_CANCERS = "ALL CANCERS"
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_TOLERANCE = 1e-6
_HEADER_SCAN = 10


@dataclass
class _Group:
    """Running totals for one provider, month and standard."""

    first_row: int
    total: float = 0.0
    within: float = 0.0
    rows: int = 0
    modality_total: float = 0.0
    modality_within: float = 0.0
    modality_rows: int = 0
    routes: dict[str, list[float]] = field(default_factory=dict)


@functools.lru_cache(maxsize=8192)
def _norm(text: Any) -> str:
    """Upper case, single spaces. Cached: the same few labels repeat on every row."""
    return " ".join(cell_text(text).upper().split())


class CancerWaitingTimesReader:
    """Reads ``CWT-CRS-*-Data-Extract-Provider*.xlsx`` (any months, final or provisional)."""

    publication = "cancer_waiting_times"

    def recognises(self, path: Path) -> bool:
        names = sheet_names(path)
        return names is not None and any(_norm(n) == SHEET.upper() for n in names)

    def read(self, path: Path) -> Iterator[MetricRow]:
        names = sheet_names(path) or []
        sheet = next(n for n in names if _norm(n) == SHEET.upper())
        provisional = "FINAL" not in path.stem.upper()
        wb = open_workbook(path)
        try:
            groups = self._accumulate(path, wb, sheet)
        finally:
            wb.close()
        for (month, metric, org), g in sorted(groups.items(), key=lambda kv: kv[1].first_row):
            self._check_views(path, g, metric, org, month)
            start, end = month_range(month.year, month.month)
            extra: dict[str, Any] = {"source_rows": g.rows}
            if g.routes:
                extra["by_route"] = {r: {"total": t, "within": w} for r, (t, w) in sorted(g.routes.items())}
            yield MetricRow(metric=metric, org_code=org, period_start=start, period_end=end,
                            value=round(100.0 * g.within / g.total, 10) if g.total else None,
                            numerator=g.within, denominator=g.total, source_row=g.first_row,
                            provisional=provisional, extra=extra)

    def _header(self, path: Path, row_no: int, values: tuple[Any, ...]) -> dict[str, int] | None:
        """The column positions, or None for a title row above the header (published files have none)."""
        header = [_norm(v) for v in values]
        missing = [c for c in COLUMNS if c not in header]
        if len(missing) > len(COLUMNS) // 2 and row_no < _HEADER_SCAN:
            return None
        if missing:
            raise InputError.one(path, row_no, missing[0], f"missing column(s) {', '.join(missing)} in sheet "
                                 f"{SHEET!r}; expected the header {', '.join(COLUMNS)}")
        return {c: header.index(c) for c in COLUMNS}

    def _accumulate(self, path: Path, wb: Any, sheet: str) -> dict[tuple[dt.date, str, str], _Group]:
        groups: dict[tuple[dt.date, str, str], _Group] = {}
        seen: dict[tuple[Any, ...], int] = {}
        periods: dict[tuple[Any, Any], dt.date] = {}  # the same few months on every row
        col: dict[str, int] | None = None
        width = 0
        for row_no, values in iter_rows(path, wb, sheet):
            if col is None:
                col = self._header(path, row_no, values)
                width = max(col.values()) + 1 if col else 0
                continue
            if not any(v is not None and (type(v) is not str or v.strip()) for v in values):
                continue
            if len(values) < width:
                values = values + (None,) * (width - len(values))
            cell = {c: values[i] for c, i in col.items()}
            pkey = (cell["PERIOD"], cell["MONTH"])
            month = periods.get(pkey) if isinstance(pkey[0], dt.date) else None
            if month is None:
                month = periods[pkey] = self._period(path, row_no, cell)
            std = _norm(cell["STANDARD"]).lower()
            metric = STANDARDS.get(std)
            if metric is None:
                raise InputError.one(path, row_no, "STANDARD", "expected one of 28-day FDS, 31-day Combined, "
                                     f"62-day Combined, got {cell['STANDARD']!r}")
            org = _norm(cell["ORG CODE"])
            if not org:
                raise InputError.one(path, row_no, "ORG CODE", "expected an ODS code, got an empty cell")
            route, modality, cancer = _norm(cell["STAGE/ROUTE"]), _norm(cell["TREATMENT MODALITY"]), \
                _norm(cell["CANCER TYPE"])
            key = (month, metric, org, route, modality, cancer)
            if key in seen:
                raise InputError.one(path, row_no, "ORG CODE", f"duplicate row for {org} {month:%Y-%m} "
                                     f"{cell['STANDARD']} / {route} / {modality or '-'} / {cancer} "
                                     f"(first on row {seen[key]})")
            seen[key] = row_no
            total, within, breaches = (
                v if type(v) is float and v >= 0 else self._count(path, row_no, name, v)  # fast path first
                for name, v in (("TOTAL TREATED", cell["TOTAL TREATED"]),
                                ("WITHIN STANDARD", cell["WITHIN STANDARD"]), ("BREACHES", cell["BREACHES"])))
            if within > total + _TOLERANCE:
                raise InputError.one(path, row_no, "WITHIN STANDARD", f"{within:g} within standard is more than "
                                     f"the {total:g} treated; expected WITHIN STANDARD <= TOTAL TREATED")
            if abs(within + breaches - total) > _TOLERANCE:
                raise InputError.one(path, row_no, "BREACHES", f"{within:g} within standard + {breaches:g} "
                                     f"breaches != {total:g} treated; expected them to add up")
            g = groups.get((month, metric, org))
            if g is None:
                g = groups[(month, metric, org)] = _Group(first_row=row_no)
            if metric == "cancer_fds_28d" or modality == ALL_MODALITIES:
                g.total += total
                g.within += within
                g.rows += 1
                r = g.routes.setdefault(route, [0.0, 0.0])
                r[0] += total
                r[1] += within
            elif cancer == ALL_CANCERS:
                g.modality_total += total
                g.modality_within += within
                g.modality_rows += 1
            else:
                raise InputError.one(path, row_no, "CANCER TYPE", f"a {modality!r} row must be for "
                                     f"{ALL_CANCERS!r}, got {cell['CANCER TYPE']!r}; expected either "
                                     f"{ALL_MODALITIES!r} by cancer type or one modality for all cancers")
        if col is None:
            raise InputError.one(path, 1, None, f"sheet {SHEET!r} is empty; expected the header "
                                 f"{', '.join(COLUMNS)} and data rows")
        return groups

    def _period(self, path: Path, row_no: int, cell: dict[str, Any]) -> dt.date:
        """The month from PERIOD (a date), cross-checked with the MONTH column."""
        raw = cell["PERIOD"]
        if isinstance(raw, dt.datetime):
            month = raw.date()
        elif isinstance(raw, dt.date):
            month = raw
        else:
            try:
                month = dt.date.fromisoformat(cell_text(raw)[:10])
            except ValueError:
                raise InputError.one(path, row_no, "PERIOD", f"expected the first day of a month "
                                     f"(a date), got {raw!r}") from None
        label = _norm(cell["MONTH"])[:3]
        if label and label in _MONTHS and _MONTHS.index(label) + 1 != month.month:
            raise InputError.one(path, row_no, "MONTH", f"MONTH {cell['MONTH']!r} does not match PERIOD "
                                 f"{month:%Y-%m-%d}; expected the same month")
        return month.replace(day=1)

    def _count(self, path: Path, row_no: int, column: str, raw: Any) -> float:
        if type(raw) is float and raw >= 0 and raw == raw:  # the usual cell, checked cheaply
            return raw
        if isinstance(raw, bool) or raw is None or cell_text(raw) == "":
            raise InputError.one(path, row_no, column, f"expected a count, got {raw!r}")
        if isinstance(raw, int | float):
            value = float(raw)
        else:
            try:
                value = float(cell_text(raw).replace(",", ""))
            except ValueError:
                raise InputError.one(path, row_no, column, f"expected a count, got {raw!r}") from None
        if value < 0:
            raise InputError.one(path, row_no, column, f"expected a count of 0 or more, got {raw!r}")
        return value

    def _check_views(self, path: Path, g: _Group, metric: str, org: str, month: dt.date) -> None:
        """Both views of the 31/62-day patients must give the same totals (a check on the file)."""
        if g.rows == 0:
            raise InputError.one(path, g.first_row, "TREATMENT MODALITY", f"{org} {month:%Y-%m} {metric}: "
                                 f"only single-modality rows; expected {ALL_MODALITIES!r} rows as well")
        if g.modality_rows and (abs(g.modality_total - g.total) > _TOLERANCE
                                or abs(g.modality_within - g.within) > _TOLERANCE):
            raise InputError.one(path, g.first_row, "TREATMENT MODALITY", f"{org} {month:%Y-%m} {metric}: "
                                 f"the modality rows total {g.modality_total:g} treated but the "
                                 f"{ALL_MODALITIES} rows total {g.total:g}; expected the two views to agree")
