"""Formatting results for the terminal: tables, CSV and JSON, the same for every command."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

from opmodel import csvsafe

__all__ = ["Format", "console", "emit_json", "emit_rows", "err_console", "to_jsonable"]

console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def to_jsonable(value: Any) -> Any:
    """Dates as ISO strings, decimals as floats, models as dicts: what other tools can read."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump(mode="json"))
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    return value


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n")


def emit_rows(rows: Sequence[Mapping[str, Any]], fmt: Format, columns: Iterable[str] | None = None,
              title: str | None = None) -> None:
    """Print rows as a table, CSV or a JSON array."""
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    if fmt is Format.json:
        emit_json([dict(r) for r in rows])
        return
    if fmt is Format.csv:
        buf = io.StringIO()
        w = csvsafe.dict_writer(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: to_jsonable(r.get(k)) for k in cols})
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for c in cols:
        table.add_column(c)
    for r in rows:
        table.add_row(*("" if r.get(c) is None else str(to_jsonable(r.get(c))) for c in cols))
    console.print(table)
    console.print(f"{len(rows)} row(s)")
