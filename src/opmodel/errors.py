"""Errors shared by every area.

Analysts fix bad input faster when an error names the file, line and field and
says what was expected, so every loader raises :class:`InputError` with those
parts rather than a bare exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ArchiveLimitError", "InputError", "InputProblem", "OpmodelError", "UnknownCodeError"]


class OpmodelError(Exception):
    """Base class for errors opmodel reports to users (CLI exit code 1 or 2)."""


@dataclass(frozen=True)
class InputProblem:
    """One problem found in an input file, located as precisely as we can."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


@dataclass
class InputError(OpmodelError):
    """A file (or several) could not be loaded; nothing was written to the store."""

    problems: Sequence[InputProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def one(
        cls, file: str | Path, line: int | None, fld: str | None, message: str
    ) -> InputError:
        return cls([InputProblem(str(file), line, fld, message)])

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:20]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more problem(s)")
        return "\n".join(shown) if shown else "invalid input"


class ArchiveLimitError(InputError):
    """A compressed file (zip, XLSX) would unpack beyond the size or ratio limits.

    Raised from the archive's directory, before any member is inflated, so a compression
    bomb costs no CPU; the web API answers it with 413 rather than 422.
    """


class UnknownCodeError(OpmodelError):
    """A code that is not in the registry (or catalogue), with the closest known codes."""

    def __init__(self, what: str, code: str, suggestions: Sequence[str] = ()) -> None:
        self.what = what
        self.code = code
        self.suggestions = list(suggestions)
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"Unknown {what} '{code}'.{hint}")


class NotFoundError(OpmodelError):
    """What was asked for is not held: no values for that organisation, metric or period.

    Distinct from a bad request: the question is fine and the store has no answer, so the API
    answers 404 and the message says what *is* held.
    """
