"""``ProcessLogger``: PROCESS_START / STEP / PROCESS_END / ERROR with automatic span ids."""

from __future__ import annotations

import time
import traceback
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import Token
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, Self

from eventlog_schemas import (
    EventLogEntry,
    EventStatus,
    EventType,
    HttpMethod,
    new_span_id,
    new_trace_id,
    utc_now,
)

from .context import TraceContext, current_context, reset_context, set_context
from .settings import LoggerConfig


class EventSink(Protocol):
    """What a ``ProcessLogger`` writes to: an ``AsyncEventLogger`` or a test double."""

    config: LoggerConfig

    async def log(self, event: EventLogEntry) -> bool:
        """Queue one event."""
        ...


@dataclass(kw_only=True, slots=True)
class StepHandle:
    """A step being timed by ``ProcessLogger.timed_step``; adjust it before the block ends."""

    step_name: str
    span_id: str
    step_sequence: int
    started: float
    status: EventStatus = EventStatus.SUCCESS
    summary: str | None = None
    result: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    """One-shot fields for the step's event (``endpoint``, ``http_status_code`` ...)."""


ONE_SHOT_FIELDS = frozenset(
    {
        "endpoint",
        "http_method",
        "http_status_code",
        "request_payload",
        "response_payload",
        "error_code",
        "error_message",
        "idempotency_key",
        "span_links",
        "execution_time_ms",
    }
)
"""Per-event fields a ``ProcessLogger`` method accepts as keyword arguments."""


class ProcessLogger:
    """Logs one instance of a business process: a root span and its child spans.

    The ``PROCESS_START`` event carries the root span (its parent is the span of the
    current trace context, if any, e.g. from an incoming ``traceparent``). Every other
    event (``STEP``, ``PROCESS_END``, ``ERROR``) gets its own span whose parent is the
    root. For fork–join, run parallel steps with one ``next_sequence()`` number and pass
    their span ids (each method returns its event's span id) as ``span_links`` of the
    step that waited for them.

    Sticky fields (``account_id``, ``correlation_id``, ``batch_id``, ``identifiers``,
    ``metadata``) go on every event; change them with ``bind``. One-shot fields
    (``ONE_SHOT_FIELDS``) are keyword arguments of a single call; ``identifiers`` and
    ``metadata`` given to a call are merged over the sticky ones for that event.

    ``async with logger.process(...) as proc:`` logs PROCESS_START on entry (unless
    already started) and, on exit, PROCESS_END SUCCESS, or ERROR plus PROCESS_END
    FAILURE when the block raised; it also makes the process's context current so
    outgoing calls carry its ``traceparent``.
    """

    def __init__(
        self,
        sink: EventSink,
        process_name: str,
        *,
        correlation_id: str | None = None,
        account_id: str | None = None,
        batch_id: str | None = None,
        identifiers: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        trace_id: str | None = None,
        parent_span_id: str | None = None,
        application_id: str | None = None,
        target_system: str | None = None,
        originating_system: str | None = None,
        await_completion: bool = False,
    ) -> None:
        self._sink = sink
        config = sink.config
        self.process_name = process_name
        context = current_context()
        if trace_id is None and context is not None:
            trace_id = context.trace_id
            parent_span_id = parent_span_id or context.span_id
        self.trace_id = trace_id or new_trace_id()
        self.parent_span_id = parent_span_id
        self.root_span_id = new_span_id()
        self.correlation_id = (
            correlation_id
            or (context.correlation_id if context is not None else None)
            or self.trace_id
        )
        self.account_id = account_id
        self.batch_id = batch_id
        self.identifiers: dict[str, Any] = dict(identifiers or {})
        self.metadata: dict[str, Any] | None = dict(metadata) if metadata else None
        self.application_id = application_id or config.application_id
        self.target_system = target_system or config.target_system or self.application_id
        self.originating_system = (
            originating_system or config.originating_system or self.application_id
        )
        self._sequence = 0
        self.started = False
        self.ended = False
        self.awaiting_completion = await_completion
        self._context_token: Token[TraceContext | None] | None = None

    # --- sticky fields and context ---------------------------------------------------

    def bind(
        self,
        *,
        account_id: str | None = None,
        correlation_id: str | None = None,
        batch_id: str | None = None,
        identifiers: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Self:
        """Set sticky fields for the following events (``identifiers``/``metadata`` merge)."""
        if account_id is not None:
            self.account_id = account_id
        if correlation_id is not None:
            self.correlation_id = correlation_id
        if batch_id is not None:
            self.batch_id = batch_id
        if identifiers:
            self.identifiers.update(identifiers)
        if metadata:
            self.metadata = {**(self.metadata or {}), **metadata}
        return self

    @property
    def context(self) -> TraceContext:
        """This process as a trace context: calls made from it are children of the root."""
        return TraceContext(
            trace_id=self.trace_id, span_id=self.root_span_id, correlation_id=self.correlation_id
        )

    def traceparent(self) -> str:
        """The ``traceparent`` a downstream call should carry (parent: the root span)."""
        return self.context.traceparent()

    def next_sequence(self) -> int:
        """Reserve the next ``stepSequence`` (give it to every branch of a parallel fork)."""
        self._sequence += 1
        return self._sequence

    # --- events ----------------------------------------------------------------------

    async def start(
        self,
        summary: str | None = None,
        *,
        result: str | None = None,
        await_completion: bool | None = None,
        **fields: Any,
    ) -> str:
        """Log PROCESS_START (step 0) with the root span; returns the root span id.

        ``await_completion=True`` leaves it ``IN_PROGRESS``: the process is finished later,
        maybe elsewhere (another service continues the trace and logs PROCESS_END);
        ``async with`` then does not log PROCESS_END on exit. Otherwise the start itself
        is a ``SUCCESS``. ``None`` keeps what ``logger.process(..., await_completion=)``
        said (``async with`` starts the process that way).
        """
        self.started = True
        if await_completion is not None:
            self.awaiting_completion = await_completion
        await_completion = self.awaiting_completion
        status = EventStatus.IN_PROGRESS if await_completion else EventStatus.SUCCESS
        await self._emit(
            EventType.PROCESS_START,
            status,
            span_id=self.root_span_id,
            parent_span_id=self.parent_span_id,
            step_sequence=0,
            step_name=None,
            summary=summary or f"{self.process_name} started",
            result=result or ("IN_PROGRESS" if await_completion else "STARTED"),
            fields=fields,
        )
        return self.root_span_id

    async def step(
        self,
        step_name: str,
        summary: str | None = None,
        *,
        status: EventStatus = EventStatus.SUCCESS,
        result: str | None = None,
        step_sequence: int | None = None,
        span_id: str | None = None,
        **fields: Any,
    ) -> str:
        """Log a STEP as a child span of the root; returns its span id.

        ``step_sequence`` defaults to the next number; pass the same number to parallel
        steps (``next_sequence()``) and to the retry of a step.
        """
        sequence = step_sequence if step_sequence is not None else self.next_sequence()
        span = span_id or new_span_id()
        await self._emit(
            EventType.STEP,
            status,
            span_id=span,
            parent_span_id=self.root_span_id,
            step_sequence=sequence,
            step_name=step_name,
            summary=summary or f"{self.process_name}: {step_name} {status.value.lower()}",
            result=result or status.value,
            fields=fields,
        )
        return span

    async def end(
        self,
        summary: str | None = None,
        *,
        status: EventStatus = EventStatus.SUCCESS,
        result: str | None = None,
        **fields: Any,
    ) -> str:
        """Log PROCESS_END (``SUCCESS`` or ``FAILURE``) as a child span; returns its span id."""
        self.ended = True
        span = new_span_id()
        await self._emit(
            EventType.PROCESS_END,
            status,
            span_id=span,
            parent_span_id=self.root_span_id,
            step_sequence=self.next_sequence(),
            step_name=None,
            summary=summary or f"{self.process_name} {_outcome(status)}",
            result=result or ("COMPLETED" if status is EventStatus.SUCCESS else status.value),
            fields=fields,
        )
        return span

    async def error(
        self,
        summary: str | None = None,
        *,
        exc: BaseException | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        result: str | None = None,
        step_name: str | None = None,
        **fields: Any,
    ) -> str:
        """Log an ERROR (status ``FAILURE``) as a child span; returns its span id.

        With ``exc``, ``errorCode`` defaults to the exception's class name and
        ``errorMessage`` to its text (over-long text is cut and counted by the logger).
        """
        if exc is not None:
            error_code = error_code or type(exc).__name__
            error_message = error_message or (
                str(exc) or "".join(traceback.format_exception_only(exc)).strip()
            )
        span = new_span_id()
        await self._emit(
            EventType.ERROR,
            EventStatus.FAILURE,
            span_id=span,
            parent_span_id=self.root_span_id,
            step_sequence=self.next_sequence(),
            step_name=step_name,
            summary=summary
            or f"{self.process_name} failed: {error_code or 'error'}"
            + (f": {error_message}" if error_message else ""),
            result=result or "ERROR",
            fields={**fields, "error_code": error_code, "error_message": error_message},
        )
        return span

    @asynccontextmanager
    async def timed_step(
        self, step_name: str, *, step_sequence: int | None = None, **fields: Any
    ) -> AsyncIterator[StepHandle]:
        """Time a block and log it as one STEP (``FAILURE`` with the error if it raises).

        The handle's ``span_id`` is known up front (to link or propagate); set its
        ``status``, ``summary``, ``result`` or ``fields`` inside the block.
        """
        handle = StepHandle(
            step_name=step_name,
            span_id=new_span_id(),
            step_sequence=step_sequence if step_sequence is not None else self.next_sequence(),
            started=time.perf_counter(),
            fields=dict(fields),
        )
        token: Token[TraceContext | None] | None = set_context(
            TraceContext(
                trace_id=self.trace_id, span_id=handle.span_id, correlation_id=self.correlation_id
            )
        )
        try:
            yield handle
        except BaseException as exc:
            if token is not None:
                reset_context(token)
                token = None
            handle.status = EventStatus.FAILURE
            handle.fields.setdefault("error_code", type(exc).__name__)
            handle.fields.setdefault("error_message", str(exc) or type(exc).__name__)
            await self._finish_step(handle)
            raise
        finally:
            if token is not None:
                reset_context(token)
        await self._finish_step(handle)

    async def _finish_step(self, handle: StepHandle) -> None:
        elapsed = int((time.perf_counter() - handle.started) * 1000)
        handle.fields.setdefault("execution_time_ms", elapsed)
        await self.step(
            handle.step_name,
            handle.summary,
            status=handle.status,
            result=handle.result,
            step_sequence=handle.step_sequence,
            span_id=handle.span_id,
            **handle.fields,
        )

    async def _emit(
        self,
        event_type: EventType,
        status: EventStatus,
        *,
        span_id: str,
        parent_span_id: str | None,
        step_sequence: int,
        step_name: str | None,
        summary: str,
        result: str,
        fields: Mapping[str, Any],
    ) -> None:
        unknown = set(fields) - ONE_SHOT_FIELDS - {"identifiers", "metadata"}
        if unknown:
            raise TypeError(f"unknown event field(s): {sorted(unknown)}")
        identifiers = self.identifiers
        if fields.get("identifiers"):
            identifiers = {**identifiers, **fields["identifiers"]}
        metadata = self.metadata
        if fields.get("metadata"):
            metadata = {**(metadata or {}), **fields["metadata"]}
        links: Sequence[str] | None = fields.get("span_links")
        method = fields.get("http_method")
        event = EventLogEntry(
            trace_id=self.trace_id,
            correlation_id=self.correlation_id,
            account_id=self.account_id,
            span_id=span_id,
            parent_span_id=parent_span_id,
            span_links=list(links) if links else None,
            batch_id=self.batch_id,
            application_id=self.application_id,
            target_system=self.target_system,
            originating_system=self.originating_system,
            process_name=self.process_name,
            step_sequence=step_sequence,
            step_name=step_name,
            event_type=event_type,
            event_status=status,
            identifiers=dict(identifiers),
            summary=summary,
            result=result,
            metadata=dict(metadata) if metadata else None,
            event_timestamp=utc_now(),
            execution_time_ms=fields.get("execution_time_ms"),
            endpoint=fields.get("endpoint"),
            http_method=HttpMethod(method.upper()) if isinstance(method, str) else method,
            http_status_code=fields.get("http_status_code"),
            error_code=fields.get("error_code"),
            error_message=fields.get("error_message"),
            request_payload=fields.get("request_payload"),
            response_payload=fields.get("response_payload"),
            idempotency_key=fields.get("idempotency_key"),
        )
        await self._sink.log(event)

    # --- async with ------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._context_token = set_context(self.context)
        if not self.started:
            await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        token, self._context_token = self._context_token, None
        if token is not None:
            reset_context(token)
        if exc is not None:
            await self.error(exc=exc)
            if not self.ended:
                await self.end(status=EventStatus.FAILURE)
        elif not self.ended and not self.awaiting_completion:
            await self.end()


def _outcome(status: EventStatus) -> str:
    return "completed" if status is EventStatus.SUCCESS else f"ended with {status.value}"
