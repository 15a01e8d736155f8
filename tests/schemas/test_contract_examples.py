"""Every body of the wire contract (shared/contract/API.md) round-trips through the structs.

The examples are JSON text written from the contract's tables: decoding and re-encoding
must give the same JSON back, so a struct that lacks a contract field, adds one, renames
one or changes its null-ness fails here. Request bodies carry input timestamps, which
are compared as instants (the encoder writes ``...00Z`` for ``...00.000Z``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from eventlog_schemas import (
    AccountEventsResponse,
    AccountSummaryResponse,
    BatchEventsResponse,
    BatchRequest,
    BatchResponse,
    BatchSummaryResponse,
    ClearRequest,
    CorrelationEventsResponse,
    CorrelationLink,
    CorrelationLinkCreated,
    CorrelationLinkRequest,
    CreateEventResponse,
    CreateProcessRequest,
    DashboardStats,
    ErrorResponse,
    EventLogEntry,
    EventLogRecord,
    EventStatus,
    EventType,
    HealthResponse,
    HttpMethod,
    LookupRequest,
    LookupResponse,
    ProcessDefinition,
    ProcessListResponse,
    ReadinessResponse,
    TextSearchRequest,
    TextSearchResponse,
    TraceEventsResponse,
    TraceListResponse,
    UpdateProcessRequest,
    VersionResponse,
    decode,
    decode_batch,
    decode_event,
    encode,
    parse_timestamp,
    validation_details,
)

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
EXECUTION_ID = "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b"

# POST /v1/events: every field of the EventLogEntry table.
EVENT_FULL = """{
  "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
  "correlationId": "order-2026-000417",
  "accountId": "ACC-88213",
  "spanId": "00f067aa0ba902b7",
  "parentSpanId": "53995c3f42cd8ad8",
  "spanLinks": ["b7ad6b7169203331", "e457b5a2e4d86bd1"],
  "batchId": "batch-20260226-orders-k3j9x2",
  "applicationId": "order-service",
  "targetSystem": "payment-gateway",
  "originatingSystem": "web-shop",
  "processName": "ORDER_FULFILMENT",
  "stepSequence": 3,
  "stepName": "Authorise payment",
  "eventType": "STEP",
  "eventStatus": "SUCCESS",
  "identifiers": {"orderId": "o-417", "cartId": "c-9", "amountCents": 4200},
  "summary": "Payment of 42.00 EUR authorised for order o-417",
  "result": "AUTHORISED",
  "metadata": {"gateway": "adyen", "attempt": 1, "tags": ["eu", "card"], "risk": null},
  "eventTimestamp": "2026-02-26T14:30:00.123Z",
  "executionTimeMs": 187,
  "endpoint": "/v2/payments/authorise",
  "httpMethod": "POST",
  "httpStatusCode": 201,
  "errorCode": "NONE",
  "errorMessage": "",
  "requestPayload": "{\\"amount\\": 4200, \\"currency\\": \\"EUR\\"}",
  "responsePayload": "{\\"status\\": \\"AUTHORISED\\"}",
  "idempotencyKey": "order-2026-000417:authorise:1"
}"""

# Only the required fields.
EVENT_MINIMAL = """{
  "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
  "correlationId": "order-2026-000417",
  "applicationId": "order-service",
  "targetSystem": "order-service",
  "originatingSystem": "web-shop",
  "processName": "ORDER_FULFILMENT",
  "eventType": "PROCESS_START",
  "eventStatus": "IN_PROGRESS",
  "identifiers": {},
  "summary": "Order o-417 received from the web shop",
  "result": "RECEIVED",
  "eventTimestamp": "2026-02-26T14:29:59.000Z"
}"""

# An event as read back: every field, nulls included, plus the server-added ones.
RECORD = """{
  "eventLogId": 1042,
  "executionId": "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
  "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
  "correlationId": "order-2026-000417",
  "accountId": "ACC-88213",
  "spanId": "00f067aa0ba902b7",
  "parentSpanId": null,
  "spanLinks": null,
  "batchId": null,
  "applicationId": "order-service",
  "targetSystem": "payment-gateway",
  "originatingSystem": "web-shop",
  "processName": "ORDER_FULFILMENT",
  "stepSequence": 3,
  "stepName": "Authorise payment",
  "eventType": "STEP",
  "eventStatus": "FAILURE",
  "identifiers": {"orderId": "o-417"},
  "summary": "Payment for order o-417 was declined by the issuer",
  "result": "DECLINED",
  "metadata": null,
  "eventTimestamp": "2026-02-26T14:30:00.123Z",
  "executionTimeMs": 187,
  "endpoint": "/v2/payments/authorise",
  "httpMethod": "POST",
  "httpStatusCode": 402,
  "errorCode": "CARD_DECLINED",
  "errorMessage": "Issuer declined: insufficient funds",
  "requestPayload": null,
  "responsePayload": null,
  "idempotencyKey": null,
  "createdAt": "2026-02-26T14:30:00.456Z",
  "isDeleted": false
}"""

PROCESS = """{
  "processId": 7, "processName": "ORDER_FULFILMENT", "displayName": "Order fulfilment",
  "description": "From order received to parcel handed to the carrier",
  "owningTeam": "Checkout", "expectedSteps": 6, "slaMs": 300000, "isActive": true,
  "createdAt": "2026-01-05T09:00:00.000Z", "updatedAt": "2026-02-01T10:15:30.250Z"
}"""

# (struct, example) for every body whose timestamps are already wire strings.
EXACT_EXAMPLES: list[tuple[type[Any], str]] = [
    (HealthResponse, '{"status": "ok"}'),
    (
        ReadinessResponse,
        '{"status": "ready", "database": "connected", "timestamp": "2026-02-26T14:30:00.000Z"}',
    ),
    (
        ReadinessResponse,
        '{"status": "not_ready", "database": "error",'
        ' "error": "database did not answer within 3 s", "timestamp": "2026-02-26T14:30:03.001Z"}',
    ),
    (VersionResponse, '{"version": "0.1.0"}'),
    (
        CreateEventResponse,
        f'{{"success": true, "executionIds": ["{EXECUTION_ID}"],'
        ' "correlationId": "order-2026-000417"}',
    ),
    (
        BatchResponse,
        """{"success": false, "totalReceived": 3, "totalInserted": 2,
            "executionIds": ["3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
                             "7a1d0c55-2f3e-4b8a-9c6d-0e1f2a3b4c5d"],
            "correlationIds": ["order-2026-000417"],
            "batchId": "batch-20260226-orders-k3j9x2",
            "errors": [{"index": 1, "error": "traceId: Expected a W3C trace id",
                        "retryable": false}]}""",
    ),
    (
        BatchResponse,
        """{"success": true, "totalReceived": 1, "totalInserted": 1,
            "executionIds": ["3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b"],
            "correlationIds": ["order-2026-000417"]}""",
    ),
    (EventLogRecord, RECORD),
    (
        TraceEventsResponse,
        f"""{{"traceId": "{TRACE}", "events": [{RECORD}], "totalCount": 5, "page": 1,
            "pageSize": 200, "hasMore": false,
            "systemsInvolved": ["order-service", "payment-gateway"], "totalDurationMs": 1520,
            "statusCounts": {{"success": 3, "failure": 1, "inProgress": 1, "skipped": 0,
                              "warning": 0}},
            "processName": "ORDER_FULFILMENT", "accountId": "ACC-88213",
            "startTime": "2026-02-26T14:29:59.000Z", "endTime": "2026-02-26T14:30:00.520Z"}}""",
    ),
    (
        # An unknown trace: 200 with no events and null aggregates.
        TraceEventsResponse,
        f"""{{"traceId": "{TRACE}", "events": [], "totalCount": 0, "page": 1,
            "pageSize": 200, "hasMore": false, "systemsInvolved": null,
            "totalDurationMs": null, "statusCounts": null, "processName": null,
            "accountId": null, "startTime": null, "endTime": null}}""",
    ),
    (
        CorrelationEventsResponse,
        f"""{{"correlationId": "order-2026-000417", "accountId": "ACC-88213", "isLinked": true,
            "events": [{RECORD}], "totalCount": 1, "page": 1, "pageSize": 200,
            "hasMore": false}}""",
    ),
    (
        CorrelationEventsResponse,
        """{"correlationId": "unknown", "accountId": null, "isLinked": false, "events": [],
            "totalCount": 0, "page": 1, "pageSize": 200, "hasMore": false}""",
    ),
    (
        AccountEventsResponse,
        f"""{{"accountId": "ACC-88213", "events": [{RECORD}, {RECORD}], "totalCount": 41,
            "page": 2, "pageSize": 2, "hasMore": true}}""",
    ),
    (
        AccountSummaryResponse,
        f"""{{"summary": {{"accountId": "ACC-88213",
                "firstEventAt": "2026-01-02T08:00:00.000Z",
                "lastEventAt": "2026-02-26T14:30:00.123Z", "totalEvents": 41,
                "totalProcesses": 9, "errorCount": 2, "lastProcess": "ORDER_FULFILMENT",
                "systemsTouched": ["order-service", "payment-gateway"],
                "correlationIds": ["order-2026-000417", "order-2026-000388"],
                "updatedAt": "2026-02-26T14:30:00.456Z"}},
            "recentEvents": [{RECORD}], "recentErrors": [{RECORD}]}}""",
    ),
    (
        BatchEventsResponse,
        f"""{{"batchId": "batch-20260226-orders-k3j9x2", "events": [{RECORD}],
            "totalCount": 12, "uniqueCorrelationIds": 4, "successCount": 3, "failureCount": 1,
            "page": 1, "pageSize": 20, "hasMore": false}}""",
    ),
    (
        BatchSummaryResponse,
        """{"batchId": "batch-20260226-orders-k3j9x2", "totalProcesses": 4, "completed": 2,
            "inProgress": 1, "failed": 1,
            "correlationIds": ["order-1", "order-2", "order-3", "order-4"],
            "startedAt": "2026-02-26T14:00:00.000Z", "lastEventAt": "2026-02-26T14:31:07.009Z"}""",
    ),
    (
        # An empty batch: zeros and nulls, 200.
        BatchSummaryResponse,
        """{"batchId": "nothing-here", "totalProcesses": 0, "completed": 0, "inProgress": 0,
            "failed": 0, "correlationIds": [], "startedAt": null, "lastEventAt": null}""",
    ),
    (
        TextSearchResponse,
        f"""{{"query": "payment declin", "events": [{RECORD}], "totalCount": 1, "page": 1,
            "pageSize": 20}}""",
    ),
    (
        LookupResponse,
        f"""{{"events": [{RECORD}], "totalCount": 1, "page": 1, "pageSize": 20,
            "hasMore": false}}""",
    ),
    (
        TraceListResponse,
        f"""{{"traces": [
            {{"traceId": "{TRACE}", "eventCount": 5, "hasErrors": true,
              "latestStatus": "FAILURE", "durationMs": 1520, "processName": "ORDER_FULFILMENT",
              "accountId": "ACC-88213", "startTime": "2026-02-26T14:29:59.000Z",
              "endTime": "2026-02-26T14:30:00.520Z", "slaMs": 1000, "slaBreached": true}},
            {{"traceId": "0af7651916cd43dd8448eb211c80319c", "eventCount": 1,
              "hasErrors": false, "latestStatus": "IN_PROGRESS", "durationMs": 0,
              "processName": null, "accountId": null,
              "startTime": "2026-02-26T14:00:00.000Z", "endTime": "2026-02-26T14:00:00.000Z"}}],
            "totalCount": 2, "page": 1, "pageSize": 20, "hasMore": false}}""",
    ),
    (
        DashboardStats,
        """{"totalTraces": 1200, "totalAccounts": 311, "totalEvents": 8412, "successRate": 97.42,
            "systemNames": ["order-service", "payment-gateway", "warehouse"]}""",
    ),
    (
        DashboardStats,
        '{"totalTraces": 0, "totalAccounts": 0, "totalEvents": 0, "successRate": 100.0,'
        ' "systemNames": []}',
    ),
    (
        CorrelationLinkRequest,
        """{"correlationId": "order-2026-000417", "accountId": "ACC-88213",
            "applicationId": "APP-5521", "customerId": "CUST-19", "cardNumberLast4": "4242"}""",
    ),
    (
        CorrelationLinkRequest,
        '{"correlationId": "order-2026-000417", "accountId": "ACC-88213"}',
    ),
    (
        CorrelationLinkCreated,
        """{"success": true, "correlationId": "order-2026-000417", "accountId": "ACC-88213",
            "linkedAt": "2026-02-26T15:00:00.000Z"}""",
    ),
    (
        CorrelationLink,
        """{"correlationId": "order-2026-000417", "accountId": "ACC-88213",
            "applicationId": null, "customerId": "CUST-19", "cardNumberLast4": "4242",
            "linkedAt": "2026-02-26T15:00:00.000Z"}""",
    ),
    (ProcessDefinition, PROCESS),
    (ProcessListResponse, f'{{"processes": [{PROCESS}]}}'),
    (ProcessListResponse, '{"processes": []}'),
    (
        CreateProcessRequest,
        """{"processName": "ORDER_FULFILMENT", "displayName": "Order fulfilment",
            "description": "From order received to parcel handed to the carrier",
            "owningTeam": "Checkout", "expectedSteps": 6, "slaMs": 300000}""",
    ),
    (
        CreateProcessRequest,
        """{"processName": "REFUND", "displayName": "Refund", "description": "Money back",
            "owningTeam": "Payments"}""",
    ),
    (UpdateProcessRequest, '{"isActive": false}'),
    (UpdateProcessRequest, '{"displayName": "Order fulfilment v2", "slaMs": null}'),
    (ClearRequest, '{"confirm": true}'),
    (
        ErrorResponse,
        """{"error": "Validation Error", "message": "The request body is invalid",
            "details": [{"field": "events.3.traceId",
                         "message": "Expected a W3C trace id: 32 lowercase hex characters"}]}""",
    ),
    (ErrorResponse, '{"error": "NOT_FOUND", "message": "No process named REFUND"}'),
    (ErrorResponse, '{"error": "CONFLICT", "message": "processName REFUND already exists"}'),
    (ErrorResponse, '{"error": "Payload Too Large", "message": "Body exceeds 1048576 bytes"}'),
    (
        ErrorResponse,
        '{"error": "Unsupported Media Type", "message": "Send application/json"}',
    ),
    (ErrorResponse, '{"error": "UNAUTHORIZED", "message": "Missing API key"}'),
    (ErrorResponse, '{"error": "FORBIDDEN", "message": "The key lacks the admin scope"}'),
    (ErrorResponse, '{"error": "RATE_LIMITED", "message": "Slow down"}'),
    (ErrorResponse, '{"error": "UNAVAILABLE", "message": "Overloaded, retry later"}'),
    (ErrorResponse, '{"error": "Internal Server Error", "message": "Something went wrong"}'),
]


def _ids(example: tuple[type[Any], str]) -> str:
    return example[0].__name__


@pytest.mark.parametrize("example", EXACT_EXAMPLES, ids=[_ids(e) for e in EXACT_EXAMPLES])
def test_contract_example_round_trips_exactly(example: tuple[type[Any], str]) -> None:
    struct_type, text = example
    value = decode(text, struct_type)
    assert json.loads(encode(value)) == json.loads(text)
    assert decode(encode(value), struct_type) == value


_INPUT_TIMESTAMPS = {"eventTimestamp", "startDate", "endDate"}


def _instants(value: Any) -> Any:
    """``value`` with every input timestamp replaced by the instant it names."""
    if isinstance(value, dict):
        return {
            key: parse_timestamp(item) if key in _INPUT_TIMESTAMPS else _instants(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_instants(item) for item in value]
    return value


def _assert_round_trips(struct_type: type[Any], text: str) -> Any:
    value = decode(text, struct_type)
    assert _instants(json.loads(encode(value))) == _instants(json.loads(text))
    assert decode(encode(value), struct_type) == value
    return value


def test_full_event_round_trips_with_every_field() -> None:
    event = _assert_round_trips(EventLogEntry, EVENT_FULL)
    assert event.event_type is EventType.STEP
    assert event.event_status is EventStatus.SUCCESS
    assert event.http_method is HttpMethod.POST
    assert event.event_timestamp == datetime(2026, 2, 26, 14, 30, 0, 123000, tzinfo=UTC)
    assert event.span_links == ["b7ad6b7169203331", "e457b5a2e4d86bd1"]
    assert event.request_payload == '{"amount": 4200, "currency": "EUR"}'
    assert event.error_message == ""


def test_minimal_event_round_trips_and_absent_optionals_stay_absent() -> None:
    event = _assert_round_trips(EventLogEntry, EVENT_MINIMAL)
    assert event.account_id is None
    assert event.span_id is None
    assert set(json.loads(encode(event))) == set(json.loads(EVENT_MINIMAL))


def test_batch_request_round_trips() -> None:
    text = f'{{"events": [{EVENT_FULL}, {EVENT_MINIMAL}], "batchId": "nightly-import-7"}}'
    batch = _assert_round_trips(BatchRequest, text)
    assert batch == decode_batch(text)
    assert [e.correlation_id for e in batch.events] == ["order-2026-000417"] * 2
    assert batch.batch_id == "nightly-import-7"


def test_search_and_lookup_requests_round_trip() -> None:
    search = _assert_round_trips(
        TextSearchRequest,
        """{"query": "payment declin", "accountId": "ACC-88213",
            "processName": "ORDER_FULFILMENT", "startDate": "2026-02-01T00:00:00.000Z",
            "endDate": "2026-02-26T23:59:59.999+01:00", "page": 2, "pageSize": 50}""",
    )
    assert search.page_size == 50
    lookup = _assert_round_trips(
        LookupRequest,
        """{"accountId": "ACC-88213", "processName": "ORDER_FULFILMENT",
            "eventStatus": "FAILURE", "startDate": "2026-02-01T00:00:00Z",
            "endDate": "2026-02-26T00:00:00Z", "page": 3, "pageSize": 100}""",
    )
    assert lookup.event_status is EventStatus.FAILURE


def test_search_and_lookup_defaults_are_the_contract_page_sizes() -> None:
    search = decode('{"query": "x"}', TextSearchRequest)
    assert (search.page, search.page_size) == (1, 20)
    lookup = decode('{"processName": "ORDER_FULFILMENT"}', LookupRequest)
    assert (lookup.page, lookup.page_size) == (1, 20)
    assert json.loads(encode(search)) == {"query": "x"}


def test_event_normalisation_described_by_the_contract() -> None:
    """Offsets become UTC, nanoseconds become milliseconds, a zero parent means none."""
    body = json.loads(EVENT_MINIMAL)
    body.update(
        eventTimestamp="2026-02-26T15:30:00.123456789+01:00",
        parentSpanId="0000000000000000",
        someFutureField={"ignored": True},
    )
    event = decode_event(json.dumps(body))
    assert event.event_timestamp == datetime(2026, 2, 26, 14, 30, 0, 123000, tzinfo=UTC)
    assert event.parent_span_id is None
    wire = json.loads(encode(event))
    assert "parentSpanId" not in wire
    assert "someFutureField" not in wire
    assert parse_timestamp(wire["eventTimestamp"]) == event.event_timestamp


def test_update_process_request_tells_absent_from_null() -> None:
    update = decode('{"displayName": "New", "slaMs": null}', UpdateProcessRequest)
    assert update.display_name == "New"
    assert update.sla_ms is None
    assert update.expected_steps is msgspec.UNSET
    assert update.is_active is msgspec.UNSET


# Bodies the contract says are a 400, with the field the details must name.
REJECTED: list[tuple[type[Any], str, str]] = [
    (BatchRequest, '{"events": []}', "events"),
    (BatchRequest, "{}", "events"),
    (BatchRequest, '{"events": {}}', "events"),
    (BatchRequest, "[]", ""),
    (BatchRequest, f'{{"events": [{EVENT_MINIMAL}], "batchId": ""}}', "batchId"),
    (BatchRequest, f'{{"events": [{EVENT_MINIMAL}], "batchId": "{"b" * 201}"}}', "batchId"),
    (ClearRequest, '{"confirm": false}', "confirm"),
    (ClearRequest, '{"confirm": "true"}', "confirm"),
    (ClearRequest, "{}", "confirm"),
    (ClearRequest, '{"confirm": true, "everything": true}', "everything"),
    (CorrelationLinkRequest, '{"correlationId": "c", "accountId": ""}', "accountId"),
    (CorrelationLinkRequest, '{"correlationId": "", "accountId": "a"}', "correlationId"),
    (
        CorrelationLinkRequest,
        '{"correlationId": "c", "accountId": "a", "cardNumberLast4": "424"}',
        "cardNumberLast4",
    ),
    (
        CorrelationLinkRequest,
        '{"correlationId": "c", "accountId": "a", "cardNumberLast4": "42424"}',
        "cardNumberLast4",
    ),
    (
        CorrelationLinkRequest,
        f'{{"correlationId": "c", "accountId": "a", "customerId": "{"x" * 101}"}}',
        "customerId",
    ),
    (
        CreateProcessRequest,
        '{"processName": "P", "displayName": "D", "description": "d", "owningTeam": "T",'
        ' "expectedSteps": 0}',
        "expectedSteps",
    ),
    (
        CreateProcessRequest,
        '{"processName": "P", "displayName": "D", "description": "d", "owningTeam": "T",'
        ' "slaMs": -1}',
        "slaMs",
    ),
    (
        CreateProcessRequest,
        '{"processName": "P", "displayName": "D", "description": "", "owningTeam": "T"}',
        "description",
    ),
    (
        CreateProcessRequest,
        '{"processName": "P", "displayName": "D", "description": "d"}',
        "owningTeam",
    ),
    (UpdateProcessRequest, '{"displayName": ""}', "displayName"),
    (UpdateProcessRequest, '{"isActive": "no"}', "isActive"),
    (TextSearchRequest, '{"query": ""}', "query"),
    (TextSearchRequest, '{"query": "x", "pageSize": 51}', "pageSize"),
    (TextSearchRequest, '{"query": "x", "page": 0}', "page"),
    (TextSearchRequest, '{"query": "x", "startDate": "2026-02-01T00:00:00"}', "startDate"),
    (LookupRequest, '{"accountId": "a", "pageSize": 101}', "pageSize"),
    (LookupRequest, '{"accountId": "a", "eventStatus": "DONE"}', "eventStatus"),
]


@pytest.mark.parametrize(
    ("struct_type", "text", "field"),
    REJECTED,
    ids=[f"{t.__name__}-{field or 'body'}-{i}" for i, (t, _, field) in enumerate(REJECTED)],
)
def test_contract_rejects_with_field_path(struct_type: type[Any], text: str, field: str) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        decode(text, struct_type)
    [detail] = validation_details(caught.value)
    assert detail.field == field
    assert detail.message
