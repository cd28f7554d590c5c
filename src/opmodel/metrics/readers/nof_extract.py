"""A third-party extract of NOF 2025/26 Q3 results (segment, average, rank, domains) for acute trusts.

NHS England's own Q3 acute CSVs are not in ../shared/data; the only acute results there are a
processed table from a third-party repository (``nof-2025-26-q3-thirdparty/PROVENANCE.md``), one
row per trust with the published average score (OF5002), adjusted segment (OF5000), league rank,
deficit flag (OF5004) and domain scores and segments (OF4000–OF4105, methodology §1.7, §1.9).
It is secondary evidence, so every row says ``"evidence": "third-party"`` in ``extra``.

The extract has no quarter column: it is the Q3 2025/26 table, keyed like the NOF dashboard
reader (:func:`~opmodel.metrics.readers.nof.nof_quarter_dates`, ``Q3 2025/26`` ->
2025-10-01..2025-12-31). Rows the extract labels "Mental health and community trust" are
skipped: NHS England's own MH/community CSV holds those trusts and must win (docs/decisions.md,
Oversight: third-party Q3 extract). The selected raw metric columns (cancer, infections, ...)
are not read: their mapping to published ids and units is not documented.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.nof import nof_quarter_dates

__all__ = ["NofThirdPartyExtractReader"]

QUARTER = "Q3 2025/26"
#: The extract's column -> the published NOF id (methodology §1.7 for the domain ids).
DOMAIN_COLUMNS = {
    "domain_score_access": "OF4000",
    "domain_score_patient_safety": "OF4002",
    "domain_score_finance_productivity": "OF4003",
    "domain_score_people_workforce": "OF4004",
    "domain_score_effectiveness_experience": "OF4005",
    "domain_segment_access": "OF4100",
    "domain_segment_patient_safety": "OF4102",
    "domain_segment_finance_productivity": "OF4103",
    "domain_segment_people_workforce": "OF4104",
    "domain_segment_effectiveness_experience": "OF4105",
}
#: Columns that must be present to read the file (and, with ``lt_in_deficit``, to recognise it).
REQUIRED = ("org_code", "org_name", "Region", "Trust_type", "Trust_subtype", "league_segment", "league_rank",
            "league_avg_score", "overall_adjusted_segment", "overall_avg_metric_score", "lt_in_deficit",
            *DOMAIN_COLUMNS)
_SIGNATURE = {"org_code", "trust_type", "overall_adjusted_segment", "overall_avg_metric_score",
              "league_rank", "lt_in_deficit"}
#: Every column the extract has. A table with other columns too (e.g. a per-trust profile that adds CQC
#: ratings and SHMI to these results, ``cqc-ratings-and-shmi-2026-thirdparty/``) is another table and
#: is not recognised, so it never blocks a folder load (issue 21).
KNOWN_COLUMNS = frozenset(c.lower() for c in (
    *REQUIRED, "cancer_28day_pct", "cancer_62day_pct", "cdiff_infection_rate", "ecoli_bacteraemia_rate",
    "implied_productivity_pct", "inpatients_60day_los_pct", "mrsa_cases_count", "planned_surplus_deficit_pct",
    "staff_engagement_score", "staff_raising_concerns_score", "variance_to_financial_plan_pct",
    "productivity_activity_growth", "productivity_resource_growth", "productivity_growth_estimate", "lt_segment",
    "lt_rank", "lt_avg_score"))
#: Trusts NHS England's own MH/community CSV covers: the official file wins, so these rows are skipped.
SKIPPED_TYPE = "Mental health and community trust"


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [c.strip() for c in next(csv.reader([fh.readline()]), [])]
    except (OSError, UnicodeDecodeError):
        return []


def _number(row: dict[str, str], col: str, path: Path, line: int, *, lo: float, hi: float,
            whole: bool = False) -> float | None:
    """A cell in [lo, hi] (a whole number if ``whole``), blank -> None; anything else names the cell."""
    text = row[col].strip()
    if text == "":
        return None
    kind = "a whole number" if whole else "a number"
    try:
        value = float(text)
    except ValueError:
        raise InputError.one(path, line, col, f"expected {kind} from {lo:g} to {hi:g}, got {text!r}") from None
    if not (lo <= value <= hi) or (whole and not value.is_integer()):
        raise InputError.one(path, line, col, f"expected {kind} from {lo:g} to {hi:g}, got {text!r}")
    return value


class NofThirdPartyExtractReader:
    """Reads ``nof_q3_2025-26_trust_extract.csv`` (recognised by its header)."""

    publication = "nof_q3_thirdparty_extract"

    def recognises(self, path: Path) -> bool:
        if path.suffix.lower() not in {".csv", ".txt"}:
            return False
        columns = {c.lower() for c in _header(path)}
        return columns >= _SIGNATURE and columns <= KNOWN_COLUMNS

    def read(self, path: Path) -> Iterator[MetricRow]:
        dates = nof_quarter_dates(QUARTER)
        assert dates is not None
        start, end = dates
        seen: dict[str, int] = {}
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = [c.strip() for c in next(reader, [])]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise InputError.one(path, 1, missing[0], f"missing column(s) {', '.join(missing)}; expected the "
                                                          "third-party NOF Q3 extract header")
            for line, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    col = header[min(len(cells), len(header) - 1)]
                    raise InputError.one(path, line, col, f"row has {len(cells)} fields, expected {len(header)} "
                                                          "(truncated or shifted row?)")
                row = dict(zip(header, (c.strip() for c in cells), strict=True))
                code = row["org_code"].upper()
                if not code:
                    raise InputError.one(path, line, "org_code", "expected an ODS code, got an empty cell")
                if code in seen:
                    raise InputError.one(path, line, "org_code", f"duplicate row for {code} (first on line "
                                                                 f"{seen[code]})")
                seen[code] = line
                if row["Trust_type"] == SKIPPED_TYPE:
                    continue
                yield from self._rows(path, line, code, row, start, end)

    def _rows(self, path: Path, line: int, code: str, row: dict[str, str], start: dt.date, end: dt.date
              ) -> Iterator[MetricRow]:
        segment = _number(row, "overall_adjusted_segment", path, line, lo=1, hi=4, whole=True)
        average = _number(row, "overall_avg_metric_score", path, line, lo=1, hi=4)
        if segment is None or average is None:
            col = "overall_adjusted_segment" if segment is None else "overall_avg_metric_score"
            raise InputError.one(path, line, col, "expected a published value, got an empty cell")
        # The league-table columns repeat the summary ones: a disagreement means a damaged row.
        for col, same in (("league_segment", segment), ("lt_segment", segment),
                          ("league_avg_score", average), ("lt_avg_score", average)):
            if col in row and (v := _number(row, col, path, line, lo=1, hi=4)) is not None and v != same:
                raise InputError.one(path, line, col, f"expected {same:g} (as in the summary column), got "
                                                      f"{row[col]!r}")
        rank = _number(row, "league_rank", path, line, lo=1, hi=1000, whole=True)
        deficit = _number(row, "lt_in_deficit", path, line, lo=0, hi=1, whole=True)
        extra: dict[str, Any] = {"quarter": QUARTER, "region": row["Region"], "trust_type": row["Trust_type"],
                                 "trust_subtype": row["Trust_subtype"], "trust_name": row["org_name"],
                                 "evidence": "third-party"}
        if rank is not None:
            extra["league_rank"] = int(rank)
        values: list[tuple[str, float | None]] = [("OF5002", average), ("OF5000", segment), ("OF5004", deficit)]
        for col, metric in DOMAIN_COLUMNS.items():
            is_segment = metric.startswith("OF41")
            values.append((metric, _number(row, col, path, line, lo=1, hi=4, whole=is_segment)))
        for metric, value in values:
            if value is None:
                continue
            yield MetricRow(metric=metric, org_code=code, period_start=start, period_end=end, value=value,
                            source_row=line, org_name=row["org_name"] or None, extra=extra)
