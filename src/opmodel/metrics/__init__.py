"""Metrics: NHS England's published statistics as clean metric values with provenance.

Read publication files by content (:mod:`opmodel.metrics.readers`), load them atomically
and idempotently into the store (:func:`load_files`), and read values back at trust, ICB,
region or England level (:func:`metric_values`), aggregated from counts through the
structure in force on each period's date. Every writer (publication loads, record-level
derivations) goes through :func:`write_values`.
"""

from opmodel.metrics.catalogue import MetricDefinition, catalogue, get_metric, load_catalogue
from opmodel.metrics.defaults import seed_metrics
from opmodel.metrics.loader import (
    FileResult,
    LoadReport,
    MetricsArchiveLimitError,
    MetricsLoadError,
    expand_paths,
    load_files,
)
from opmodel.metrics.models import MetricRow
from opmodel.metrics.query import LEVELS, NotAggregatedError, list_metrics, metric_values
from opmodel.metrics.readers.base import Reader
from opmodel.metrics.readers.registry import READERS, Recognition, find_reader, reader_for, recognise
from opmodel.metrics.write import Source, WriteResult, version_from_name, write_values

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
