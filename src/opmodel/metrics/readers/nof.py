"""NHS Oversight Framework dashboard CSVs: metric values, scores, segments and league tables.

NHS England publishes one metric file and one league-table file per peer group and quarter
(methodology §1.9). Both are recognised by their header. Every row becomes a
:class:`MetricRow` keyed by the NOF *quarter* (``Q3 2025/26`` -> 2025-10-01..2025-12-31),
not by the data's own reporting date, because the oversight engine reads all the inputs of
one quarter's segmentation together; the publication's ``Reporting_date`` is kept in
``extra``. Published ids are kept (``OF0084``, ``OF1084``, ``OF5000``); league-table rows are
mapped onto the same ids (average score -> OF5002, segment -> OF5000, deficit -> OF5004)
with the league rank and likely ranges in ``extra``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow

__all__ = ["NofDashboardReader", "nof_quarter_dates"]

METRIC_COLUMNS = (
    "Quarter", "Region", "Trust_type", "Trust_subtype", "Trust_code", "Trust_name", "Domain",
    "Sub-domain", "Metric_ID", "Metric_description", "Reporting_date", "Units", "Value",
    "Median_value", "Lower_quartile", "Upper_quartile", "Rank",
)
LEAGUE_COLUMNS = (
    "Region", "Trust_type", "Trust_code", "Trust_name", "Average_score", "Segment",
    "Trust_in_financial_deficit", "Rank",
)
_QUARTER = re.compile(r"^\s*Q([1-4])\s*(\d{4})\s*[/-]\s*(\d{2})\s*$", re.IGNORECASE)
_METRIC_ID = re.compile(r"^OF\d{4}$")


def nof_quarter_dates(label: str) -> tuple[dt.date, dt.date] | None:
    """``Q3 2025/26`` -> (2025-10-01, 2025-12-31); None if the label is not a NOF quarter."""
    m = _QUARTER.match(label)
    if not m:
        return None
    q, year = int(m[1]), int(m[2])
    if (year + 1) % 100 != int(m[3]):
        return None
    start_month = 4 + 3 * (q - 1)
    y = year if start_month <= 12 else year + 1
    start_month = (start_month - 1) % 12 + 1
    start = dt.date(y, start_month, 1)
    nxt = dt.date(y + (start_month + 3 > 12), (start_month + 3 - 1) % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError):
        return []
    return [c.strip() for c in next(csv.reader([first]), [])]


def _num(text: str, path: Path, line: int, col: str) -> float | None:
    text = text.strip()
    if text == "" or text.lower() in {"na", "n/a", "-", "*", "null", "none"}:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise InputError.one(path, line, col, f"expected a number, got {text!r}") from None


class NofDashboardReader:
    """Reads NOF metric files and league-table files (any peer group, any quarter)."""

    publication = "nof_dashboard"

    def recognises(self, path: Path) -> bool:
        if path.suffix.lower() not in {".csv", ".txt"}:
            return False
        cols = {c.lower() for c in _header(path)}
        metric = {c.lower() for c in METRIC_COLUMNS if c not in {"Quarter"}}
        league = {c.lower() for c in LEAGUE_COLUMNS}
        return metric <= cols or league <= cols

    def read(self, path: Path) -> Iterator[MetricRow]:
        cols = _header(path)
        lower = {c.lower() for c in cols}
        if {c.lower() for c in LEAGUE_COLUMNS} <= lower and "metric_id" not in lower:
            yield from self._read_league(path)
        else:
            yield from self._read_metrics(path)

    # -- the metric file ------------------------------------------------------------
    def _rows(self, path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = [c.strip() for c in next(reader, [])]
            canon = {c.lower(): c for c in required}
            names = [canon.get(h.lower(), h) for h in header]
            missing = [c for c in required if c not in names]
            if missing:
                raise InputError.one(path, 1, missing[0], f"missing column(s) {', '.join(missing)}; "
                                     f"expected the NOF dashboard CSV header {', '.join(required)}")
            width = len(names)
            for line, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) < width and any(n in required for n in names[len(cells):]):
                    raise InputError.one(path, line, names[len(cells)],
                                         f"row has {len(cells)} fields, expected {width} (truncated file?)")
                yield line, {n: (cells[i].strip() if i < len(cells) else "") for i, n in enumerate(names)}

    def _period(self, path: Path, line: int, row: dict[str, str], default: str | None
                ) -> tuple[dt.date, dt.date, str]:
        label = row.get("Quarter", "") or (default or "")
        dates = nof_quarter_dates(label)
        if dates is None:
            raise InputError.one(path, line, "Quarter", f"expected a NOF quarter such as 'Q3 2025/26', got {label!r}")
        return dates[0], dates[1], label.strip()

    def _read_metrics(self, path: Path) -> Iterator[MetricRow]:
        required = tuple(c for c in METRIC_COLUMNS)
        seen: dict[tuple[str, str, str], int] = {}
        for line, row in self._rows(path, required):
            metric = row["Metric_ID"].upper()
            if not _METRIC_ID.match(metric):
                raise InputError.one(path, line, "Metric_ID", f"expected a NOF metric id like OF0084, got {metric!r}")
            code = row["Trust_code"].upper()
            if not code:
                raise InputError.one(path, line, "Trust_code", "expected an ODS code, got an empty cell")
            start, end, label = self._period(path, line, row, None)
            key = (metric, code, label)
            if key in seen:
                raise InputError.one(path, line, "Metric_ID",
                                     f"duplicate row for {metric} {code} {label} (first on line {seen[key]})")
            seen[key] = line
            extra: dict[str, Any] = {
                "quarter": label, "region": row["Region"], "trust_type": row["Trust_type"],
                "trust_subtype": row["Trust_subtype"], "trust_name": row["Trust_name"],
                "domain": row["Domain"], "sub_domain": row["Sub-domain"],
                "description": row["Metric_description"], "reporting_date": row["Reporting_date"],
                "units": row["Units"],
            }
            for col, key_name in (("Median_value", "median"), ("Lower_quartile", "lower_quartile"),
                                  ("Upper_quartile", "upper_quartile"), ("Rank", "rank")):
                v = _num(row[col], path, line, col)
                if v is not None:
                    extra[key_name] = int(v) if key_name == "rank" and v.is_integer() else v
            yield MetricRow(metric=metric, org_code=code, period_start=start, period_end=end,
                            value=_num(row["Value"], path, line, "Value"), source_row=line,
                            org_name=row["Trust_name"] or None, extra=extra)

    # -- the league-table file ------------------------------------------------------
    def _read_league(self, path: Path) -> Iterator[MetricRow]:
        required = LEAGUE_COLUMNS
        for line, row in self._rows(path, required):
            if "Quarter" not in row:
                raise InputError.one(path, 1, "Quarter",
                                     "league table without a Quarter column: the quarter cannot be told")
            start, end, label = self._period(path, line, row, None)
            code = row["Trust_code"].upper()
            seg = _num(row["Segment"], path, line, "Segment")
            deficit_text = row["Trust_in_financial_deficit"].strip().lower()
            if deficit_text not in {"yes", "no", "1", "0", "true", "false", ""}:
                raise InputError.one(path, line, "Trust_in_financial_deficit",
                                     f"expected Yes or No, got {row['Trust_in_financial_deficit']!r}")
            extra: dict[str, Any] = {
                "quarter": label, "region": row["Region"], "trust_type": row["Trust_type"],
                "trust_subtype": row.get("Trust_subtype", ""), "trust_name": row["Trust_name"],
                "league_table": True,
            }
            rank = _num(row["Rank"], path, line, "Rank")
            if rank is not None:
                extra["league_rank"] = int(rank)
            for col in ("Likely_range_of_average_score", "Likely_range_of_rank"):
                if row.get(col):
                    extra[col.lower()] = row[col]
            values: list[tuple[str, float | None]] = [
                ("OF5002", _num(row["Average_score"], path, line, "Average_score")), ("OF5000", seg)]
            if deficit_text:
                values.append(("OF5004", 1.0 if deficit_text in {"yes", "1", "true"} else 0.0))
            for metric, value in values:
                yield MetricRow(metric=metric, org_code=code, period_start=start, period_end=end, value=value,
                                source_row=line, org_name=row["Trust_name"] or None, extra=extra)
