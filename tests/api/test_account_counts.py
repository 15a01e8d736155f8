"""All-time distinct accounts in the dashboard stats, on the real SQLite driver and the
real PostgreSQL server: they come from the per-account trace counts of migration 0009,
which the triggers keep exact when a late event changes a trace's account and when
everything is cleared."""

from __future__ import annotations

import pyodbc
from eventlog_api._private.settings import Dialect
from eventlog_schemas import new_trace_id
from support.api_events import event, wire_time

from .conftest import AppClient


async def _post(client: AppClient, *events: dict[str, object]) -> None:
    response = await client.post("/v1/events/batch", json={"events": list(events)})
    assert response.status_code == 201, response.text


async def _accounts(client: AppClient) -> int:
    response = await client.get("/v1/dashboard/stats")
    assert response.status_code == 200, response.text
    accounts: int = response.json()["totalAccounts"]
    return accounts


async def _assert_counts_exact(client: AppClient) -> None:
    if client.storage.dialect is Dialect.MSSQL:
        return

    def read(conn: pyodbc.Connection) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
        kept = conn.execute(
            "SELECT account_id, trace_count FROM account_trace_counts WHERE trace_count > 0"
        )
        fresh = conn.execute(
            "SELECT account_id, COUNT(*) FROM trace_summary WHERE account_id IS NOT NULL "
            "GROUP BY account_id"
        )
        return {(a, int(n)) for a, n in kept.fetchall()}, {(a, int(n)) for a, n in fresh.fetchall()}

    kept, fresh = await client.storage.database.read(read)
    assert kept == fresh


async def test_distinct_accounts_follow_late_account_changes(client: AppClient) -> None:
    one, two, three = new_trace_id(), new_trace_id(), new_trace_id()
    await _post(
        client,
        event(traceId=one, accountId="acct-a", eventTimestamp=wire_time(1000)),
        event(traceId=two, accountId="acct-a", eventTimestamp=wire_time(1000)),
        event(traceId=three, accountId=None, eventTimestamp=wire_time(1000)),
    )
    assert await _accounts(client) == 1
    await _assert_counts_exact(client)
    # An earlier event of trace one names another account: the trace moves to acct-b.
    await _post(client, event(traceId=one, accountId="acct-b", eventTimestamp=wire_time(10)))
    assert await _accounts(client) == 2
    # Trace two moves too: acct-a has no trace left and is no longer counted.
    await _post(client, event(traceId=two, accountId="acct-b", eventTimestamp=wire_time(10)))
    assert await _accounts(client) == 1
    # A trace without an account gets one.
    await _post(client, event(traceId=three, accountId="acct-c", eventTimestamp=wire_time(5)))
    assert await _accounts(client) == 2
    await _assert_counts_exact(client)
    response = await client.post("/v1/debug/events/clear", json={"confirm": True})
    assert response.status_code == 204, response.text
    assert await _accounts(client) == 0
    await _assert_counts_exact(client)
