"""Pages written as bytes, with the kept sections spliced in already encoded (issue 25).

A profile is about 477 kB of HTML, nine tenths of it sections kept per data version
(:meth:`StoreHub.section`). Rendered as one string, every request copied those sections into the
page (a character outside Latin-1, such as the en dash of a missing value, makes Python store the
whole page at two bytes a character) and then encoded the result to UTF-8: a third of an uncached
profile's time under load. Here a page is rendered with a short marker where each kept section
goes; the small rest is encoded and the sections' bytes, encoded once when kept, are joined in
between. The bytes sent are the same as rendering the page as one string.

The marker holds a random token made at start-up, so text on a page (a search term, a name)
cannot pass for one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.templating import Jinja2Templates, _TemplateResponse

__all__ = ["PageTemplates", "render_page", "splice"]

#: The sections' bytes for the page being rendered, in order; None outside :func:`render_page`.
_PARTS: ContextVar[list[bytes] | None] = ContextVar("opmodel_page_parts", default=None)
_MARK = f"\x00kept-{secrets.token_hex(8)}\x00"


def splice(key_bytes: Callable[[], bytes], text: Callable[[], str]) -> str:
    """What a kept section puts in the page: a marker for its bytes while :func:`render_page` writes the
    page, else its text (a template rendered on its own, or a section inside another section)."""
    parts = _PARTS.get()
    if parts is None:
        return text()
    token = _PARTS.set(None)  # a section rendered now holds its own text, not markers
    try:
        data = key_bytes()
    finally:
        _PARTS.reset(token)
    parts.append(data)
    return f"{_MARK}{len(parts) - 1}{_MARK}"


def render_page(template: Any, context: Mapping[str, Any]) -> bytes:
    """``template`` rendered with ``context`` as UTF-8, the kept sections joined in as bytes."""
    parts: list[bytes] = []
    token = _PARTS.set(parts)
    try:
        text: str = template.render(context)
    finally:
        _PARTS.reset(token)
    if not parts:
        return text.encode("utf-8")
    pieces = text.split(_MARK)  # text, index, text, index, ..., text
    out = []
    for i, piece in enumerate(pieces):
        out.append(parts[int(piece)] if i % 2 else piece.encode("utf-8"))
    return b"".join(out)


class _PageResponse(_TemplateResponse):
    """Starlette's template response (the test client still sees its template and context), its body
    written by :func:`render_page`."""

    def __init__(self, template: Any, context: dict[str, Any], status_code: int = 200,
                 headers: Mapping[str, str] | None = None, media_type: str | None = None,
                 background: BackgroundTask | None = None) -> None:
        self.template = template
        self.context = context
        body = render_page(template, context)
        super(_TemplateResponse, self).__init__(body, status_code, headers, media_type, background)


class PageTemplates(Jinja2Templates):
    """:class:`Jinja2Templates` whose responses are written by :func:`render_page`."""

    def TemplateResponse(self, request: Request, name: str,
                         context: dict[str, Any] | None = None, status_code: int = 200,
                         headers: Mapping[str, str] | None = None, media_type: str | None = None,
                         background: BackgroundTask | None = None) -> _TemplateResponse:
        context = context or {}
        context.setdefault("request", request)
        for processor in self.context_processors:
            context.update(processor(request))
        return _PageResponse(self.get_template(name), context, status_code=status_code, headers=headers,
                             media_type=media_type, background=background)
