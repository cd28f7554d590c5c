"""Metrics: NHS England's published statistics as clean metric values with provenance.

Read publication files by content (:mod:`opmodel.metrics.readers`), load them atomically
and idempotently into the store (:func:`load_files`), and read values back at trust, ICB,
region or England level (:func:`metric_values`), aggregated from counts through the
structure in force on each period's date. Every writer (publication loads, record-level
derivations) goes through :func:`write_values`.


Reading values imports the catalogue and the query module only; the readers, the loader and the
write path (pyarrow, numpy, the spreadsheet parsers) load when first named (issue 25), so
``opmodel metrics show`` does not pay for ``opmodel metrics load``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from opmodel.metrics.catalogue import MetricDefinition, catalogue, get_metric, load_catalogue
from opmodel.metrics.models import MetricRow
from opmodel.metrics.query import LEVELS, NotAggregatedError, list_metrics, metric_values

if TYPE_CHECKING:
    from opmodel.metrics.defaults import seed_metrics
    from opmodel.metrics.loader import (
        FileResult,
        LoadReport,
        MetricsArchiveLimitError,
        MetricsLoadError,
        expand_paths,
        load_files,
    )
    from opmodel.metrics.readers.base import Reader
    from opmodel.metrics.readers.registry import READERS, Recognition, find_reader, reader_for, recognise
    from opmodel.metrics.write import Source, WriteResult, version_from_name, write_values

#: Names imported on first use, and the module each comes from.
_LAZY = {
    **dict.fromkeys(["seed_metrics"], "opmodel.metrics.defaults"),
    **dict.fromkeys(["FileResult", "LoadReport", "MetricsArchiveLimitError", "MetricsLoadError", "expand_paths",
                     "load_files"], "opmodel.metrics.loader"),
    **dict.fromkeys(["Reader"], "opmodel.metrics.readers.base"),
    **dict.fromkeys(["READERS", "Recognition", "find_reader", "reader_for", "recognise"],
                    "opmodel.metrics.readers.registry"),
    **dict.fromkeys(["Source", "WriteResult", "version_from_name", "write_values"], "opmodel.metrics.write"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "LEVELS",
    "READERS",
    "FileResult",
    "LoadReport",
    "MetricDefinition",
    "MetricRow",
    "MetricsArchiveLimitError",
    "MetricsLoadError",
    "NotAggregatedError",
    "Reader",
    "Recognition",
    "Source",
    "WriteResult",
    "catalogue",
    "expand_paths",
    "find_reader",
    "get_metric",
    "list_metrics",
    "load_catalogue",
    "load_files",
    "metric_values",
    "reader_for",
    "recognise",
    "seed_metrics",
    "version_from_name",
    "write_values",
]
