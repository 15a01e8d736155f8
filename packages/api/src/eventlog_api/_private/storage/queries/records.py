"""Stored event rows as ``EventLogRecord``: the column list and the conversion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import msgspec
from eventlog_schemas import EventLogRecord, EventStatus, EventType, HttpMethod

from eventlog_api._private.storage.values import to_wire_timestamp

RECORD_COLUMNS: Final = (
    "event_log_id",
    "execution_id",
    "trace_id",
    "correlation_id",
    "account_id",
    "span_id",
    "parent_span_id",
    "span_links",
    "batch_id",
    "application_id",
    "target_system",
    "originating_system",
    "process_name",
    "step_sequence",
    "step_name",
    "event_type",
    "event_status",
    "identifiers",
    "summary",
    "result",
    "metadata",
    "event_timestamp",
    "execution_time_ms",
    "endpoint",
    "http_method",
    "http_status_code",
    "error_code",
    "error_message",
    "request_payload",
    "response_payload",
    "idempotency_key",
    "created_at",
)


def record_columns(alias: str = "e") -> str:
    """The select list of an event record, every column prefixed by ``alias``."""
    return ", ".join(f"{alias}.{column}" for column in RECORD_COLUMNS)


_json_object = msgspec.json.Decoder(dict[str, Any] | None)
_json_links = msgspec.json.Decoder(list[str] | None)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def to_record(row: Sequence[Any]) -> EventLogRecord:
    """One row selected with ``record_columns`` as the wire record."""
    span_links = row[7]
    metadata = row[20]
    http_method = row[24]
    return EventLogRecord(
        event_log_id=int(row[0]),
        execution_id=row[1],
        trace_id=row[2],
        correlation_id=row[3],
        account_id=row[4],
        span_id=row[5],
        parent_span_id=row[6],
        span_links=_json_links.decode(span_links) if span_links else None,
        batch_id=row[8],
        application_id=row[9],
        target_system=row[10],
        originating_system=row[11],
        process_name=row[12],
        step_sequence=_int(row[13]),
        step_name=row[14],
        event_type=EventType(row[15]),
        event_status=EventStatus(row[16]),
        identifiers=(_json_object.decode(row[17]) if row[17] else None) or {},
        summary=row[18],
        result=row[19],
        metadata=_json_object.decode(metadata) if metadata else None,
        event_timestamp=to_wire_timestamp(row[21]) or "",
        execution_time_ms=_int(row[22]),
        endpoint=row[23],
        http_method=HttpMethod(http_method) if http_method else None,
        http_status_code=_int(row[25]),
        error_code=row[26],
        error_message=row[27],
        request_payload=row[28],
        response_payload=row[29],
        idempotency_key=row[30],
        created_at=to_wire_timestamp(row[31]) or "",
    )
