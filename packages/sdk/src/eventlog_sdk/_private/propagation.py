"""Carrying the trace context across HTTP: an ASGI middleware in, an aiohttp hook out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from types import SimpleNamespace
from typing import Any

import aiohttp
from eventlog_schemas import parse_traceparent

from .context import TraceContext, current_context, inject, new_context, reset_context, set_context
from .settings import CORRELATION_ID_HEADER, TRACEPARENT_HEADER

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_TRACEPARENT = TRACEPARENT_HEADER.encode()
_CORRELATION = CORRELATION_ID_HEADER.lower().encode()


class TraceContextMiddleware:
    """ASGI middleware: each request runs with the trace context its headers carry.

    Reads ``traceparent`` (W3C) and ``X-Correlation-Id``. A request without a valid
    ``traceparent`` starts a new trace when ``start_trace`` is true (the default), else
    runs without a context. The context is also put in ``scope["state"]["trace_context"]``.
    ``X-Correlation-Id`` alone (no ``traceparent``) still sets the correlation id.
    """

    def __init__(self, app: AsgiApp, *, start_trace: bool = True) -> None:
        self.app = app
        self.start_trace = start_trace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the wrapped app inside the request's trace context."""
        if scope.get("type") not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        context = context_from_asgi_headers(
            scope.get("headers") or (), start_trace=self.start_trace
        )
        if context is not None:
            state = scope.setdefault("state", {})
            if isinstance(state, dict):
                state["trace_context"] = context
        token = set_context(context)
        try:
            await self.app(scope, receive, send)
        finally:
            reset_context(token)


def context_from_asgi_headers(raw_headers: Any, *, start_trace: bool = True) -> TraceContext | None:
    """The trace context of ASGI ``(name, value)`` byte-pair headers."""
    traceparent: str | None = None
    correlation: str | None = None
    for name, value in raw_headers:
        lowered = bytes(name).lower()
        if lowered == _TRACEPARENT:
            traceparent = bytes(value).decode("latin-1")
        elif lowered == _CORRELATION:
            correlation = bytes(value).decode("latin-1").strip() or None
    parsed = parse_traceparent(traceparent)
    if parsed is not None:
        return TraceContext(
            trace_id=parsed.trace_id,
            span_id=parsed.parent_id,
            flags=parsed.flags,
            correlation_id=correlation,
        )
    if start_trace:
        return new_context(correlation_id=correlation)
    return None


def trace_config() -> aiohttp.TraceConfig:
    """An aiohttp ``TraceConfig`` that adds ``traceparent`` (and ``X-Correlation-Id``).

    ``aiohttp.ClientSession(trace_configs=[trace_config()])``: every request made while
    a trace context is current carries it; headers set by the caller win.
    """

    async def on_request_start(
        session: aiohttp.ClientSession,
        trace_ctx: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        context = current_context()
        if context is not None:
            inject(params.headers, context)

    config = aiohttp.TraceConfig()
    config.on_request_start.append(on_request_start)
    return config
