"""Record-level schemas: A&E attendances (ECDS-like) and RTT incomplete pathways (WLMDS-like).

Each schema is declared once, as ibis types (used to cast CSV input and to write Parquet)
and as a pandera model validating an ibis table on any backend. Structural problems
(missing column, wrong type, a value outside its code list) reject the input; the four
bad-record rules of issue 8 are *not* schema failures — those records are counted per rule
and excluded by the derivation (see :mod:`opmodel.records.derive`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaError, SchemaErrors

from opmodel.errors import InputError, InputProblem

__all__ = [
    "AE_SCHEMA",
    "DEPARTMENT_TYPES",
    "RTT_SCHEMA",
    "AeAttendance",
    "RttPathway",
    "cast_to_schema",
    "validate_records",
]

#: Department types as the monthly publication groups them (types 3 and 4 are "other").
DEPARTMENT_TYPES = ("1", "2", "other")

#: One row per A&E attendance. ``departure`` is the conclusion or departure time the
#: 4-hour standard measures to; ``decision_to_admit`` is null when no admission was decided.
AE_SCHEMA = ibis.schema({
    "record_id": "int64",
    "provider": "string",
    "site": "string",
    "department_type": "string",
    "booked_appointment": "boolean",
    "arrival": "timestamp",
    "departure": "timestamp",
    "decision_to_admit": "timestamp",
    "admitted": "boolean",
})

#: One row per RTT pathway on the census date; ``clock_start`` null = unknown clock start.
RTT_SCHEMA = ibis.schema({
    "record_id": "int64",
    "provider": "string",
    "commissioner": "string",
    "treatment_function": "string",
    "clock_start": "date",
    "census_date": "date",
    "pathway_part": "string",
})


class AeAttendance(pa.DataFrameModel):
    """An A&E attendance; the bad-record rules (departure before arrival, ...) are not checked here."""

    record_id: int = pa.Field(nullable=True)
    provider: str = pa.Field(nullable=True)
    site: str = pa.Field(nullable=True)
    department_type: str = pa.Field(isin=list(DEPARTMENT_TYPES))
    booked_appointment: bool
    arrival: dt.datetime
    departure: dt.datetime
    decision_to_admit: dt.datetime = pa.Field(nullable=True)
    admitted: bool

    class Config:
        strict = False
        coerce = False


class RttPathway(pa.DataFrameModel):
    """An RTT pathway; a null clock start is a counted bad record, not a schema failure."""

    record_id: int = pa.Field(nullable=True)
    provider: str = pa.Field(nullable=True)
    commissioner: str = pa.Field(nullable=True)
    treatment_function: str
    clock_start: dt.date = pa.Field(nullable=True)
    census_date: dt.date
    pathway_part: str = pa.Field(isin=["Part_2"])

    class Config:
        strict = False
        coerce = False


_MODELS: dict[str, Any] = {"ae": AeAttendance, "rtt": RttPathway}
_SCHEMAS = {"ae": AE_SCHEMA, "rtt": RTT_SCHEMA}


def cast_to_schema(table: ir.Table, kind: str, source: str) -> ir.Table:
    """Select the schema's columns in order, cast to its types (CSV input arrives as text)."""
    schema = _SCHEMAS[kind]
    missing = [c for c in schema.names if c not in table.columns]
    if missing:
        raise InputError([InputProblem(source, 1, c, f"expected column {c!r} ({schema[c]})") for c in missing])
    if list(table.columns) == list(schema.names) and all(
            _same_kind(table.schema()[c], schema[c]) for c in schema.names):
        # Already in the schema (Parquet we wrote): no projection, so the engines can scan the
        # files directly wherever the table is used twice (DuckDB would materialise a shared CTE).
        return table
    return table.select(*[table[c].cast(schema[c]).name(c) for c in schema.names])


def _same_kind(found: Any, wanted: Any) -> bool:
    """Same type, ignoring nullability and timestamp precision (Parquet stores microseconds)."""
    if found.is_timestamp() and wanted.is_timestamp():
        return bool(found.timezone == wanted.timezone)
    return bool(found.copy(nullable=True) == wanted.copy(nullable=True))


def validate_records(table: ir.Table, kind: str, source: str, *, data: bool = False) -> ir.Table:
    """Validate with pandera: types always; code lists and nullability too when ``data`` (a full scan).

    Raises :class:`InputError` naming the source, column and check that failed.
    """
    depth = ValidationDepth.SCHEMA_AND_DATA if data else ValidationDepth.SCHEMA_ONLY
    try:
        schema = _MODELS[kind].to_schema()
        found = table.schema()
        # Timestamps of any precision are accepted (Parquet stores microseconds, CSV casts give none).
        columns = dict(schema.columns)
        for c, col in schema.columns.items():
            if c in found and found[c].is_timestamp() and _same_kind(found[c], _SCHEMAS[kind][c]):
                columns[c] = pa.Column(found[c], checks=col.checks, nullable=col.nullable, name=c)
        schema = pa.DataFrameSchema(columns, strict=False, name=schema.name)
        with config_context(validation_depth=depth):
            schema.validate(table, lazy=True)
    except SchemaErrors as exc:
        problems = []
        for row in exc.failure_cases.to_dict("records"):
            # pandera.ibis reports value failures as {column: value}; a missing column as the failure case.
            case, column = row.get("failure_case"), row.get("column")
            if isinstance(case, dict) and case:
                column, case = next(iter(case.items()))
            elif row.get("schema_context") != "Column":
                column = case
            problems.append(InputProblem(source, None, str(column),
                                         f"failed check {row.get('check')} (found {case!r})"))
        raise InputError(problems) from None
    except SchemaError as exc:  # pragma: no cover - lazy=True collects into SchemaErrors
        raise InputError.one(source, None, None, str(exc)) from None
    return table
