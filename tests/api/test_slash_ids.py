"""Ids holding "/" (sent as %2F) on every path endpoint, on the real SQLite and PostgreSQL."""

from __future__ import annotations

from support.api_events import event

from .conftest import AppClient as Client

ORDER = "ORD/2026/17"  # as the SDK sends it: ORD%2F2026%2F17
LITERAL = "ORD%2F17"  # an id that holds the text "%2F": ORD%252F17 on the wire
ACCOUNT = "ACC/9"
BATCH = "B/2026/1"
PROCESS = "billing/refunds"


def path(value: str) -> str:
    return value.replace("%", "%25").replace("/", "%2F")


async def _store(client: Client) -> None:
    events = [
        event(correlationId=ORDER, accountId=ACCOUNT, stepSequence=1),
        event(correlationId=ORDER, accountId=ACCOUNT, stepSequence=2, eventStatus="FAILURE"),
        event(correlationId=LITERAL, accountId="ACC-other"),
    ]
    stored = await client.post("/v1/events/batch", json={"batchId": BATCH, "events": events})
    assert stored.status_code == 201, stored.text
    linked = await client.post(
        "/v1/correlation-links", json={"correlationId": ORDER, "accountId": ACCOUNT}
    )
    assert linked.status_code == 201, linked.text
    created = await client.post(
        "/v1/processes",
        json={
            "processName": PROCESS,
            "displayName": "Refunds",
            "description": "Money back",
            "owningTeam": "billing",
        },
    )
    assert created.status_code == 201, created.text


async def test_event_reads_find_ids_with_a_slash(client: Client) -> None:
    await _store(client)
    by_order = (await client.get(f"/v1/events/correlation/{path(ORDER)}")).json()
    assert (by_order["correlationId"], by_order["totalCount"]) == (ORDER, 2)
    assert (by_order["accountId"], by_order["isLinked"]) == (ACCOUNT, True)
    # "%2F" as text is another id than "/".
    by_literal = (await client.get(f"/v1/events/correlation/{path(LITERAL)}")).json()
    assert (by_literal["correlationId"], by_literal["totalCount"]) == (LITERAL, 1)
    timeline = (await client.get(f"/v1/events/account/{path(ACCOUNT)}")).json()
    assert (timeline["accountId"], timeline["totalCount"]) == (ACCOUNT, 2)
    summary = await client.get(f"/v1/events/account/{path(ACCOUNT)}/summary")
    assert summary.status_code == 200, summary.text
    assert summary.json()["summary"]["accountId"] == ACCOUNT
    batch = (await client.get(f"/v1/events/batch/{path(BATCH)}/")).json()
    assert (batch["batchId"], batch["totalCount"], batch["failureCount"]) == (BATCH, 3, 1)
    batch_summary = (await client.get(f"/v1/events/batch/{path(BATCH)}/summary")).json()
    assert (batch_summary["batchId"], batch_summary["totalProcesses"]) == (BATCH, 2)


async def test_links_and_processes_find_ids_with_a_slash(client: Client) -> None:
    await _store(client)
    link = (await client.get(f"/v1/correlation-links/{path(ORDER)}")).json()
    assert (link["correlationId"], link["accountId"]) == (ORDER, ACCOUNT)
    process = (await client.get(f"/v1/processes/{path(PROCESS)}")).json()
    assert (process["processName"], process["displayName"]) == (PROCESS, "Refunds")
    patched = await client.patch(f"/v1/processes/{path(PROCESS)}/", json={"slaMs": 60000})
    assert patched.status_code == 200, patched.text
    assert patched.json()["slaMs"] == 60000
    missing = await client.get(f"/v1/processes/{path('billing/nothing')}")
    assert missing.status_code == 404
    assert missing.json()["error"] == "NOT_FOUND"
