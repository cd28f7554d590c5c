"""Paginated lists for the API: ``limit``/``offset`` in, ``items``/``total``/``next`` out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel, Field

__all__ = ["Page", "PageParams", "page_params", "paginate"]

T = TypeVar("T")

MAX_LIMIT = 500


class PageParams(BaseModel):
    limit: int = 100
    offset: int = 0


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1–500).")] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


class Page(BaseModel, Generic[T]):
    """One page of a list; follow ``next`` until it is null."""

    items: list[T]
    total: int = Field(description="Items in the whole list.")
    limit: int
    offset: int
    next: str | None = Field(description="URL of the next page, or null on the last page.")


def paginate(request: Request, rows: Sequence[T], params: PageParams) -> Page[T]:
    items = list(rows[params.offset:params.offset + params.limit])
    nxt = None
    if params.offset + params.limit < len(rows):
        nxt = str(request.url.include_query_params(offset=params.offset + params.limit, limit=params.limit))
    return Page[T](items=items, total=len(rows), limit=params.limit, offset=params.offset, next=nxt)
