"""Metrics: NHS England's published statistics as clean metric values with provenance.

Read publication files by content (:mod:`opmodel.metrics.readers`), load them atomically
and idempotently into the store (:func:`load_files`), and read values back at trust, ICB,
region or England level (:func:`metric_values`), aggregated from counts through the
structure in force on each period's date.
"""

from opmodel.metrics.catalogue import MetricDefinition, catalogue, get_metric, load_catalogue
from opmodel.metrics.defaults import seed_metrics
from opmodel.metrics.loader import FileResult, LoadReport, MetricsLoadError, expand_paths, load_files
from opmodel.metrics.models import MetricRow
from opmodel.metrics.query import LEVELS, NotAggregatedError, list_metrics, metric_values
from opmodel.metrics.readers.base import Reader
from opmodel.metrics.readers.registry import READERS, find_reader, reader_for

__all__ = [
    "LEVELS",
    "READERS",
    "FileResult",
    "LoadReport",
    "MetricDefinition",
    "MetricRow",
    "MetricsLoadError",
    "NotAggregatedError",
    "Reader",
    "catalogue",
    "expand_paths",
    "find_reader",
    "get_metric",
    "list_metrics",
    "load_catalogue",
    "load_files",
    "metric_values",
    "reader_for",
    "seed_metrics",
]
