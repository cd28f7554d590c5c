"""CSV a spreadsheet will not run: every CSV opmodel writes goes through here (issue 23, item 4).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula, so a case's lead name
``=HYPERLINK(...)`` or an organisation name from a loaded file could run in the
reader's spreadsheet. OWASP's "CSV Injection" guidance is to prefix such cells
with a single quote, which spreadsheets show as text; that is what
:func:`safe_cell` does.

Numbers stay numbers (decisions.md, "Register security (issue 23)"): only text
cells are neutralised, and a text cell that is exactly a decimal number
(``-12.5``, ``+3``, ``1e-3``) is left alone because a spreadsheet reads it as
that number and runs nothing, so a negative change or a z-score stays
readable and sortable. Anything else starting with a trigger (``-2+3``,
``=1+1``, ``@SUM(A1)``, ``-``) gains the quote.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    _DictWriter = csv.DictWriter[str]
else:
    _DictWriter = csv.DictWriter

__all__ = ["FORMULA_TRIGGERS", "SafeDictWriter", "dict_writer", "safe_cell", "safe_row", "writer"]

#: The first characters OWASP lists as starting a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet runs: text starting with a trigger gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _NUMBER.match(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class _SafeWriter:
    """``csv.writer`` with every cell passed through :func:`safe_cell`."""

    def __init__(self, f: IO[str], **kwargs: Any) -> None:
        self._w = csv.writer(f, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(_DictWriter):
    """``csv.DictWriter`` with every value (and header) passed through :func:`safe_cell`."""

    def writeheader(self) -> Any:
        return self.writer.writerow(safe_row(self.fieldnames))

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)


def writer(f: IO[str], **kwargs: Any) -> _SafeWriter:
    """A drop-in for ``csv.writer(f, ...)`` that neutralises formula cells."""
    return _SafeWriter(f, **kwargs)


def dict_writer(f: IO[str], fieldnames: Sequence[str], **kwargs: Any) -> SafeDictWriter:
    """A drop-in for ``csv.DictWriter(f, fieldnames, ...)`` that neutralises formula cells."""
    return SafeDictWriter(f, fieldnames, **kwargs)
