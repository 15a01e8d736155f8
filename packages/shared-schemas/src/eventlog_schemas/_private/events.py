"""The event: as a client sends it and as the server reads it back."""

from __future__ import annotations

import re
from datetime import UTC
from typing import Annotated, Final

import msgspec

from .base import AwareDatetime, JsonObject, NonNegativeInt, UtcTimestamp, WireRequest
from .enums import EventStatus, EventType, HttpMethod
from .ids import (
    NO_PARENT_SPAN_ID,
    NO_TRACE_ID,
    PARENT_SPAN_ID_PATTERN,
    PARENT_SPAN_ID_RULE,
    SPAN_ID_PATTERN,
    SPAN_ID_RULE,
    TRACE_ID_PATTERN,
    TRACE_ID_RULE,
    is_span_id,
    is_trace_id,
)
from .timestamps import to_utc_millis
from .validation import field_error

# msgspec checks the ids' lengths in C; their alphabet is checked in __post_init__ in one
# pass over all ids of the event, because a msgspec `pattern` costs one Python regex call
# per id and decoding with validation has to beat json.loads (bench/schemas.py).
# The patterns stay in msgspec's JSON schema; the description says the rule everywhere.
TraceId = Annotated[
    str,
    msgspec.Meta(
        min_length=32,
        max_length=32,
        extra_json_schema={"pattern": TRACE_ID_PATTERN},
        description="32 lowercase hex, not all zeros",
    ),
]
SpanId = Annotated[
    str,
    msgspec.Meta(
        min_length=16,
        max_length=16,
        extra_json_schema={"pattern": SPAN_ID_PATTERN},
        description="16 lowercase hex, not all zeros",
    ),
]
ParentSpanId = Annotated[
    str,
    msgspec.Meta(
        min_length=16,
        max_length=16,
        extra_json_schema={"pattern": PARENT_SPAN_ID_PATTERN},
        description="16 lowercase hex; 0000000000000000 means no parent and is stored as null",
    ),
]
_LOWER_HEX_BYTES: Final = b"0123456789abcdef"
_PARENT_SPAN_ID_RE: Final = re.compile(PARENT_SPAN_ID_PATTERN)
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
        timestamp = self.event_timestamp
        # UTC at whole milliseconds (what the SDK sends) needs no conversion.
        if timestamp.tzinfo is not UTC or timestamp.microsecond % 1000:
            try:
                timestamp = to_utc_millis(timestamp)
            except ValueError as exc:
                raise field_error("eventTimestamp", str(exc)) from None
            msgspec.structs.force_setattr(self, "event_timestamp", timestamp)
        span_id, parent_span_id, span_links = self.span_id, self.parent_span_id, self.span_links
        ids = self.trace_id + (span_id or "") + (parent_span_id or "")
        if span_links:
            ids += "".join(span_links)
        # Decoding has checked each id's length already, so "nothing but lowercase hex
        # over all of them" is as good as a pattern per id (deleting the hex bytes is
        # cheaper than a regex).
        if (
            ids.encode().translate(None, _LOWER_HEX_BYTES)
            or self.trace_id == NO_TRACE_ID
            or span_id == NO_PARENT_SPAN_ID
            or (span_links and NO_PARENT_SPAN_ID in span_links)
        ):
            raise self._id_error()
        if parent_span_id == NO_PARENT_SPAN_ID:
            msgspec.structs.force_setattr(self, "parent_span_id", None)

    def _id_error(self) -> ValueError:
        """The first invalid id, by field (the slow path: only once the fast check failed)."""
        if not is_trace_id(self.trace_id):
            return field_error("traceId", TRACE_ID_RULE)
        if self.span_id is not None and not is_span_id(self.span_id):
            return field_error("spanId", SPAN_ID_RULE)
        if self.parent_span_id is not None and not _PARENT_SPAN_ID_RE.fullmatch(
            self.parent_span_id
        ):
            return field_error("parentSpanId", PARENT_SPAN_ID_RULE)
        for index, link in enumerate(self.span_links or ()):
            if not is_span_id(link):
                return field_error(f"spanLinks.{index}", SPAN_ID_RULE)
        # Unreachable: an id that fails the fast check fails its own pattern above.
        return field_error("traceId", TRACE_ID_RULE)  # pragma: no cover


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
