"""Request dependencies: the store, the templates and the start-up settings.

The ones that only read ``app.state`` are ``async``: FastAPI runs a plain ``def`` dependency on a worker
thread, and each such hop cost a page about a tenth of a millisecond of GIL hand-over (issue 25). The store's
cursor stays a thread-run dependency, because taking it can wait for another process to let the file go.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from starlette.templating import Jinja2Templates

from opmodel.store import Store
from opmodel.web.hub import StoreHub
from opmodel.web.params import DayParam
from opmodel.web.settings import WebSettings

__all__ = ["Hub", "OnQuery", "ReadStore", "hub", "read_store", "settings", "templates"]


async def hub(request: Request) -> StoreHub:
    h: StoreHub = request.app.state.hub
    return h


async def settings(request: Request) -> WebSettings:
    s: WebSettings = request.app.state.settings
    return s


async def templates(request: Request) -> Jinja2Templates:
    t: Jinja2Templates = request.app.state.templates
    return t


def read_store(h: Annotated[StoreHub, Depends(hub)]) -> Iterator[Store]:
    """A cursor on the shared database for this request (see :mod:`opmodel.web.hub`)."""
    with h.reader() as store:
        yield store


ReadStore = Annotated[Store, Depends(read_store)]
Hub = Annotated[StoreHub, Depends(hub)]
OnQuery = DayParam  # ISO days or months only: ?on=0 is refused, not read as 1970-01-01
