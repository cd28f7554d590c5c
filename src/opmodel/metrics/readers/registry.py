"""Every publication reader opmodel knows, and recognition of a file by its content.

Readers are asked in list order; the first whose ``recognises`` is true reads the file.
Recognition looks at content (header row, sheet names, zip members), never the file name,
because published files are renamed freely (``...-revised.csv``, ``..._copy.csv``).
Add a reader by adding one line to ``READERS``.

Recognition never raises for a reader's sake: a recogniser that fails on an odd file (a
binary with a CR before its first LF, a 7 MB single line) counts as "not mine" and the
next reader is asked (issue 16, item 7). Only :class:`~opmodel.errors.ArchiveLimitError`
escapes: a zip is checked against the size limits before any reader inflates a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opmodel.errors import InputError
from opmodel.metrics.readers._archive import check_archive, is_zip
from opmodel.metrics.readers.ae import AeMonthlyCsvReader, AeProviderWorkbookReader
from opmodel.metrics.readers.ambsys import AmbsysReader
from opmodel.metrics.readers.base import Reader
from opmodel.metrics.readers.cancer import CancerWaitingTimesReader
from opmodel.metrics.readers.csds import CsdsMonthlyReader
from opmodel.metrics.readers.dm01 import Dm01DerivedCsvReader, Dm01WorkbookReader
from opmodel.metrics.readers.dm01_extract import Dm01FullExtractReader
from opmodel.metrics.readers.eric import EricTrustReader
from opmodel.metrics.readers.fft import FftSummaryReader
from opmodel.metrics.readers.kh03 import Kh03Reader
from opmodel.metrics.readers.kh03_overnight import Kh03OvernightReader
from opmodel.metrics.readers.league import LeagueTableReader  # issue 12: league tables with likely ranges
from opmodel.metrics.readers.lookalike import looks_like
from opmodel.metrics.readers.nof import NofDashboardReader
from opmodel.metrics.readers.nof_extract import NofThirdPartyExtractReader
from opmodel.metrics.readers.quality_thirdparty import CqcRatingsExtractReader, TrustProfilesReader  # issue 22
from opmodel.metrics.readers.rtt import RttFullExtractReader
from opmodel.metrics.readers.staff_survey import StaffSurveyReader
from opmodel.metrics.readers.waiting_times_json import WaitingTimesJsonReader

__all__ = ["READERS", "Recognition", "find_reader", "reader_for", "recognise"]

READERS: list[Reader] = [
    AeMonthlyCsvReader(),
    AeProviderWorkbookReader(),
    RttFullExtractReader(),
    Dm01WorkbookReader(),
    Dm01DerivedCsvReader(),
    TrustProfilesReader(),  # issue 22; before the NOF readers: its header also carries NOF columns
    CqcRatingsExtractReader(),  # issue 22
    LeagueTableReader(),  # before NofDashboardReader: league tables with likely ranges
    NofDashboardReader(),
    NofThirdPartyExtractReader(),
    CancerWaitingTimesReader(),
    AmbsysReader(),
    Kh03Reader(),
    StaffSurveyReader(),
    # issue 21: newer publications and the third-party monthly RTT and cancer series
    Dm01FullExtractReader(),
    Kh03OvernightReader(),
    FftSummaryReader(),
    EricTrustReader(),
    CsdsMonthlyReader(),
    WaitingTimesJsonReader(),
]


@dataclass(frozen=True)
class Recognition:
    """What recognition found: the reader, or why none applies.

    ``near_miss`` is set when the file looks like a publication (by name or header words)
    but no reader recognises it: the load refuses such a file rather than skip it.
    ``failures`` notes recognisers that raised (they were treated as "not mine").
    """

    reader: Reader | None
    near_miss: str | None = None
    failures: tuple[str, ...] = ()


def _looks_like(reader: Reader, path: Path) -> str | None:
    hook = getattr(reader, "looks_like", None)
    try:
        if callable(hook):
            found = hook(path)
            if found:
                return str(found)
        return looks_like(reader.publication, path)
    except Exception:  # a look-alike check must not break a load either
        return None


def recognise(path: Path) -> Recognition:
    """Ask every reader about ``path``; see :class:`Recognition`.

    Raises :class:`~opmodel.errors.ArchiveLimitError` for a zip beyond the size limits.
    """
    if is_zip(path):
        check_archive(path)
    failures: list[str] = []
    for reader in READERS:
        try:
            if reader.recognises(path):
                return Recognition(reader, failures=tuple(failures))
        except Exception as exc:  # recognisers never raise on the loader: "not mine"
            failures.append(f"{reader.publication}: {type(exc).__name__}: {exc}")
    for reader in READERS:
        miss = _looks_like(reader, path)
        if miss:
            return Recognition(None, miss, tuple(failures))
    return Recognition(None, failures=tuple(failures))


def find_reader(path: Path) -> Reader | None:
    """The reader that recognises ``path`` by content, or None (e.g. a PDF or a README)."""
    return recognise(path).reader


def reader_for(path: Path) -> Reader:
    """The reader for ``path``; InputError naming the file if no reader recognises it."""
    found = recognise(path)
    if found.reader is not None:
        return found.reader
    if found.near_miss:
        raise InputError.one(path, None, None, found.near_miss)
    known = ", ".join(sorted({r.publication for r in READERS}))
    raise InputError.one(path, None, None, f"no reader recognises this file's content; expected one of: {known}")
