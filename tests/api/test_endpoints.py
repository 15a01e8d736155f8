"""Health, correlation links, processes, the debug clear, and Litestar's own errors."""

from __future__ import annotations

from typing import Any

import pytest
from support.api_events import event

from .conftest import AppClient as Client


def assert_envelope(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert isinstance(body["message"], str)
    assert body["message"]
    return body


# -- health ---------------------------------------------------------------------------


async def test_health_endpoints(client: Client) -> None:
    response = await client.get("/v1/healthcheck")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    response = await client.get("/v1/healthcheck/ready/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["database"] == "connected"
    assert body["timestamp"].endswith("Z")
    response = await client.get("/v1/version")
    assert response.status_code == 200
    assert response.json()["version"]


# -- Litestar's own errors in the contract's envelope ---------------------------------


async def test_unknown_route_is_a_404_envelope(client: Client) -> None:
    assert_envelope(await client.get("/v1/nothing-here"), 404, "NOT_FOUND")
    assert_envelope(await client.get("/v2/events"), 404, "NOT_FOUND")


async def test_there_is_no_delete_events(client: Client) -> None:
    assert_envelope(await client.delete("/v1/events"), 404, "NOT_FOUND")
    assert_envelope(await client.put("/v1/processes"), 404, "NOT_FOUND")


async def test_bad_query_parameter_is_a_400_with_details(client: Client) -> None:
    response = await client.get("/v1/processes", params={"isActive": "perhaps"})
    body = assert_envelope(response, 400, "Validation Error")
    assert [detail["field"] for detail in body["details"]] == ["isActive"]


async def test_request_id_is_echoed(client: Client) -> None:
    response = await client.get("/v1/healthcheck", headers={"X-Request-ID": "req-123"})
    assert response.headers["x-request-id"] == "req-123"
    response = await client.get("/v1/healthcheck")
    assert len(response.headers["x-request-id"]) == 32


# -- correlation links ----------------------------------------------------------------


async def test_correlation_link_upsert_keeps_linked_at(client: Client) -> None:
    created = await client.post(
        "/v1/correlation-links",
        json={
            "correlationId": "onboarding-77",
            "accountId": "ACC-1",
            "applicationId": "web",
            "customerId": "CUS-9",
            "cardNumberLast4": "4242",
        },
    )
    assert created.status_code == 201, created.text
    first = created.json()
    assert first["success"] is True
    assert (first["correlationId"], first["accountId"]) == ("onboarding-77", "ACC-1")
    assert first["linkedAt"].endswith("Z")

    fetched = await client.get("/v1/correlation-links/onboarding-77")
    assert fetched.status_code == 200
    assert fetched.json() == {
        "correlationId": "onboarding-77",
        "accountId": "ACC-1",
        "applicationId": "web",
        "customerId": "CUS-9",
        "cardNumberLast4": "4242",
        "linkedAt": first["linkedAt"],
    }

    updated = await client.post(
        "/v1/correlation-links", json={"correlationId": "onboarding-77", "accountId": "ACC-2"}
    )
    assert updated.status_code == 201, updated.text
    assert updated.json()["linkedAt"] == first["linkedAt"]
    after = (await client.get("/v1/correlation-links/onboarding-77/")).json()
    assert after["accountId"] == "ACC-2"
    assert after["linkedAt"] == first["linkedAt"]
    assert (
        int(await client.storage.database.fetchval("SELECT count(*) FROM correlation_links")) == 1
    )


async def test_unknown_correlation_link_is_a_404(client: Client) -> None:
    assert_envelope(await client.get("/v1/correlation-links/never-linked"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"correlationId": "c", "accountId": "a", "cardNumberLast4": "123"}, "cardNumberLast4"),
        ({"correlationId": "c"}, "accountId"),
        ({"correlationId": "", "accountId": "a"}, "correlationId"),
        ({"correlationId": "c", "accountId": "a" * 65}, "accountId"),
    ],
)
async def test_invalid_correlation_link_is_a_400(
    client: Client, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/correlation-links", json=body)
    envelope = assert_envelope(response, 400, "Validation Error")
    assert [detail["field"] for detail in envelope["details"]] == [field]


# -- process definitions --------------------------------------------------------------

PROCESS = {
    "processName": "Card Onboarding",
    "displayName": "Card onboarding",
    "description": "From application to activated card",
    "owningTeam": "Cards",
    "expectedSteps": 6,
    "slaMs": 120000,
}


async def test_process_lifecycle(client: Client) -> None:
    created = await client.post("/v1/processes", json=PROCESS)
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["processId"] >= 1
    assert {k: record[k] for k in PROCESS} == PROCESS
    assert record["isActive"] is True
    assert record["createdAt"] == record["updatedAt"]

    duplicate = await client.post("/v1/processes", json={**PROCESS, "displayName": "Other"})
    assert_envelope(duplicate, 409, "CONFLICT")

    other = {**PROCESS, "processName": "Address Change", "expectedSteps": None}
    assert (await client.post("/v1/processes/", json=other)).status_code == 201

    listed = (await client.get("/v1/processes")).json()["processes"]
    assert [p["processName"] for p in listed] == ["Address Change", "Card Onboarding"]

    fetched = await client.get("/v1/processes/Card Onboarding")
    assert fetched.status_code == 200
    assert fetched.json() == record

    patched = await client.patch(
        "/v1/processes/Card Onboarding", json={"isActive": False, "slaMs": None, "owningTeam": "X"}
    )
    assert patched.status_code == 200, patched.text
    after = patched.json()
    assert after["isActive"] is False
    assert after["slaMs"] is None
    assert after["owningTeam"] == "X"
    assert after["displayName"] == PROCESS["displayName"]  # absent fields unchanged
    assert after["expectedSteps"] == 6
    assert after["updatedAt"] >= record["updatedAt"]
    assert after["createdAt"] == record["createdAt"]

    active = (await client.get("/v1/processes", params={"isActive": "true"})).json()
    assert [p["processName"] for p in active["processes"]] == ["Address Change"]
    inactive = (await client.get("/v1/processes", params={"isActive": "false"})).json()
    assert [p["processName"] for p in inactive["processes"]] == ["Card Onboarding"]


async def test_unknown_process_is_a_404(client: Client) -> None:
    assert_envelope(await client.get("/v1/processes/nope"), 404, "NOT_FOUND")
    assert_envelope(
        await client.patch("/v1/processes/nope", json={"isActive": False}), 404, "NOT_FOUND"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**PROCESS, "slaMs": 0}, "slaMs"),
        ({**PROCESS, "expectedSteps": "six"}, "expectedSteps"),
        ({k: v for k, v in PROCESS.items() if k != "owningTeam"}, "owningTeam"),
        ({**PROCESS, "processName": ""}, "processName"),
    ],
)
async def test_invalid_process_is_a_400(client: Client, body: dict[str, Any], field: str) -> None:
    envelope = assert_envelope(
        await client.post("/v1/processes", json=body), 400, "Validation Error"
    )
    assert [detail["field"] for detail in envelope["details"]] == [field]


async def test_invalid_process_patch_is_a_400(client: Client) -> None:
    assert (await client.post("/v1/processes", json=PROCESS)).status_code == 201
    response = await client.patch("/v1/processes/Card Onboarding", json={"slaMs": -5})
    envelope = assert_envelope(response, 400, "Validation Error")
    assert [detail["field"] for detail in envelope["details"]] == ["slaMs"]


# -- debug clear ----------------------------------------------------------------------


async def test_clear_deletes_everything(client: Client) -> None:
    batch = {"events": [event(idempotencyKey="k1"), event(), event(eventStatus="FAILURE")]}
    assert (await client.post("/v1/events/batch", json=batch)).status_code == 201
    assert (await client.post("/v1/processes", json=PROCESS)).status_code == 201
    link = {"correlationId": "c", "accountId": "a"}
    assert (await client.post("/v1/correlation-links", json=link)).status_code == 201

    for bad in ({}, {"confirm": False}, {"confirm": "true"}, {"confirm": True, "also": 1}):
        assert_envelope(
            await client.post("/v1/debug/events/clear", json=bad), 400, "Validation Error"
        )
    database = client.storage.database
    assert int(await database.fetchval("SELECT count(*) FROM event_log")) == 3

    response = await client.post("/v1/debug/events/clear", json={"confirm": True})
    assert response.status_code == 204
    assert response.content == b""
    for table in ("event_log", "trace_summary", "correlation_links", "process_definitions"):
        assert int(await database.fetchval(f"SELECT count(*) FROM {table}")) == 0, table

    # The write path works after a clear, and an idempotency key is free again.
    again = await client.post("/v1/events", json=event(idempotencyKey="k1"))
    assert again.status_code == 201
    assert again.json()["executionIds"] != []
    assert int(await database.fetchval("SELECT count(*) FROM event_log")) == 1
    assert int(await database.fetchval("SELECT count(*) FROM trace_summary")) == 1


@pytest.mark.parametrize("settings_overrides", [{"EVENTLOG_ALLOW_PURGE": "false"}])
async def test_clear_is_404_when_purge_is_disabled(client: Client) -> None:
    assert (await client.post("/v1/events", json=event())).status_code == 201
    response = await client.post("/v1/debug/events/clear", json={"confirm": True})
    assert_envelope(response, 404, "NOT_FOUND")
    assert int(await client.storage.database.fetchval("SELECT count(*) FROM event_log")) == 1
