"""Record-level data: schemas, readers, a calibrated synthetic generator and metric derivation.

The same ibis expressions derive the oversight metrics' counts from A&E attendance and RTT
pathway records on embedded DuckDB (default) or on Apache Spark (``opmodel[spark]``).
"""

from opmodel.records.calibration import AeCounts, RttCell, ae_calibration_files, read_ae_counts, read_rtt_cells
from opmodel.records.derive import AE_RULES, RTT_RULES, DuplicateStrategy, ae_counts, rtt_counts
from opmodel.records.engines import Engine, connect, read_dataset, spark_session
from opmodel.records.generator import UNKNOWN_PROVIDER, GenerateResult, generate_ae, generate_rtt
from opmodel.records.layout import AE_DATASET, RTT_DATASET, dataset_files, read_provider_list
from opmodel.records.publish import files_sha256, known_provider_codes, write_metric_rows
from opmodel.records.results import (
    DERIVED_METRICS,
    Derived,
    derive_folder,
    duplicate_strategy,
    exclusion_rows,
    metric_rows,
)
from opmodel.records.schemas import AE_SCHEMA, RTT_SCHEMA, AeAttendance, RttPathway, validate_records

__all__ = [
    "AE_DATASET",
    "AE_RULES",
    "AE_SCHEMA",
    "DERIVED_METRICS",
    "RTT_DATASET",
    "RTT_RULES",
    "RTT_SCHEMA",
    "UNKNOWN_PROVIDER",
    "AeAttendance",
    "AeCounts",
    "Derived",
    "DuplicateStrategy",
    "Engine",
    "GenerateResult",
    "RttCell",
    "RttPathway",
    "ae_calibration_files",
    "ae_counts",
    "connect",
    "dataset_files",
    "derive_folder",
    "duplicate_strategy",
    "exclusion_rows",
    "files_sha256",
    "generate_ae",
    "generate_rtt",
    "known_provider_codes",
    "metric_rows",
    "read_ae_counts",
    "read_dataset",
    "read_provider_list",
    "read_rtt_cells",
    "rtt_counts",
    "spark_session",
    "validate_records",
    "write_metric_rows",
]
