"""Where record files live: one folder per dataset, one sub-folder per month.

``<root>/ae_attendances/month=2025-05/part-0.parquet`` (or ``*.csv``) and
``<root>/rtt_pathways/month=2026-04/...``, plus an optional ``providers.csv`` reference list
per dataset. The ``month=`` names follow the Hive convention both DuckDB and Spark know, but
readers take the period from the records themselves, never from folder names.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from opmodel.errors import InputError

__all__ = ["AE_DATASET", "DATASETS", "RTT_DATASET", "dataset_files", "month_dir", "read_provider_list"]

AE_DATASET = "ae_attendances"
RTT_DATASET = "rtt_pathways"
#: Dataset folder -> schema kind.
DATASETS = {AE_DATASET: "ae", RTT_DATASET: "rtt"}


def month_dir(day: dt.date) -> str:
    return f"month={day.isoformat()[:7]}"


def dataset_files(folder: Path) -> tuple[str, list[Path]]:
    """The format ("parquet" or "csv") and the month files of one dataset folder.

    Raises :class:`InputError` when the folder holds no record files or mixes the two formats.
    """
    parquet = sorted(folder.glob("month=*/*.parquet"))
    csvs = sorted(folder.glob("month=*/*.csv"))
    if parquet and csvs:
        raise InputError.one(folder, None, None, "expected Parquet or CSV month files, not both")
    if not parquet and not csvs:
        raise InputError.one(folder, None, None, "expected month folders (month=YYYY-MM) holding "
                             "*.parquet or *.csv record files")
    return ("parquet", parquet) if parquet else ("csv", csvs)


def read_provider_list(path: Path) -> set[str]:
    """Provider codes from a reference CSV with a ``code`` column (e.g. a dataset's providers.csv)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if "code" not in (reader.fieldnames or []):
            raise InputError.one(path, 1, "code", "expected a header with a 'code' column")
        return {row["code"].strip() for row in reader if (row["code"] or "").strip()}
