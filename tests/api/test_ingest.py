"""POST /v1/events and /v1/events/batch against every backend: success and error cases."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import pytest
from eventlog_api._private.storage.repository import Storage
from eventlog_api._private.storage.values import to_wire_timestamp
from support.api_events import event

from .conftest import AppClient as Client

EVENT_COLUMNS = (
    "execution_id, trace_id, span_id, parent_span_id, span_links, correlation_id, account_id, "
    "batch_id, process_name, event_type, event_status, identifiers, summary, result, metadata, "
    "event_timestamp, idempotency_key, created_at, step_sequence, execution_time_ms"
)


def storage_of(client: Client) -> Storage:
    return client.storage


async def stored(client: Client, where: str = "", *params: object) -> list[dict[str, Any]]:
    sql = f"SELECT {EVENT_COLUMNS} FROM event_log {where} ORDER BY event_log_id"
    rows = await storage_of(client).database.fetchall(sql, *params)
    names = [name.strip() for name in EVENT_COLUMNS.split(",")]
    return [dict(zip(names, row, strict=True)) for row in rows]


async def count_rows(client: Client, table: str = "event_log") -> int:
    return int(await storage_of(client).database.fetchval(f"SELECT count(*) FROM {table}"))


def assert_envelope(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert isinstance(body["message"], str)
    assert body["message"]
    assert "Traceback" not in response.text
    return body


# -- POST /v1/events ------------------------------------------------------------------


async def test_single_event_is_stored_as_sent(client: Client) -> None:
    body = event(
        parentSpanId="0000000000000000",
        summary="Kunde bezahlt 🧾✅ — ok",
        eventTimestamp="2026-02-26T15:30:00.123456789+01:00",
        metadata={"retries": 2, "tags": ["a", "ü"]},
        spanLinks=["00f067aa0ba902b7", "53995c3f42cd8ad8"],
        stepSequence=3,
        executionTimeMs=1234,
    )
    response = await client.post("/v1/events", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["success"] is True
    assert answer["correlationId"] == body["correlationId"]
    [execution_id] = answer["executionIds"]
    assert len(execution_id) == 36
    assert execution_id == execution_id.lower()

    [row] = await stored(client)
    assert row["execution_id"] == execution_id
    assert row["trace_id"] == body["traceId"]
    assert row["span_id"] == body["spanId"]
    assert row["parent_span_id"] is None  # sixteen zeros mean "no parent"
    assert row["summary"] == body["summary"]  # emoji and accents round-trip
    assert to_wire_timestamp(row["event_timestamp"]) == "2026-02-26T14:30:00.123Z"
    assert json.loads(row["identifiers"]) == body["identifiers"]
    assert json.loads(row["metadata"]) == body["metadata"]
    assert json.loads(row["span_links"]) == body["spanLinks"]
    assert row["step_sequence"] == 3
    assert row["execution_time_ms"] == 1234
    assert to_wire_timestamp(row["created_at"]) is not None


async def test_missing_span_id_is_generated(client: Client) -> None:
    response = await client.post("/v1/events", json=event(spanId=None))
    assert response.status_code == 201, response.text
    [row] = await stored(client)
    assert len(row["span_id"]) == 16
    assert set(row["span_id"]) <= set("0123456789abcdef")


async def test_unknown_fields_are_ignored(client: Client) -> None:
    response = await client.post("/v1/events", json=event(somethingNew={"x": 1}, isDeleted=True))
    assert response.status_code == 201, response.text
    assert await count_rows(client) == 1


async def test_trailing_slash_is_the_same_route(client: Client) -> None:
    response = await client.post("/v1/events/", json=event())
    assert response.status_code == 201, response.text
    response = await client.post("/v1/events/batch/", json={"events": [event()]})
    assert response.status_code == 201, response.text
    assert await count_rows(client) == 2


async def test_idempotent_single_repeat_returns_the_original_id(client: Client) -> None:
    body = event(idempotencyKey="order-42-payment")
    first = await client.post("/v1/events", json=body)
    again = await client.post("/v1/events", json={**body, "summary": "a changed retry"})
    assert first.status_code == again.status_code == 201
    assert again.json()["executionIds"] == first.json()["executionIds"]
    rows = await stored(client)
    assert len(rows) == 1
    assert rows[0]["summary"] == body["summary"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"traceId": "4BF92F3577B34DA6A3CE929D0E0E4736"}, "traceId"),
        ({"traceId": "0" * 32}, "traceId"),
        ({"spanId": "0" * 16}, "spanId"),
        ({"eventType": "START"}, "eventType"),
        ({"eventStatus": None}, "eventStatus"),
        ({"stepSequence": "three"}, "stepSequence"),
        ({"stepSequence": -1}, "stepSequence"),
        ({"stepSequence": 2**31}, "stepSequence"),
        ({"identifiers": ["not", "an", "object"]}, "identifiers"),
        ({"eventTimestamp": "2026-02-26T14:30:00"}, "eventTimestamp"),
        ({"httpStatusCode": 42}, "httpStatusCode"),
        ({"summary": ""}, "summary"),
        ({"summary": "NUL \u0000 inside"}, "summary"),
        ({"correlationId": "x" * 201}, "correlationId"),
    ],
)
async def test_invalid_event_is_a_400_with_the_field(
    client: Client, change: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/events", json=event(**change))
    body = assert_envelope(response, 400, "Validation Error")
    assert [detail["field"] for detail in body["details"]] == [field]
    assert await count_rows(client) == 0


async def test_malformed_json_is_a_400(client: Client) -> None:
    response = await client.post(
        "/v1/events", content=b'{"traceId": "abc",', headers={"content-type": "application/json"}
    )
    body = assert_envelope(response, 400, "Validation Error")
    assert body["details"]


async def test_wrong_media_type_is_a_415(client: Client) -> None:
    response = await client.post(
        "/v1/events", content=json.dumps(event()), headers={"content-type": "text/plain"}
    )
    assert_envelope(response, 415, "Unsupported Media Type")
    response = await client.post(
        "/v1/events",
        content=json.dumps(event()),
        headers={"content-type": "application/json", "content-encoding": "br"},
    )
    assert_envelope(response, 415, "Unsupported Media Type")


@pytest.mark.parametrize("settings_overrides", [{"EVENTLOG_MAX_BODY_BYTES": "4096"}])
async def test_oversized_bodies_are_a_413(client: Client) -> None:
    big = event(summary="x" * 5000)
    response = await client.post("/v1/events", json=big)
    assert_envelope(response, 413, "Payload Too Large")
    batch = {"events": [event() for _ in range(20)]}
    response = await client.post("/v1/events/batch", json=batch)
    assert_envelope(response, 413, "Payload Too Large")
    # The limit is on the inflated size: 5 kB of "x" compresses to a few dozen bytes.
    bomb = gzip.compress(json.dumps(big).encode())
    assert len(bomb) < 4096
    response = await client.post(
        "/v1/events",
        content=bomb,
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert_envelope(response, 413, "Payload Too Large")
    assert await count_rows(client) == 0


async def test_gzip_bodies_are_accepted(client: Client) -> None:
    batch = {"events": [event() for _ in range(5)]}
    response = await client.post(
        "/v1/events/batch",
        content=gzip.compress(json.dumps(batch).encode()),
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["totalInserted"] == 5
    response = await client.post(
        "/v1/events",
        content=b"\x1f\x8b not really gzip",
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert_envelope(response, 400, "Validation Error")


# -- POST /v1/events/batch ------------------------------------------------------------


async def test_partial_batch_stores_the_valid_entries(client: Client) -> None:
    good = [event(correlationId="order-1"), event(correlationId="order-2")]
    events = [
        good[0],
        event(traceId="nothex" * 5 + "xy"),
        good[1],
        event(eventTimestamp=None),
        event(correlationId="order-1", stepSequence=2),
        {"traceId": 42},
    ]
    response = await client.post("/v1/events/batch", json={"events": events})
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["success"] is False
    assert answer["totalReceived"] == 6
    assert answer["totalInserted"] == 3
    assert len(answer["executionIds"]) == 3
    assert answer["correlationIds"] == ["order-1", "order-2"]
    assert "batchId" not in answer
    errors = {error["index"]: error for error in answer["errors"]}
    assert sorted(errors) == [1, 3, 5]
    assert all(error["retryable"] is False for error in errors.values())
    assert errors[1]["error"].startswith("events.1.traceId: ")
    assert errors[3]["error"].startswith("events.3.eventTimestamp: ")
    assert errors[5]["error"].startswith("events.5.traceId: ")
    rows = await stored(client)
    assert [row["execution_id"] for row in rows] == answer["executionIds"]  # input order


async def test_full_batch_success_has_no_errors_key(client: Client) -> None:
    response = await client.post("/v1/events/batch", json={"events": [event(), event()]})
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["success"] is True
    assert "errors" not in answer
    assert answer["totalInserted"] == answer["totalReceived"] == 2


async def test_batch_id_is_stamped_on_every_event(client: Client) -> None:
    events = [event(batchId="their-own"), event(), event(batchId=None)]
    response = await client.post("/v1/events/batch", json={"events": events, "batchId": "b-77"})
    assert response.status_code == 201, response.text
    assert response.json()["batchId"] == "b-77"
    assert {row["batch_id"] for row in await stored(client)} == {"b-77"}


@pytest.mark.parametrize(
    "body",
    [[], {}, {"events": []}, {"events": "x"}, {"events": [event()], "batchId": ""}, "events"],
)
async def test_batch_that_is_not_an_events_list_is_a_400(client: Client, body: Any) -> None:
    response = await client.post("/v1/events/batch", json=body)
    assert_envelope(response, 400, "Validation Error")
    assert await count_rows(client) == 0


async def test_batch_all_invalid_is_201_with_errors(client: Client) -> None:
    response = await client.post("/v1/events/batch", json={"events": [{"x": 1}, {"y": 2}]})
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["success"] is False
    assert answer["totalInserted"] == 0
    assert answer["executionIds"] == []
    assert [error["index"] for error in answer["errors"]] == [0, 1]


async def test_idempotent_batch_repeat(client: Client) -> None:
    events = [event(idempotencyKey=f"batch-key-{n}") for n in range(3)] + [event()]
    first = await client.post("/v1/events/batch", json={"events": events})
    assert first.status_code == 201, first.text
    # The repeat re-sends the keyed events (and one new one): keyed ones keep their ids.
    again = await client.post("/v1/events/batch", json={"events": [*events[:3], event()]})
    assert again.status_code == 201, again.text
    assert again.json()["executionIds"][:3] == first.json()["executionIds"][:3]
    assert again.json()["totalInserted"] == 4
    assert await count_rows(client) == 5


async def test_repeated_key_within_one_batch_is_stored_once(client: Client) -> None:
    events = [event(idempotencyKey="same"), event(idempotencyKey="same"), event()]
    response = await client.post("/v1/events/batch", json={"events": events})
    assert response.status_code == 201, response.text
    ids = response.json()["executionIds"]
    assert ids[0] == ids[1] != ids[2]
    assert await count_rows(client) == 2


async def test_twenty_concurrent_repeats_of_one_key_make_one_row(client: Client) -> None:
    body = event(idempotencyKey="concurrent-key")

    async def send(n: int) -> Any:
        if n % 2:
            return await client.post("/v1/events", json=body)
        return await client.post("/v1/events/batch", json={"events": [body, event()]})

    responses = await asyncio.gather(*(send(n) for n in range(20)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    ids = {r.json()["executionIds"][0] for r in responses}
    assert len(ids) == 1
    assert all("errors" not in r.json() for r in responses)
    rows = await stored(client, "WHERE idempotency_key = ?", "concurrent-key")
    assert len(rows) == 1
    assert rows[0]["execution_id"] in ids
    assert await count_rows(client) == 1 + 10  # plus one unkeyed event per batch


async def test_unexpected_errors_are_a_500_without_internals(client: Client) -> None:
    storage = storage_of(client)

    async def broken(rows: Any) -> list[str]:
        raise RuntimeError("SELECT secret FROM internals WHERE password = 'x'")

    storage.insert_events = broken  # type: ignore[method-assign]
    response = await client.post("/v1/events", json=event())
    body = assert_envelope(response, 500, "Internal Server Error")
    assert "secret" not in response.text
    assert "details" not in body
