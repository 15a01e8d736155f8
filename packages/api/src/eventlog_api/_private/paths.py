"""Ids with a slash in them as path parameters (``/v1/events/correlation/ORD%2F17``).

Correlation ids, batch ids, account ids and process names are free text, and clients
percent-encode a "/" in them as ``%2F`` (the SDK does). ASGI servers hand the app a
decoded ``path``, in which that slash splits the id into two segments: the request
would match no route, or the wrong one. So a request whose raw path holds ``%2F`` is
routed on a path that keeps ``%2F`` encoded (and ``%25``, so that an id holding the text
"%2F" stays apart from one holding "/"), and the path parameters it matched get those
two escapes decoded before the handler sees them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote_to_bytes

from litestar.middleware import ASGIMiddleware

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

KEPT_ESCAPES: Final = "eventlog.kept_escapes"
"""Scope key set on a request routed with ``%2F`` and ``%25`` kept encoded."""

_ENCODED_SLASH: Final = re.compile(rb"%2[fF]")
_KEPT_RAW: Final = re.compile(rb"(%2[fF]|%25)")
_KEPT: Final = re.compile(r"%2F|%25")


def routing_path(raw_path: bytes) -> str | None:
    """The path to route ``raw_path`` on, or ``None`` when the decoded path will do."""
    if not _ENCODED_SLASH.search(raw_path):
        return None
    pieces = _KEPT_RAW.split(raw_path.split(b"?", 1)[0])
    # split() with a group alternates text and kept escapes: text, escape, text, ...
    return "".join(
        piece.decode("ascii").upper()
        if index % 2
        else unquote_to_bytes(piece).decode("utf-8", "replace")
        for index, piece in enumerate(pieces)
    )


def with_kept_escapes(scope: dict[str, Any]) -> dict[str, Any]:
    """``scope`` to route on (a copy with the kept-escapes path when one is needed)."""
    if scope.get("type") != "http":
        return scope
    path = routing_path(scope.get("raw_path") or b"")
    if path is None:
        return scope
    return {**scope, "path": path, KEPT_ESCAPES: True}


def _unescape(match: re.Match[str]) -> str:
    return "/" if match.group() == "%2F" else "%"


class DecodeKeptEscapes(ASGIMiddleware):
    """Decodes ``%2F`` and ``%25`` in the path parameters of a request routed with them."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get(KEPT_ESCAPES):
            scope["path_params"] = {
                name: _KEPT.sub(_unescape, value) if isinstance(value, str) else value
                for name, value in scope["path_params"].items()
            }
        await next_app(scope, receive, send)
