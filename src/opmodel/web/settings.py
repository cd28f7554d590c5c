"""What the server is started with: the store, the upload token and limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "TOKEN_ENV", "WebSettings"]

#: The environment variable ``opmodel serve`` reads the upload token from by default.
TOKEN_ENV = "OPMODEL_API_TOKEN"
#: NHS England's largest monthly publication we load (the RTT full extract) is a few MB zipped.
DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class WebSettings:
    """Start-up configuration; ``token`` None means uploads are refused; ``cache_entries`` 0 turns
    the response cache (and ETags) off, which only the benchmark's uncached run does; ``warm_up``
    computes the shared oversight runs and starts the chart renderer in the background at start-up;
    ``cache_bytes`` bounds the response cache's memory. The token is stripped of surrounding
    whitespace (see :func:`opmodel.web.security.clean_token`)."""

    store_path: Path | None = None
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    cache_entries: int = 2048
    warm_up: bool = False
    cache_bytes: int = 128 * 1024 * 1024

    def __post_init__(self) -> None:
        from opmodel.web.security import clean_token

        object.__setattr__(self, "token", clean_token(self.token))
