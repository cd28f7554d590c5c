"""NHS England's NOF league-table CSV with its likely ranges, read as a publication.

The league-table file (methodology §1.9, §2) has one row per trust: ``Average_score``,
``Likely_range_of_average_score`` (text such as "1.40 to 1.95"), ``Segment``,
``Trust_in_financial_deficit`` (Yes/No), ``Rank`` and ``Likely_range_of_rank`` ("2 to 12").
The rows become the same metric ids as the dashboard reader's league path (average -> OF5002,
segment -> OF5000, deficit -> OF5004; :mod:`.nof`), and the published ranges are parsed into
``extra`` as ``likely_range_average`` [low, high] and ``likely_range_rank`` [low, high] beside the text
as published, on those rows and on a row of their own (:data:`RANGE_METRIC`), so that computed
ranges can be shown next to NHS England's (issue 12). The ranges
are stored as given: NHS England does not document how it computes them.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.nof import LEAGUE_COLUMNS, NofDashboardReader

__all__ = ["RANGE_COLUMNS", "RANGE_METRIC", "LeagueTableReader", "PublishedLeagueRow", "parse_range",
           "read_league_table"]

RANGE_COLUMNS = ("Likely_range_of_average_score", "Likely_range_of_rank")
#: The row that carries a trust's published ranges (value: the published average), one per league row.
RANGE_METRIC = "nof_league_likely_range"
_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:to|-|–|—)\s*(-?\d+(?:\.\d+)?)\s*$", re.IGNORECASE)


def parse_range(text: str) -> tuple[float, float]:
    """``"1.40 to 1.95"`` -> (1.4, 1.95); also "1.40 - 1.95". ValueError unless low <= high."""
    m = _RANGE.match(text)
    if not m:
        raise ValueError(f"expected a range such as '1.40 to 1.95', got {text!r}")
    low, high = float(m[1]), float(m[2])
    if low > high:
        raise ValueError(f"range {text!r} has its low end above its high end")
    return low, high


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [c.strip() for c in next(csv.reader([fh.readline()]), [])]
    except (OSError, UnicodeDecodeError):
        return []


@dataclass(frozen=True, slots=True)
class PublishedLeagueRow:
    """One trust's published league-table row, ranges parsed (None where the cell is blank)."""

    quarter: str
    org_code: str
    org_name: str
    trust_type: str
    average_score: float | None
    likely_range_average: tuple[float, float] | None
    segment: int | None
    in_deficit: bool | None
    rank: int | None
    likely_range_rank: tuple[int, int] | None
    source_row: int


class LeagueTableReader:
    """Reads a league-table file that carries the likely-range columns (recognised by its header).

    Asked before :class:`~opmodel.metrics.readers.nof.NofDashboardReader`, which still reads league
    tables without those columns.
    """

    publication = "nof_league_table"

    def recognises(self, path: Path) -> bool:
        if path.suffix.lower() not in {".csv", ".txt"}:
            return False
        cols = {c.lower() for c in _header(path)}
        return {c.lower() for c in (*LEAGUE_COLUMNS, *RANGE_COLUMNS)} <= cols and "metric_id" not in cols

    def read(self, path: Path) -> Iterator[MetricRow]:
        parsed: dict[int, dict[str, list[float] | list[int]]] = {}
        for row in NofDashboardReader().read(path):
            line = row.source_row or 0
            if line not in parsed:
                parsed[line] = self._ranges(path, line, row.extra)
            extra = {**row.extra, **parsed[line], "publication": self.publication}
            yield dataclasses.replace(row, extra=extra)
            if row.metric == "OF5002" and parsed[line]:
                # Its own row: the store keeps a value's first ``extra`` when a later file repeats the same
                # value, and the metric file publishes OF5002 too, so the ranges would be lost on OF5002.
                yield dataclasses.replace(row, metric=RANGE_METRIC, extra=extra)

    @staticmethod
    def _ranges(path: Path, line: int, extra: dict[str, object]) -> dict[str, list[float] | list[int]]:
        out: dict[str, list[float] | list[int]] = {}
        for col, key in (("Likely_range_of_average_score", "likely_range_average"),
                         ("Likely_range_of_rank", "likely_range_rank")):
            text = extra.get(col.lower())
            if not isinstance(text, str) or not text.strip():
                continue
            try:
                low, high = parse_range(text)
            except ValueError as exc:
                raise InputError.one(path, line, col, str(exc)) from None
            if key == "likely_range_rank":
                if not (low.is_integer() and high.is_integer() and low >= 1):
                    raise InputError.one(path, line, col, f"expected whole ranks from 1, got {text!r}")
                out[key] = [int(low), int(high)]
            else:
                out[key] = [low, high]
        return out


def read_league_table(path: Path) -> list[PublishedLeagueRow]:
    """Every trust's row of a league-table file, as published, with the ranges parsed."""
    rows: dict[int, dict[str, MetricRow]] = {}
    for r in LeagueTableReader().read(path):
        if r.metric == RANGE_METRIC:
            continue
        rows.setdefault(r.source_row or 0, {})[r.metric] = r
    out = []
    for line, by in sorted(rows.items()):
        first = next(iter(by.values()))
        ex = first.extra
        avg, seg, deficit = by.get("OF5002"), by.get("OF5000"), by.get("OF5004")
        lra, lrr = ex.get("likely_range_average"), ex.get("likely_range_rank")
        out.append(PublishedLeagueRow(
            quarter=str(ex.get("quarter", "")), org_code=first.org_code, org_name=str(ex.get("trust_name", "")),
            trust_type=str(ex.get("trust_type", "")), average_score=None if avg is None else avg.value,
            likely_range_average=None if lra is None else (float(lra[0]), float(lra[1])),
            segment=None if seg is None or seg.value is None else int(seg.value),
            in_deficit=None if deficit is None or deficit.value is None else deficit.value >= 1,
            rank=ex.get("league_rank") if isinstance(ex.get("league_rank"), int) else None,
            likely_range_rank=None if lrr is None else (int(lrr[0]), int(lrr[1])), source_row=line))
    return out
