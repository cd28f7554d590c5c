"""Running the derivation on a records folder and turning counts into metric values.

The heavy work (scan, rules, aggregation) happens in the engine; what comes back is one small
table per dataset (≈ 200 providers × months), from which the metric values are computed in
Python exactly as the publications define them (docs/decisions.md, Records and scale).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ibis.backends import BaseBackend

from opmodel.metrics.models import MetricRow
from opmodel.records.derive import AE_RULES, RTT_RULES, DuplicateStrategy, ae_counts, rtt_counts
from opmodel.records.engines import read_dataset
from opmodel.records.layout import AE_DATASET, RTT_DATASET, read_provider_list

__all__ = ["DERIVED_METRICS", "Derived", "derive_folder", "duplicate_strategy", "exclusion_rows", "metric_rows"]

#: Metric ids of the values derived from records. They carry a ``_records`` suffix so that they
#: sit beside, never overwrite, the published values of the same organisation and month.
DERIVED_METRICS = {
    "ae_4hr_records": "A&E attendances within 4 hours of arrival (%)",
    "ae_12hr_dta_records": "A&E patients waiting over 12 hours from decision to admit (count)",
    "rtt_18wk_records": "RTT incomplete pathways within 18 weeks (%)",
    "rtt_52wk_records": "RTT incomplete pathways waiting 52 weeks or more (count)",
    "rtt_65wk_records": "RTT incomplete pathways waiting 65 weeks or more (count)",
    "rtt_78wk_records": "RTT incomplete pathways waiting 78 weeks or more (count)",
}


@dataclass
class Derived:
    """Per-provider monthly counts from each dataset found (``None`` when the folder is absent)."""

    root: Path
    engine: str
    ae: list[dict[str, Any]] | None = None
    rtt: list[dict[str, Any]] | None = None
    files: dict[str, list[Path]] = field(default_factory=dict)


def derive_folder(con: BaseBackend, root: Path, known_providers: Iterable[str], *,
                  validate_data: bool = False) -> Derived:
    """Derive the counts of every dataset under ``root`` on the engine behind ``con``."""
    known = set(known_providers)
    out = Derived(root=root, engine=con.name)
    for name in (AE_DATASET, RTT_DATASET):
        folder = root / name
        if not folder.is_dir():
            continue
        table = read_dataset(con, folder, validate_data=validate_data)
        mine = known | _dataset_providers(folder)
        counts = ae_counts if name == AE_DATASET else rtt_counts
        expr = counts(table, mine, duplicates=duplicate_strategy(con))
        frame = [{k: (v if k == "provider" else int(v)) for k, v in row.items()}
                 for row in con.to_pyarrow(expr).to_pylist()]
        if name == AE_DATASET:
            out.ae = frame
        else:
            out.rtt = frame
        out.files[name] = sorted(p for p in folder.glob("month=*/*") if p.suffix in (".parquet", ".csv"))
    return out


def duplicate_strategy(con: BaseBackend) -> DuplicateStrategy:
    """Sort the ids on embedded DuckDB (one machine: ~3× cheaper); group them on Spark (scales out)."""
    return "group" if con.name == "pyspark" else "sort"


def _dataset_providers(folder: Path) -> set[str]:
    ref = folder / "providers.csv"
    return read_provider_list(ref) if ref.is_file() else set()


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _excluded(row: dict[str, Any], rules: tuple[str, ...]) -> dict[str, int]:
    return {r: int(row[f"excluded_{r}"]) for r in rules}


def metric_rows(derived: Derived) -> list[MetricRow]:
    """The derived metric values, one per provider-month with at least one valid record.

    Each value carries, in ``extra``, the records excluded for that provider-month per rule.
    """
    rows: list[MetricRow] = []
    if derived.ae is not None:
        for r in derived.ae:
            if r["attendances"] == 0:
                continue
            start, end = _month(r["year"], r["month"])
            extra = {"excluded": _excluded(r, AE_RULES), "engine": derived.engine}
            att, within = r["attendances"], r["attendances"] - r["over_4h"]
            rows.append(MetricRow("ae_4hr_records", r["provider"], start, end, round(100 * within / att, 4),
                                  numerator=within, denominator=att, extra=extra))
            rows.append(MetricRow("ae_12hr_dta_records", r["provider"], start, end, float(r["dta_12h"]),
                                  numerator=r["dta_12h"], denominator=r["admitted"],
                                  extra={**extra, "dta_4_12h": r["dta_4_12h"]}))
    if derived.rtt is not None:
        for r in derived.rtt:
            if r["pathways"] == 0:
                continue
            start, end = _month(r["year"], r["month"])
            extra = {"excluded": _excluded(r, RTT_RULES), "engine": derived.engine}
            rows.append(MetricRow("rtt_18wk_records", r["provider"], start, end,
                                  round(100 * r["within_18wk"] / r["pathways"], 4),
                                  numerator=r["within_18wk"], denominator=r["pathways"], extra=extra))
            for weeks in (52, 65, 78):
                count = r[f"over_{weeks}wk"]
                rows.append(MetricRow(f"rtt_{weeks}wk_records", r["provider"], start, end, float(count),
                                      numerator=count, denominator=r["pathways"], extra=extra))
    return rows


def exclusion_rows(derived: Derived) -> list[dict[str, Any]]:
    """Excluded records per dataset, rule, provider and month (only non-zero counts)."""
    out: list[dict[str, Any]] = []
    for dataset, frame, rules in (("ae_attendances", derived.ae, AE_RULES), ("rtt_pathways", derived.rtt, RTT_RULES)):
        if frame is None:
            continue
        for r in frame:
            for rule, n in _excluded(r, rules).items():
                if n:
                    out.append({"dataset": dataset, "rule": rule, "provider": r["provider"],
                                "period": f"{r['year']:04d}-{r['month']:02d}" if r["year"] else "unknown",
                                "excluded": n})
    return out
