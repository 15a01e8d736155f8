"""structlog set-up and the request log: one line per request, with ids.

JSON lines in production, a readable console in development (``EVENTLOG_LOG_FORMAT``:
``json``, ``console`` or ``auto`` = console on a terminal). Each request line carries a
request id (the client's ``X-Request-ID`` or a new one, echoed back), method, path,
status, duration and the trace id: from ``traceparent``, or from the event itself on
``POST /v1/events``.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid
from typing import Any, Final

import msgspec
import structlog
from eventlog_schemas import parse_traceparent
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER: Final = b"x-request-id"
TRACE_ID_KEY: Final = "eventlog.trace_id"
"""``scope`` key a handler sets when it learns the request's trace id from the body."""
REQUEST_ID_KEY: Final = "eventlog.request_id"

_json_encoder = msgspec.json.Encoder(enc_hook=str)


def _serialize(event: Any, **_: Any) -> str:
    return _json_encoder.encode(event).decode()


def configure_logging(log_format: str, level: str) -> None:
    """Configure structlog (and the standard library's root logger) once per process."""
    use_console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any
    if use_console:
        renderer = structlog.dev.ConsoleRenderer()
    else:
        # Tracebacks as data, without frame locals: those would put request bodies (and
        # whatever else a frame holds) into the logs.
        shared.append(
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            )
        )
        renderer = structlog.processors.JSONRenderer(serializer=_serialize)
    numeric = logging.getLevelNamesMapping()[level]
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.WriteLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    # Libraries (hypercorn, asyncio) log through the standard library: same format.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)


class RequestLogMiddleware:
    """ASGI middleware: request id in and out, one log line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("eventlog_api.request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = ""
        traceparent = None
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER:
                request_id = value.decode("latin-1")[:128]
            elif name == b"traceparent":
                traceparent = value.decode("latin-1")
        if not request_id:
            request_id = uuid.uuid4().hex
        parsed = parse_traceparent(traceparent)
        state: dict[str, Any] = scope.setdefault("state", {})
        state[REQUEST_ID_KEY] = request_id
        if parsed is not None:
            state[TRACE_ID_KEY] = parsed.trace_id
        status = 500
        id_header = (REQUEST_ID_HEADER, request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            self.log.info(
                "request",
                request_id=request_id,
                method=scope.get("method"),
                path=scope.get("path"),
                status=status,
                duration_ms=duration_ms,
                trace_id=state.get(TRACE_ID_KEY),
            )
