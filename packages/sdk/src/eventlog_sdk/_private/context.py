"""Trace context in ``contextvars``, and W3C ``traceparent`` inject/extract."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace

from eventlog_schemas import format_traceparent, new_span_id, new_trace_id, parse_traceparent

from .settings import CORRELATION_ID_HEADER, TRACEPARENT_HEADER


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceContext:
    """Where the running code is in a trace.

    ``span_id`` is the current span: the parent of any span started here (``None`` at
    the very start of a trace). ``correlation_id`` is the business key that travels
    with the trace (the ``X-Correlation-Id`` header).
    """

    trace_id: str
    span_id: str | None = None
    flags: int = 1
    correlation_id: str | None = None

    def child(self, span_id: str | None = None) -> TraceContext:
        """The same trace, one span deeper (a new span id unless given)."""
        return replace(self, span_id=span_id or new_span_id())

    def traceparent(self) -> str:
        """The ``traceparent`` header for a call made from here.

        Without a current span a fresh span id stands for this call, since the header
        must name a parent.
        """
        return format_traceparent(self.trace_id, self.span_id or new_span_id(), flags=self.flags)


_CURRENT: ContextVar[TraceContext | None] = ContextVar("eventlog_trace_context", default=None)


def current_context() -> TraceContext | None:
    """The trace context of the running task (``None`` outside any trace)."""
    return _CURRENT.get()


def set_context(context: TraceContext | None) -> Token[TraceContext | None]:
    """Make ``context`` current; undo with ``reset_context(token)``."""
    return _CURRENT.set(context)


def reset_context(token: Token[TraceContext | None]) -> None:
    """Restore the context that was current before ``set_context``."""
    _CURRENT.reset(token)


@contextmanager
def use_context(context: TraceContext | None) -> Iterator[TraceContext | None]:
    """``with use_context(ctx):`` runs the block with ``ctx`` current."""
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


def new_context(*, correlation_id: str | None = None) -> TraceContext:
    """The context of a brand-new trace (random trace id, no span yet)."""
    return TraceContext(trace_id=new_trace_id(), correlation_id=correlation_id)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if key.lower() == lowered:
            return candidate
    return None


def inject(
    headers: MutableMapping[str, str], context: TraceContext | None = None
) -> MutableMapping[str, str]:
    """Add ``traceparent`` (and ``X-Correlation-Id``) for ``context`` (default: current).

    Headers the caller already set are kept. Returns ``headers``.
    """
    context = context if context is not None else current_context()
    if context is None:
        return headers
    if _header(headers, TRACEPARENT_HEADER) is None:
        headers[TRACEPARENT_HEADER] = context.traceparent()
    if context.correlation_id and _header(headers, CORRELATION_ID_HEADER) is None:
        headers[CORRELATION_ID_HEADER] = context.correlation_id
    return headers


def extract(headers: Mapping[str, str]) -> TraceContext | None:
    """The context carried by incoming headers; ``None`` without a valid ``traceparent``.

    The caller's span becomes the current span, so spans started here are its children.
    """
    parsed = parse_traceparent(_header(headers, TRACEPARENT_HEADER))
    if parsed is None:
        return None
    correlation = _header(headers, CORRELATION_ID_HEADER)
    return TraceContext(
        trace_id=parsed.trace_id,
        span_id=parsed.parent_id,
        flags=parsed.flags,
        correlation_id=correlation.strip() or None if correlation else None,
    )
