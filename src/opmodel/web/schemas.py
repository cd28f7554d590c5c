"""Error bodies the API documents, so clients (and schemathesis) know every answer's shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["COMMON_RESPONSES", "Message", "NotFound", "Problem", "Rejected"]


class NotFound(BaseModel):
    """An unknown code (with the closest known ones), or a question the store holds no answer to (detail only)."""

    detail: str
    code: str | None = Field(default=None, description="The code that was not found.")
    suggestions: list[str] = Field(default=[], description="The closest known codes.")


class Problem(BaseModel):
    file: str | None
    line: int | None
    field: str | None
    message: str


class Rejected(BaseModel):
    """An upload that could not be loaded; the store is unchanged."""

    detail: str
    problems: list[Problem] = []


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": NotFound, "description": "Unknown organisation code (with suggestions), or nothing held for it."},
}


class Message(BaseModel):
    detail: str
