"""The FastAPI application: pages, the ``/api/v1`` REST API and the vendored NHS.UK assets."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.routing import Mount
from starlette.templating import Jinja2Templates

from opmodel import __version__
from opmodel.web import (
    api_accountability,
    api_metrics,
    api_oversight,
    api_population,
    api_quality,
    api_register,
    api_reports,
    api_structure,
    api_uploads,
    pages_accountability,
    pages_api_docs,
    pages_metrics,
    pages_oversight,
    pages_quality,
    pages_register,
    pages_structure,
)
from opmodel.web.caching import ResponseCache
from opmodel.web.conformance import Conformance, conform_openapi
from opmodel.web.errors import install_error_handlers
from opmodel.web.hub import StoreHub
from opmodel.web.security import SecurityHeaders
from opmodel.web.settings import WebSettings
from opmodel.web.templating import make_templates

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"
#: Register answers depend on who asks and change without a store write, so they are never cached.
REGISTER_PREFIXES = ("/api/v1/support-cases", "/support-cases", "/sign-in", "/sign-out")

DESCRIPTION = """
The NHS operating model as data: where every organisation sits on any date, who holds
it to account, oversight segments and league tables, metrics and variation.

Read-only without credentials. `POST /api/v1/metric-files` needs the bearer token the
server was started with. Lists are paginated with `limit` and `offset`. Every GET
answer carries an `ETag`; send it back in `If-None-Match` to get `304 Not Modified`.
"""


def _warm_up(hub: StoreHub, templates: Jinja2Templates) -> None:
    """Before the first visitor asks (issue 25): compile the page templates, then compute the current
    quarter's segmentation, league table with likely ranges and the national charts. Each result is
    kept in the store (:meth:`StoreHub.memo`), so after a restart this reads them back in a moment."""
    from opmodel.web.views_metrics import org_spc_charts
    from opmodel.web.views_oversight import league_view, periods_available, segment_summary

    env = templates.env
    for name in env.list_templates(filter_func=lambda n: n.endswith(".jinja") and not n.startswith("nhsuk/")):
        try:
            env.get_template(name)  # compiled once, kept by the environment
        except Exception:  # a template that fails to compile fails its page, not the start-up
            continue
    try:
        with hub.reader() as store:
            if periods_available(store, hub.memo):
                segment_summary(store, hub.memo)
                league_view(store, memo=hub.memo)
            org_spc_charts(store, "X24", hub.memo)
        # vl-convert's engine takes ~0.7 s to start and holds the GIL meanwhile: started once the server has
        # been quiet for a second, so the first visitor of a used store does not wait on it, and the next
        # new chart does not either.
        deadline = time.monotonic() + 30
        while hub.quiet_for() < 1.0 and time.monotonic() < deadline:
            time.sleep(0.2)
        from opmodel.variation import warm_chart_builders

        warm_chart_builders()
    except Exception:  # warming is best effort; the pages compute on demand anyway
        return


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """Build the app over the store in ``settings`` (the default store when None)."""
    settings = settings or WebSettings()
    hub = StoreHub(settings.store_path)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.warm_up:
            threading.Thread(target=_warm_up, args=(hub, app.state.templates), name="opmodel-warm-up",
                             daemon=True).start()
        yield
        hub.close()

    app = FastAPI(title="opmodel", version=__version__, description=DESCRIPTION.strip(),
                  lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json")
    app.state.hub = hub
    app.state.settings = settings
    app.state.templates = make_templates()
    install_error_handlers(app)
    # Pages first: FastAPI tries routes one by one (about 10 us each), and no page path can match an
    # /api/v1 one, so a page is found without trying the 45 API routes first (issue 25).
    pages = (pages_structure, pages_oversight, pages_accountability, pages_metrics, pages_api_docs, pages_register,
             pages_quality)
    api = (api_structure, api_oversight, api_accountability, api_uploads, api_metrics, api_reports, api_register,
           api_population, api_quality)
    for module in (*pages, *api):
        app.include_router(module.router)
    # First among the routes: a stylesheet or script is then found without trying every API and page route
    # (about a fifth of a static request's time with the response cache off; issue 25).
    app.router.routes.insert(0, Mount("/static", app=StaticFiles(directory=STATIC), name="static"))
    if settings.cache_entries > 0:
        app.add_middleware(ResponseCache, version=lambda: hub.version, max_entries=settings.cache_entries,
                           max_bytes=settings.cache_bytes,
                           skip_prefixes=REGISTER_PREFIXES)  # register answers depend on the user
    app.add_middleware(Conformance, routes=lambda: app.router.routes, limited_prefixes=REGISTER_PREFIXES)
    conform_openapi(app)
    app.add_middleware(SecurityHeaders)
    return app
