"""The reader protocol: recognise a publication by content and stream its metric rows.

Each publication (A&E monthly, RTT full extract, cancer waiting times, ...) has one
module in this package exposing a :class:`Reader`. The loader asks every reader
whether it recognises a file (by header or sheet names, never by file name) and
streams :class:`~opmodel.metrics.models.MetricRow` objects from the one that does.
Problems are raised as :class:`~opmodel.errors.InputError` with file, row and column.

Two optional hooks, looked up with ``getattr`` so readers without them keep working:
``looks_like(path) -> str | None`` (the file resembles this publication but is not
recognised: say what is missing; see ``lookalike.py`` for the shipped readers' signatures)
and ``version(path) -> int`` (the publication's own version, higher wins; default
:func:`opmodel.metrics.write.version_from_name`). ``recognises`` should not raise; the
registry treats a recogniser that does as "not mine".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from opmodel.metrics.models import MetricRow

__all__ = ["Reader"]


class Reader(Protocol):
    #: Stable id recorded as the source's publication, e.g. "ae_monthly".
    publication: str

    def recognises(self, path: Path) -> bool:
        """True if the file's content (header, sheet names) is this publication's."""
        ...

    def read(self, path: Path) -> Iterator[MetricRow]:
        """Stream every metric row in the file; raise InputError on malformed content."""
        ...
