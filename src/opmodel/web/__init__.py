"""Web dashboard and REST API: the operating model for people who would rather look than read.

``create_app(WebSettings(...))`` builds the FastAPI app; ``opmodel serve`` runs it.
"""

from opmodel.web.app import create_app
from opmodel.web.settings import TOKEN_ENV, WebSettings

__all__ = ["TOKEN_ENV", "WebSettings", "create_app"]
