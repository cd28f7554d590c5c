"""What the server is started with: the store, the upload token and limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_MAX_RATIO", "DEFAULT_MAX_UNPACKED_BYTES", "DEFAULT_MAX_UPLOAD_BYTES", "TOKEN_ENV", "WebSettings"]

#: The environment variable ``opmodel serve`` reads the upload token from by default.
TOKEN_ENV = "OPMODEL_API_TOKEN"
#: NHS England's largest monthly publication we load (the RTT full extract) is a few MB zipped.
DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024
#: What the zip containers of one upload (ZIP, XLSX) may unpack to: the largest publication we
#: know (the RTT full extract) unpacks to 77 MB, a cancer workbook to 23 MB.
DEFAULT_MAX_UNPACKED_BYTES = 512 * 1024 * 1024
#: Largest compression ratio of one archive member over 1 MB: published files reach 24 (RTT extract).
DEFAULT_MAX_RATIO = 200


@dataclass(frozen=True)
class WebSettings:
    """Start-up configuration; ``token`` None means uploads are refused; ``cache_entries`` 0 turns
    the response cache (and ETags) off, which only the benchmark's uncached run does; ``warm_up``
    computes the shared oversight runs and starts the chart renderer in the background at start-up;
    ``cache_bytes`` bounds the response cache's memory; ``max_unpacked_bytes`` and ``max_ratio``
    refuse compression bombs before anything is unpacked. The token is stripped of surrounding
    whitespace (see :func:`opmodel.web.security.clean_token`)."""

    store_path: Path | None = None
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_ratio: int = DEFAULT_MAX_RATIO
    cache_entries: int = 2048
    warm_up: bool = False
    cache_bytes: int = 128 * 1024 * 1024

    def __post_init__(self) -> None:
        from opmodel.web.security import clean_token

        object.__setattr__(self, "token", clean_token(self.token))
