"""The event: as a client sends it and as the server reads it back."""

from __future__ import annotations

from typing import Annotated

import msgspec

from .base import AwareDatetime, JsonObject, NonNegativeInt, UtcTimestamp, WireRequest
from .enums import EventStatus, EventType, HttpMethod
from .ids import NO_PARENT_SPAN_ID, PARENT_SPAN_ID_PATTERN, SPAN_ID_PATTERN, TRACE_ID_PATTERN
from .timestamps import to_utc_millis

TraceId = Annotated[
    str, msgspec.Meta(pattern=TRACE_ID_PATTERN, description="32 lowercase hex, not all zeros")
]
SpanId = Annotated[
    str, msgspec.Meta(pattern=SPAN_ID_PATTERN, description="16 lowercase hex, not all zeros")
]
ParentSpanId = Annotated[
    str,
    msgspec.Meta(
        pattern=PARENT_SPAN_ID_PATTERN,
        description="16 lowercase hex; 0000000000000000 means no parent and is stored as null",
    ),
]
CorrelationId = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
AccountId = Annotated[str, msgspec.Meta(max_length=64)]
BatchId = Annotated[str, msgspec.Meta(max_length=200)]
SystemName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ProcessName = Annotated[str, msgspec.Meta(min_length=1, max_length=510)]
StepName = Annotated[str, msgspec.Meta(max_length=510)]
Summary = Annotated[str, msgspec.Meta(min_length=1)]
Result = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
Endpoint = Annotated[str, msgspec.Meta(max_length=510)]
HttpStatusCode = Annotated[int, msgspec.Meta(ge=100, le=599)]
ErrorCode = Annotated[str, msgspec.Meta(max_length=100)]
ErrorMessage = Annotated[str, msgspec.Meta(max_length=2048)]
IdempotencyKey = Annotated[str, msgspec.Meta(max_length=128)]


class EventLogEntry(WireRequest, frozen=True, kw_only=True):
    """One business event as a client sends it (``POST /v1/events``, batch entries).

    Decoding normalises it: ``eventTimestamp`` becomes UTC at millisecond precision and
    a ``parentSpanId`` of sixteen zeros becomes ``None``.
    """

    trace_id: TraceId
    correlation_id: CorrelationId
    application_id: SystemName
    target_system: SystemName
    originating_system: SystemName
    process_name: ProcessName
    event_type: EventType
    event_status: EventStatus
    identifiers: JsonObject
    summary: Summary
    result: Result
    event_timestamp: AwareDatetime
    account_id: AccountId | None = None
    span_id: SpanId | None = None
    parent_span_id: ParentSpanId | None = None
    span_links: list[SpanId] | None = None
    batch_id: BatchId | None = None
    step_sequence: NonNegativeInt | None = None
    step_name: StepName | None = None
    metadata: JsonObject | None = None
    execution_time_ms: NonNegativeInt | None = None
    endpoint: Endpoint | None = None
    http_method: HttpMethod | None = None
    http_status_code: HttpStatusCode | None = None
    error_code: ErrorCode | None = None
    error_message: ErrorMessage | None = None
    request_payload: str | None = None
    response_payload: str | None = None
    idempotency_key: IdempotencyKey | None = None

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(self, "event_timestamp", to_utc_millis(self.event_timestamp))
        if self.parent_span_id == NO_PARENT_SPAN_ID:
            msgspec.structs.force_setattr(self, "parent_span_id", None)


class EventLogRecord(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One stored event as the server returns it, with the server-added fields."""

    event_log_id: int
    execution_id: str
    trace_id: str
    correlation_id: str
    account_id: str | None
    span_id: str
    parent_span_id: str | None
    span_links: list[str] | None
    batch_id: str | None
    application_id: str
    target_system: str
    originating_system: str
    process_name: str
    step_sequence: int | None
    step_name: str | None
    event_type: EventType
    event_status: EventStatus
    identifiers: JsonObject
    summary: str
    result: str
    metadata: JsonObject | None
    event_timestamp: UtcTimestamp
    execution_time_ms: int | None
    endpoint: str | None
    http_method: HttpMethod | None
    http_status_code: int | None
    error_code: str | None
    error_message: str | None
    request_payload: str | None
    response_payload: str | None
    idempotency_key: str | None
    created_at: UtcTimestamp
    is_deleted: bool = False
