"""Every publication reader opmodel knows, and recognition of a file by its content.

Readers are asked in list order; the first whose ``recognises`` is true reads the file.
Recognition looks at content (header row, sheet names, zip members), never the file name,
because published files are renamed freely (``...-revised.csv``, ``..._copy.csv``).
Add a reader by adding one line to ``READERS``.
"""

from __future__ import annotations

from pathlib import Path

from opmodel.errors import InputError
from opmodel.metrics.readers.ae import AeMonthlyCsvReader, AeProviderWorkbookReader
from opmodel.metrics.readers.ambsys import AmbsysReader
from opmodel.metrics.readers.base import Reader
from opmodel.metrics.readers.cancer import CancerWaitingTimesReader
from opmodel.metrics.readers.dm01 import Dm01DerivedCsvReader, Dm01WorkbookReader
from opmodel.metrics.readers.kh03 import Kh03Reader
from opmodel.metrics.readers.league import LeagueTableReader  # issue 12: league tables with likely ranges
from opmodel.metrics.readers.nof import NofDashboardReader
from opmodel.metrics.readers.nof_extract import NofThirdPartyExtractReader
from opmodel.metrics.readers.rtt import RttFullExtractReader
from opmodel.metrics.readers.staff_survey import StaffSurveyReader

__all__ = ["READERS", "find_reader", "reader_for"]

READERS: list[Reader] = [
    AeMonthlyCsvReader(),
    AeProviderWorkbookReader(),
    RttFullExtractReader(),
    Dm01WorkbookReader(),
    Dm01DerivedCsvReader(),
    LeagueTableReader(),  # before NofDashboardReader: league tables with likely ranges
    NofDashboardReader(),
    NofThirdPartyExtractReader(),
    CancerWaitingTimesReader(),
    AmbsysReader(),
    Kh03Reader(),
    StaffSurveyReader(),
]


def find_reader(path: Path) -> Reader | None:
    """The reader that recognises ``path`` by content, or None (e.g. a PDF or a README)."""
    for reader in READERS:
        if reader.recognises(path):
            return reader
    return None


def reader_for(path: Path) -> Reader:
    """The reader for ``path``; InputError naming the file if no reader recognises it."""
    reader = find_reader(path)
    if reader is None:
        known = ", ".join(sorted({r.publication for r in READERS}))
        raise InputError.one(path, None, None,
                             f"no reader recognises this file's content; expected one of: {known}")
    return reader
