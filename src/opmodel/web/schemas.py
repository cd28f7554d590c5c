"""Error bodies the API documents, so clients (and schemathesis) know every answer's shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["COMMON_RESPONSES", "Message", "NotFound", "Problem", "Rejected"]


class NotFound(BaseModel):
    detail: str
    code: str = Field(description="The code that was not found.")
    suggestions: list[str] = Field(description="The closest known codes.")


class Problem(BaseModel):
    file: str
    line: int | None
    field: str | None
    message: str


class Rejected(BaseModel):
    """An upload that could not be loaded; the store is unchanged."""

    detail: str
    problems: list[Problem] = []


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": NotFound, "description": "Unknown organisation code (with suggestions)."},
}


class Message(BaseModel):
    detail: str
