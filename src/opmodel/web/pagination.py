"""Paginated lists for the API: ``limit``/``offset`` in, ``items``/``total``/``next`` out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Query, Request
from pydantic import BaseModel, Field

from opmodel.web.caching import effective_query, shaping_params

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
    next: str | None = Field(description="Link to the next page (relative to this server: path and query), "
                                         "or null on the last page.")


def _next_link(request: Request, offset: int, limit: int) -> str:
    """The next page's path and query: relative (so a forged ``Host`` cannot end up in a cached
    answer) and built only from the parameters the route reads, as it reads them (so ``?cb=N`` cannot
    either, and a repeated parameter appears once, with the value that was used)."""
    read = effective_query(request.query_params.multi_items(), shaping_params(request.scope.get("route")))
    kept = [(k, v) for k, v in read if k not in ("limit", "offset")]
    return f"{request.url.path}?{urlencode([*kept, ('limit', limit), ('offset', offset)])}"


def paginate(request: Request, rows: Sequence[T], params: PageParams) -> Page[T]:
    items = list(rows[params.offset:params.offset + params.limit])
    nxt = None
    if params.offset + params.limit < len(rows):
        nxt = _next_link(request, params.offset + params.limit, params.limit)
    return Page[T](items=items, total=len(rows), limit=params.limit, offset=params.offset, next=nxt)
