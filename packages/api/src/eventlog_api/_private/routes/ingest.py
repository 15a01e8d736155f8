"""``POST /v1/events`` and ``POST /v1/events/batch``.

Bodies are decoded once, with cached msgspec decoders. A batch decodes first as an
envelope whose events stay raw JSON, then entry by entry, so that an invalid entry
becomes an ``errors`` item (``retryable: false``, with its field path such as
``events.3.traceId``) while the valid ones are stored.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

import msgspec
from eventlog_schemas import (
    BatchError,
    BatchRequest,
    BatchResponse,
    CreateEventResponse,
    EventLogEntry,
    decode_batch,
    decode_event,
    validation_details,
)
from litestar import Request, Response, post

from eventlog_api._private.body import read_json_body
from eventlog_api._private.errors import invalid_body, validation_failed
from eventlog_api._private.logging import TRACE_ID_KEY
from eventlog_api._private.openapi import body_schema, error_responses
from eventlog_api._private.storage.rows import event_row, event_rows, storage_problem

from .common import json_response, settings_of, storage_of


class _BatchEnvelope(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A batch body with its entries left undecoded (each is decoded on its own)."""

    events: Annotated[list[msgspec.Raw], msgspec.Meta(min_length=1)]
    batch_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None


_ENVELOPE_DECODER: Final = msgspec.json.Decoder(_BatchEnvelope)


_NUL_ESCAPE: Final = b"\\u0000"


def _entry_error(entry: EventLogEntry, may_hold_nul: bool) -> msgspec.ValidationError | None:
    # JSON can carry a NUL only as the escape \u0000: a body without one needs no text scan.
    problem = storage_problem(entry, check_text=may_hold_nul)
    if problem is None:
        return None
    field, message = problem
    return msgspec.ValidationError(f"{message} - at `$.{field}`")


@post(
    ["/v1/events"],
    status_code=201,
    summary="Record one event",
    tags=["ingestion"],
    description=(
        "Body: one EventLogEntry (flat). A repeated idempotencyKey stores nothing and "
        "returns the original executionId."
    ),
    dependencies=body_schema(EventLogEntry),
    responses=error_responses(400, 413, 415, 500, 503),
)
async def create_event(request: Request[Any, Any, Any]) -> Response[CreateEventResponse]:
    """Store one event."""
    settings = settings_of(request)
    body = await read_json_body(request, settings.max_body_bytes)
    try:
        entry = decode_event(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise invalid_body(exc) from None
    range_error = _entry_error(entry, _NUL_ESCAPE in body)
    if range_error is not None:
        raise validation_failed(
            "The request body failed validation.", validation_details(range_error)
        )
    state = request.scope.get("state")
    if isinstance(state, dict) and TRACE_ID_KEY not in state:
        state[TRACE_ID_KEY] = entry.trace_id
    execution_ids = await storage_of(request).insert_events([event_row(entry)])
    return json_response(
        CreateEventResponse(
            success=True, execution_ids=execution_ids, correlation_id=entry.correlation_id
        ),
        status_code=201,
    )


def _batch_error(index: int, exc: msgspec.ValidationError | msgspec.DecodeError) -> BatchError:
    detail = validation_details(exc, prefix=f"events.{index}")[0]
    return BatchError(index=index, error=f"{detail.field}: {detail.message}", retryable=False)


def _decode_batch(
    body: bytes,
) -> tuple[str | None, list[EventLogEntry | None], list[BatchError]]:
    """The batchId, the entries (``None`` where invalid) and the errors of the invalid ones.

    A batch whose every entry is valid (the usual case) decodes in one call; otherwise
    the envelope decodes with raw entries and each entry on its own, so that one bad
    entry is reported at its index while the rest are kept. A body that is not
    ``{"events": [...]}`` with at least one element is a 400.
    """
    try:
        whole = decode_batch(body)
    except (msgspec.ValidationError, msgspec.DecodeError):
        pass
    else:
        return whole.batch_id, list(whole.events), []
    try:
        envelope = _ENVELOPE_DECODER.decode(body)
    except msgspec.ValidationError as exc:
        raise validation_failed(
            'The request body must be {"events": [...]} with at least one event.',
            validation_details(exc),
        ) from None
    except msgspec.DecodeError as exc:
        raise invalid_body(exc) from None
    entries: list[EventLogEntry | None] = []
    errors: list[BatchError] = []
    for index, raw in enumerate(envelope.events):
        try:
            entries.append(decode_event(raw))
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            entries.append(None)
            errors.append(_batch_error(index, exc))
    return envelope.batch_id, entries, errors


@post(
    ["/v1/events/batch"],
    status_code=201,
    summary="Record a batch of events",
    tags=["ingestion"],
    description=(
        "Body: BatchRequest. Valid entries are stored even when others fail validation; "
        "failures are listed in `errors` by index with `retryable`."
    ),
    dependencies=body_schema(BatchRequest),
    responses=error_responses(400, 413, 415, 500, 503),
)
async def create_batch(request: Request[Any, Any, Any]) -> Response[BatchResponse]:
    """Store a batch with per-entry validation and partial success."""
    settings = settings_of(request)
    body = await read_json_body(request, settings.max_body_bytes)
    batch_id, entries, errors = _decode_batch(body)
    valid: list[EventLogEntry] = []
    correlation_ids: dict[str, None] = {}
    may_hold_nul = _NUL_ESCAPE in body
    for index, entry in enumerate(entries):
        if entry is None:
            continue
        range_error = _entry_error(entry, may_hold_nul)
        if range_error is not None:
            errors.append(_batch_error(index, range_error))
            continue
        valid.append(entry)
        correlation_ids.setdefault(entry.correlation_id, None)
    errors.sort(key=lambda error: error.index)
    execution_ids = (
        await storage_of(request).insert_events(event_rows(valid, batch_id=batch_id))
        if valid
        else []
    )
    return json_response(
        BatchResponse(
            success=not errors,
            total_received=len(entries),
            total_inserted=len(execution_ids),
            execution_ids=execution_ids,
            correlation_ids=list(correlation_ids),
            batch_id=batch_id,
            errors=errors or None,
        ),
        status_code=201,
    )


ROUTES = [create_event, create_batch]
