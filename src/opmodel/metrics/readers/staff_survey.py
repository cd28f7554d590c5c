"""NHS Staff Survey detailed spreadsheets, organisational results: the scores the NOF uses.

Every sheet has the same layout: row 1 names each question or score above its columns,
row 5 is the header (``ODS code, Organisation name, Benchmarking group, Region, ICS,
Weighting`` then answer or score columns, each block ending in ``Base (number of
responses)``), one row per organisation after it. Columns are found by the label above
them, so blocks can move between years.

What we store, per organisation, for the survey year (``2024`` -> 2024-01-01..2024-12-31; the
NOF scores the 2024 survey in Q1-Q3 2025/26, oversight methodology §3.1):

- ``nss_engagement``: THEMES, *Staff Engagement* theme score (0-10). NOF OF0084.
- ``nss_raising_concerns``: PEOPLE PROMISE ELEMENTS, *PP3_2 Raising concerns* sub-score (0-10). NOF OF0061.
- ``nss_morale``: THEMES, *Morale* theme score (0-10).
- ``nss_recommend_work``: Q25c "I would recommend my organisation as a place to work", % agree or strongly agree.
- ``nss_recommend_care``: Q25d "...happy with the standard of care provided", % agree or strongly agree.

Scores and weighted percentages have no additive numerator, so values only; the number of
responses is kept in ``extra``. Suppressed cells (too few responses) give no value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._parsing import parse_count
from opmodel.metrics.readers._xlsx import cell_text, iter_rows, open_workbook, sheet_names

__all__ = ["StaffSurveyReader"]

ID_COLUMNS = ("ODS code", "Organisation name", "Benchmarking group", "Region", "ICS", "Weighting")
BASE = "base (number of responses)"
_YEAR = re.compile(r"staff survey\s+(\d{4})", re.IGNORECASE)
_HEADER_SCAN = 10
_MISSING = frozenset({"", "-", "*", "n/a", "na"})


@dataclass(frozen=True)
class Measure:
    """One stored metric: a sheet, the label (prefix) above its block, and how to read it."""

    metric: str
    sheet: str
    label: str  # the block title in row 1 starts with this (case-insensitive)
    columns: tuple[str, ...]  # header cells summed (a score block has one "... - score")
    maximum: float


MEASURES = (
    Measure("nss_engagement", "THEMES", "Staff Engagement -", ("score",), 10.0),
    Measure("nss_morale", "THEMES", "Morale -", ("score",), 10.0),
    Measure("nss_raising_concerns", "PEOPLE PROMISE ELEMENTS", "PP3_2 -", ("score",), 10.0),
    Measure("nss_recommend_work", "YOUR ORGANISATION Q25-26", "Q25c -", ("% agree", "% strongly agree"), 100.0),
    Measure("nss_recommend_care", "YOUR ORGANISATION Q25-26", "Q25d -", ("% agree", "% strongly agree"), 100.0),
)
@dataclass(frozen=True)
class _Block:
    """Where one measure sits in a sheet: the columns summed, their labels, the responses column."""

    columns: list[int]
    labels: list[str]
    base: int


#: Sheets whose presence identifies the organisational-results workbook.
MARKER_SHEETS = {"THEMES", "PEOPLE PROMISE ELEMENTS"}


def _norm(value: Any) -> str:
    return " ".join(cell_text(value).split()).lower()


class StaffSurveyReader:
    """Reads ``NSS<yy> detailed spreadsheets organisational results.xlsx``."""

    publication = "nhs_staff_survey"

    def recognises(self, path: Path) -> bool:
        names = sheet_names(path)
        if names is None:
            return False
        upper = {n.strip().upper() for n in names}
        return bool(MARKER_SHEETS & upper) and any(n.startswith("YOUR ORGANISATION") for n in upper)

    def read(self, path: Path) -> Iterator[MetricRow]:
        names = {n.strip().upper(): n for n in (sheet_names(path) or [])}
        wb = open_workbook(path)
        try:
            for sheet in dict.fromkeys(m.sheet for m in MEASURES):
                if sheet not in names:
                    wanted = ", ".join(dict.fromkeys(m.sheet for m in MEASURES))
                    raise InputError.one(path, None, None, f"missing sheet {sheet!r}; expected the staff survey "
                                         f"organisational results with sheets {wanted}")
                measures = [m for m in MEASURES if m.sheet == sheet]
                yield from self._sheet(path, wb, names[sheet], measures)
        finally:
            wb.close()

    def _sheet(self, path: Path, wb: Any, sheet: str, measures: list[Measure]) -> Iterator[MetricRow]:
        titles: tuple[Any, ...] = ()
        layout: tuple[dict[str, int], dict[str, _Block]] | None = None
        period: tuple[dt.date, dt.date] | None = None
        seen: dict[str, int] = {}
        for row_no, values in iter_rows(path, wb, sheet):
            if row_no == 1:
                titles = values
                period = self._period(path, values)
                continue
            if layout is None:
                if values and _norm(values[0]) == ID_COLUMNS[0].lower():
                    layout = self._layout(path, sheet, row_no, titles, values, measures)
                elif row_no >= _HEADER_SCAN:
                    break
                continue
            ids, blocks = layout
            code = cell_text(values[ids["ODS code"]] if values else None).upper()
            if not code:
                if any(cell_text(v) for v in values):
                    raise InputError.one(path, row_no, "ODS code", f"sheet {sheet!r}: expected an ODS code, "
                                         "got an empty cell")
                continue
            if code in seen:
                raise InputError.one(path, row_no, "ODS code", f"sheet {sheet!r}: duplicate row for {code} "
                                     f"(first on row {seen[code]})")
            seen[code] = row_no
            assert period is not None
            width = max(b.base for b in blocks.values()) + 1
            if len(values) < width:
                values = values + (None,) * (width - len(values))
            extra_ids = {"benchmarking_group": cell_text(values[ids["Benchmarking group"]]),
                         "weighting": cell_text(values[ids["Weighting"]])}
            for m in measures:
                block = blocks[m.metric]
                parts = [self._number(path, row_no, label, values[c]) for c, label in zip(block.columns, block.labels,
                                                                                           strict=True)]
                if any(p is None for p in parts):
                    continue  # suppressed for too few responses
                value = sum(p for p in parts if p is not None)
                if value > m.maximum + 1e-6:
                    kind = "a score from 0 to 10" if m.maximum == 10 else "a percentage"
                    raise InputError.one(path, row_no, m.label.rstrip(" -"), f"{value:g} is above the maximum "
                                         f"{m.maximum:g}; expected {kind}")
                base = self._number(path, row_no, f"{m.label} {BASE}", values[block.base])
                yield MetricRow(metric=m.metric, org_code=code, period_start=period[0], period_end=period[1],
                                value=value, source_row=row_no,
                                org_name=cell_text(values[ids["Organisation name"]]) or None,
                                extra={**extra_ids, "sheet": sheet,
                                       "responses": int(base) if base is not None else None})
        if layout is None:
            raise InputError.one(path, None, "ODS code", f"sheet {sheet!r} has no header row in its first "
                                 f"{_HEADER_SCAN} rows; expected a row starting {', '.join(ID_COLUMNS)}")

    def _period(self, path: Path, titles: tuple[Any, ...]) -> tuple[dt.date, dt.date]:
        m = _YEAR.search(cell_text(titles[0]) if titles else "")
        if not m:
            raise InputError.one(path, 1, "A", "expected a title such as 'NHS Staff Survey 2024 - WEIGHTED "
                                 f"Results' naming the survey year, got {cell_text(titles[0]) if titles else ''!r}")
        year = int(m[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)

    def _layout(self, path: Path, sheet: str, row_no: int, titles: tuple[Any, ...], header: tuple[Any, ...],
                measures: list[Measure]) -> tuple[dict[str, int], dict[str, _Block]]:
        texts = [_norm(v) for v in header]
        missing = [c for c in ID_COLUMNS if c.lower() not in texts]
        if missing:
            raise InputError.one(path, row_no, missing[0], f"sheet {sheet!r}: missing column(s) "
                                 f"{', '.join(missing)}; expected {', '.join(ID_COLUMNS)}")
        ids = {c: texts.index(c.lower()) for c in ID_COLUMNS}
        blocks: dict[str, _Block] = {}
        for m in measures:
            start = next((i for i, t in enumerate(titles) if _norm(t).startswith(m.label.lower())), None)
            if start is None:
                raise InputError.one(path, 1, m.label.rstrip(" -"), f"sheet {sheet!r}: no block titled "
                                     f"{m.label.rstrip(' -')!r}; expected it in row 1 above its columns")
            end = next((i for i in range(start, len(texts)) if texts[i] == BASE), None)
            if end is None:
                raise InputError.one(path, row_no, BASE, f"sheet {sheet!r}: the {m.label.rstrip(' -')!r} block has "
                                     f"no '{BASE}' column; expected one after its answer columns")
            cols: list[int] = []
            for wanted in m.columns:
                hit = [i for i in range(start, end) if texts[i] == wanted or texts[i].endswith(f"- {wanted}")]
                if not hit:
                    raise InputError.one(path, row_no, wanted, f"sheet {sheet!r}: the {m.label.rstrip(' -')!r} "
                                         f"block has no {wanted!r} column")
                cols.append(hit[0])
            labels = [cell_text(header[c]) if texts[c].startswith(m.label.lower()) else f"{m.label} {header[c]}"
                      for c in cols]
            blocks[m.metric] = _Block(cols, labels, end)
        return ids, blocks

    def _number(self, path: Path, row_no: int, column: str, raw: Any) -> float | None:
        return parse_count(raw, path, row_no, column, allow_blank=True, missing=_MISSING, percent=True)
