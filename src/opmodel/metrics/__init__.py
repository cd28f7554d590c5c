"""Metrics: NHS England's published statistics as clean metric values with provenance.

Read publication files by content (:mod:`opmodel.metrics.readers`), check them for plausibility
and load them file by file, idempotently, into the store (:func:`load_files`), and read values back
at trust, ICB, region or England level (:func:`metric_values`), aggregated from counts through the
structure in force on each period's date. Every writer (publication loads, record-level
derivations) goes through :func:`write_values`. :func:`metric_freshness` says how current the
store is against each publication's release calendar (:mod:`opmodel.metrics.publishing`).

Reading values imports the catalogue and the query module only; the readers, the loader and the
write path (pyarrow, numpy, the spreadsheet parsers) load when first named (issue 25), so
``opmodel metrics show`` does not pay for ``opmodel metrics load``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opmodel.lazyexports import lazy_getattr
from opmodel.metrics.catalogue import MetricDefinition, catalogue, get_metric, load_catalogue
from opmodel.metrics.freshness import Freshness, as_of_summary, last_loaded, metric_freshness, overdue
from opmodel.metrics.models import MetricRow
from opmodel.metrics.publishing import PUBLICATIONS, Publication, get_publication, third_party_publications
from opmodel.metrics.query import LEVELS, NotAggregatedError, list_metrics, metric_values, trust_values_at

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


__getattr__ = lazy_getattr(__name__, _LAZY, globals())


__all__ = [
    "LEVELS",
    "PUBLICATIONS",
    "READERS",
    "FileResult",
    "Freshness",
    "LoadReport",
    "MetricDefinition",
    "MetricRow",
    "MetricsArchiveLimitError",
    "MetricsLoadError",
    "NotAggregatedError",
    "Publication",
    "Reader",
    "Recognition",
    "Source",
    "WriteResult",
    "as_of_summary",
    "catalogue",
    "expand_paths",
    "find_reader",
    "get_metric",
    "get_publication",
    "last_loaded",
    "list_metrics",
    "load_catalogue",
    "load_files",
    "metric_freshness",
    "metric_values",
    "overdue",
    "reader_for",
    "recognise",
    "seed_metrics",
    "third_party_publications",
    "trust_values_at",
    "version_from_name",
    "write_values",
]
