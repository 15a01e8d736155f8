"""Events as storage rows, and the per-trace deltas of a group of new rows.

A row is a plain dict keyed by the ``event_log`` column names, so that a whole group of
rows travels to the database as ONE JSON parameter (``json_each`` / ``json_to_recordset``
/ ``OPENJSON``): no driver parameter limits, one statement per group. ``identifiers``,
``metadata`` and ``spanLinks`` stay nested JSON values here; each dialect stores them as
JSON text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import msgspec
from eventlog_schemas import EventLogEntry, EventStatus, EventType, format_timestamp, new_span_id

Row = dict[str, Any]

EVENT_COLUMNS: Final = (
    "execution_id",
    "trace_id",
    "span_id",
    "parent_span_id",
    "span_links",
    "correlation_id",
    "account_id",
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
"""Every column the write path fills, in table order (``event_log_id`` is generated)."""

JSON_COLUMNS: Final = frozenset({"span_links", "identifiers", "metadata"})
"""Columns holding JSON text (nested values in a row)."""

TIMESTAMP_COLUMNS: Final = frozenset({"event_timestamp", "created_at"})


def new_execution_ids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as lowercase strings.

    One ``urandom`` call for all of them: ``str(uuid.uuid4())`` per event costs a third
    of building a row.
    """
    raw = os.urandom(16 * count).hex()
    return [
        f"{raw[i : i + 8]}-{raw[i + 8 : i + 12]}-4{raw[i + 13 : i + 16]}-"
        f"{_VARIANT[int(raw[i + 16], 16) & 3]}{raw[i + 17 : i + 20]}-{raw[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


_VARIANT: Final = "89ab"


def wire_timestamp(value: datetime) -> str:
    """``format_timestamp`` for a UTC datetime already at whole milliseconds (decoded
    ``eventTimestamp``), by the C ``isoformat`` (which pads years to four digits)."""
    text = value.isoformat(timespec="milliseconds")
    if text.endswith("+00:00"):
        return text[:-6] + "Z"
    return format_timestamp(value)


_encode_stamps: Final = msgspec.json.Encoder().encode
_decode_stamps: Final = msgspec.json.Decoder(list[str]).decode


def wire_timestamps(values: Sequence[datetime]) -> list[str]:
    """``wire_timestamp`` of many decoded ``eventTimestamp`` values at once.

    msgspec writes RFC 3339 in C (``...T08:00:00.006000Z``, or ``...T08:00:00Z`` at a
    whole second) a hundred times faster than ``isoformat``; at UTC and whole
    milliseconds that is the wire format once cut to three decimals. Anything else
    (never produced by decoding) goes through ``wire_timestamp``.
    """
    texts = _decode_stamps(_encode_stamps(values))
    return [
        text[:23] + "Z"
        if len(text) == 27 and text[-1] == "Z" and text.endswith("000Z")
        else text[:19] + ".000Z"
        if len(text) == 20 and text[-1] == "Z"
        else wire_timestamp(value)
        for text, value in zip(texts, values, strict=True)
    ]


_as_dict: Final = msgspec.structs.asdict


def event_rows(entries: Sequence[EventLogEntry], *, batch_id: str | None = None) -> list[Row]:
    """The storage rows of validated events, each with a fresh ``execution_id``.

    ``batch_id`` (the batch request's ``batchId``) overrides the events' own. A missing
    ``spanId`` is generated (the contract's extension). ``created_at`` is left out: the
    write path gives the whole group its commit time. The struct's fields are the column
    names, so a row is the struct as a dict (made in C) plus the server's columns; the
    enum members stay as they are (``str`` subclasses, encoded as their values).
    """
    execution_ids = new_execution_ids(len(entries))
    stamps = wire_timestamps([entry.event_timestamp for entry in entries])
    rows: list[Row] = []
    for entry, execution_id, stamp in zip(entries, execution_ids, stamps, strict=True):
        row = _as_dict(entry)
        row["execution_id"] = execution_id
        row["event_timestamp"] = stamp
        if row["span_id"] is None:
            row["span_id"] = new_span_id()
        if batch_id is not None:
            row["batch_id"] = batch_id
        rows.append(row)
    return rows


def event_row(entry: EventLogEntry, *, batch_id: str | None = None) -> Row:
    """The storage row of one validated event (see ``event_rows``)."""
    return event_rows([entry], batch_id=batch_id)[0]


INT32_MAX: Final = 2**31 - 1
INT64_MAX: Final = 2**63 - 1
_INT_LIMITS: Final = (
    ("step_sequence", "stepSequence", INT32_MAX),
    ("execution_time_ms", "executionTimeMs", INT64_MAX),
)
_TEXT_FIELDS: Final = (
    ("correlation_id", "correlationId"),
    ("account_id", "accountId"),
    ("batch_id", "batchId"),
    ("application_id", "applicationId"),
    ("target_system", "targetSystem"),
    ("originating_system", "originatingSystem"),
    ("process_name", "processName"),
    ("step_name", "stepName"),
    ("summary", "summary"),
    ("result", "result"),
    ("endpoint", "endpoint"),
    ("error_code", "errorCode"),
    ("error_message", "errorMessage"),
    ("request_payload", "requestPayload"),
    ("response_payload", "responsePayload"),
    ("idempotency_key", "idempotencyKey"),
)


def storage_problem(entry: EventLogEntry, *, check_text: bool = True) -> tuple[str, str] | None:
    """The wire field and message of a value the columns cannot hold, or ``None``.

    The contract bounds integers only from below; the columns bound them from above.
    PostgreSQL text cannot hold NUL characters and ODBC drivers cut strings at them, so
    a NUL would be lost or fail the write: both are the client's error (400), not the
    server's (500), and never a silent change.
    """
    for attr, field, limit in _INT_LIMITS:
        value = getattr(entry, attr)
        if value is not None and value > limit:
            return field, f"Expected `int` <= {limit}"
    if not check_text:
        return None
    for attr, field in _TEXT_FIELDS:
        text = getattr(entry, attr)
        if text is not None and "\x00" in text:
            return field, "Expected a string without NUL (\\u0000) characters"
    return None


@dataclass(slots=True)
class TraceDelta:
    """What one group of new rows adds to one trace's summary row."""

    trace_id: str
    first_event_at: str
    last_event_at: str
    event_count: int = 0
    success_count: int = 0
    failure_count: int = 0
    in_progress_count: int = 0
    skipped_count: int = 0
    warning_count: int = 0
    has_success_end: bool = False
    process_name: str | None = None
    process_started_at: str | None = None
    account_id: str | None = None
    account_seen_at: str | None = None

    def as_row(self, now: str) -> Row:
        """The delta as a JSON-ready row for the dialect's upsert."""
        return {
            "trace_id": self.trace_id,
            "first_event_at": self.first_event_at,
            "last_event_at": self.last_event_at,
            "event_count": self.event_count,
            "success_count": self.success_count,
            "failure_count": self.failure_count,
            "in_progress_count": self.in_progress_count,
            "skipped_count": self.skipped_count,
            "warning_count": self.warning_count,
            "has_success_end": self.has_success_end,
            "process_name": self.process_name,
            "process_started_at": self.process_started_at,
            "account_id": self.account_id,
            "account_seen_at": self.account_seen_at,
            "created_at": now,
            "updated_at": now,
        }


_STATUS_COUNTER: Final = {
    EventStatus.SUCCESS.value: "success_count",
    EventStatus.FAILURE.value: "failure_count",
    EventStatus.IN_PROGRESS.value: "in_progress_count",
    EventStatus.SKIPPED.value: "skipped_count",
    EventStatus.WARNING.value: "warning_count",
}
_START: Final = EventType.PROCESS_START.value
_END: Final = EventType.PROCESS_END.value
_SUCCESS: Final = EventStatus.SUCCESS.value


def trace_deltas(rows: Iterable[Row]) -> list[TraceDelta]:
    """Per-trace deltas of ``rows`` (rows actually inserted), sorted by trace id.

    Sorted so that concurrent writers lock summary rows in the same order. Timestamps
    are wire-format strings, which compare like the instants they name. On ties the
    earlier row wins (``<``, not ``<=``), like the upsert does.
    """
    deltas: dict[str, TraceDelta] = {}
    for row in rows:
        trace_id = row["trace_id"]
        ts = row["event_timestamp"]
        delta = deltas.get(trace_id)
        if delta is None:
            delta = deltas[trace_id] = TraceDelta(trace_id, ts, ts)
        elif ts < delta.first_event_at:
            delta.first_event_at = ts
        elif ts > delta.last_event_at:
            delta.last_event_at = ts
        delta.event_count += 1
        counter = _STATUS_COUNTER[row["event_status"]]
        setattr(delta, counter, getattr(delta, counter) + 1)
        if row["event_type"] == _END and row["event_status"] == _SUCCESS:
            delta.has_success_end = True
        if row["event_type"] == _START and (
            delta.process_started_at is None or ts < delta.process_started_at
        ):
            delta.process_started_at = ts
            delta.process_name = row["process_name"]
        account = row["account_id"]
        if account is not None and (delta.account_seen_at is None or ts < delta.account_seen_at):
            delta.account_seen_at = ts
            delta.account_id = account
    return [deltas[key] for key in sorted(deltas)]


def dedupe_keys(rows: Sequence[Row]) -> tuple[list[Row], dict[int, int]]:
    """Drop rows whose idempotency key already occurred earlier in ``rows``.

    Returns the unique rows and, for each dropped position, the position of the row that
    carries its key (its answer is that row's executionId).
    """
    seen: dict[str, int] = {}
    unique: list[Row] = []
    alias: dict[int, int] = {}
    for index, row in enumerate(rows):
        key = row["idempotency_key"]
        if key is not None:
            first = seen.get(key)
            if first is not None:
                alias[index] = first
                continue
            seen[key] = index
        unique.append(row)
    return unique, alias
