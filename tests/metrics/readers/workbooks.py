"""Helpers the spreadsheet reader tests share: write a damaged copy, read the error it raises."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from opmodel.errors import InputError
from opmodel.metrics.readers.base import Reader


def write_workbook(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]], *, cover: Sequence[str]) -> Path:
    """Write ``sheets`` (name -> rows) after empty ``cover`` sheets, as the publications lay them out."""
    wb = openpyxl.Workbook()
    first, *others = cover
    wb.active.title = first
    for name in others:
        wb.create_sheet(name)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(list(r))
    wb.save(path)
    return path


def read_error(reader: Reader, path: Path) -> InputError:
    """The InputError ``reader`` raises for a file it recognises but must reject."""
    assert reader.recognises(path)
    with pytest.raises(InputError) as info:
        list(reader.read(path))
    return info.value
