"""Security headers on every response, and the upload token as configured.

The dashboard loads nothing from other sites and has one known inline script (allowed
by its hash), so a strict Content-Security-Policy costs nothing and stops injected
markup from running or loading anything (inline styles stay allowed: the SVG charts carry style
attributes). Pages may not be framed (clickjacking), browsers may not sniff types,
and no referrer leaves the site. The server name is not advertised (``opmodel
serve`` turns uvicorn's ``server`` header off; this middleware drops any that
slips through).
"""

from __future__ import annotations

import base64
import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opmodel.errors import OpmodelError

__all__ = ["CONTENT_SECURITY_POLICY", "NHSUK_INLINE_SCRIPT", "SecurityHeaders", "clean_token", "script_hash"]

#: The one inline script the NHS.UK page template has (it marks the body as JavaScript-enabled
#: before the components start); allowed by its hash, so no other inline script can run.
NHSUK_INLINE_SCRIPT = ("document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype "
                       "? ' nhsuk-frontend-supported' : '');")


def script_hash(source: str) -> str:
    """The CSP source expression allowing exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


CONTENT_SECURITY_POLICY = (f"default-src 'self'; script-src 'self' {script_hash(NHSUK_INLINE_SCRIPT)}; "
                           "style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
                           "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
_OURS = {k for k, _ in _HEADERS} | {b"server"}


class SecurityHeaders:
    """ASGI middleware adding :data:`_HEADERS` to every HTTP response (cached, static, errors alike)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                message = {**message, "headers": headers + _HEADERS}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def clean_token(token: str | None) -> str | None:
    """The upload token without the surrounding whitespace a file or ``echo`` adds (a trailing
    newline used to make every upload 401); None when unset or blank. A token with whitespace
    inside cannot be sent in an ``Authorization`` header, so it is refused with a clear message."""
    if token is None:
        return None
    token = token.strip()
    if not token:
        return None
    if any(c.isspace() for c in token):
        raise OpmodelError("The API token contains spaces or line breaks inside it; a bearer token must be one "
                           "word. Set it again (for example: export OPMODEL_API_TOKEN=\"$(openssl rand -hex 24)\").")
    return token
