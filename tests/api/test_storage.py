"""The storage layer on every backend: trace summaries, group commit, idempotency, migrations."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Sequence
from typing import Any

from eventlog_api._private.storage.group_commit import GroupCommitter
from eventlog_api._private.storage.migrations import load_migrations, pending_migrations
from eventlog_api._private.storage.repository import Storage
from eventlog_api._private.storage.rows import Row, event_row
from eventlog_api._private.storage.values import to_bool, to_wire_timestamp
from eventlog_schemas import EventLogEntry, decode, new_trace_id
from support.api_events import event, wire_time

from .conftest import AppClient as Client

SUMMARY_COLUMNS = (
    "trace_id, first_event_at, last_event_at, event_count, success_count, failure_count, "
    "in_progress_count, skipped_count, warning_count, has_success_end, has_errors, "
    "derived_status, process_name, account_id"
)


def expected_summary(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The contract's rules, computed independently from the whole trace."""
    by_time = sorted(events, key=lambda e: e["eventTimestamp"])
    statuses = [e["eventStatus"] for e in events]
    starts = [e for e in by_time if e["eventType"] == "PROCESS_START"]
    accounts = [e for e in by_time if e.get("accountId") is not None]
    success_end = any(
        e["eventType"] == "PROCESS_END" and e["eventStatus"] == "SUCCESS" for e in events
    )
    if success_end:
        status = "SUCCESS"
    elif "FAILURE" in statuses:
        status = "FAILURE"
    elif "WARNING" in statuses:
        status = "WARNING"
    else:
        status = "IN_PROGRESS"
    return {
        "first_event_at": by_time[0]["eventTimestamp"],
        "last_event_at": by_time[-1]["eventTimestamp"],
        "event_count": len(events),
        "success_count": statuses.count("SUCCESS"),
        "failure_count": statuses.count("FAILURE"),
        "in_progress_count": statuses.count("IN_PROGRESS"),
        "skipped_count": statuses.count("SKIPPED"),
        "warning_count": statuses.count("WARNING"),
        "has_success_end": success_end,
        "has_errors": "FAILURE" in statuses,
        "derived_status": status,
        "process_name": starts[0]["processName"] if starts else None,
        "account_id": accounts[0]["accountId"] if accounts else None,
    }


async def summaries(storage: Storage) -> dict[str, dict[str, Any]]:
    rows = await storage.database.fetchall(f"SELECT {SUMMARY_COLUMNS} FROM trace_summary")
    names = [name.strip() for name in SUMMARY_COLUMNS.split(",")]
    result = {}
    for row in rows:
        record = dict(zip(names, row, strict=True))
        for key in ("first_event_at", "last_event_at"):
            record[key] = to_wire_timestamp(record[key])
        for key in ("has_success_end", "has_errors"):
            record[key] = to_bool(record[key])
        result[record.pop("trace_id").strip()] = record
    return result


def trace_events(rng: random.Random, trace_id: str, n: int) -> list[dict[str, Any]]:
    """A trace whose events are in every order of arrival, with late starts and accounts."""
    events = []
    base = rng.randrange(0, 10_000_000)
    for i in range(n):
        kind = "STEP"
        if i == 0:
            kind = "PROCESS_START"
        elif i == n - 1 and rng.random() < 0.6:
            kind = "PROCESS_END"
        status = rng.choice(["SUCCESS", "SUCCESS", "IN_PROGRESS", "SKIPPED", "WARNING", "FAILURE"])
        events.append(
            event(
                traceId=trace_id,
                eventType=kind,
                eventStatus=status,
                # Steps name other processes: the trace's name comes from its PROCESS_START.
                processName="Loan Application" if kind == "PROCESS_START" else f"step-proc-{i}",
                accountId=None if i < 2 or rng.random() < 0.3 else f"acct-{rng.randrange(3)}",
                eventTimestamp=wire_time(base + i * 250 + rng.randrange(0, 3)),
            )
        )
    if rng.random() < 0.3:  # a second, later PROCESS_START must not win
        events.append(
            event(
                traceId=trace_id,
                eventType="PROCESS_START",
                eventStatus="IN_PROGRESS",
                processName="Retry Of Loan",
                eventTimestamp=wire_time(base + n * 250 + 5),
            )
        )
    return events


async def test_trace_summary_after_interleaved_concurrent_batches(client: Client) -> None:
    rng = random.Random(20260226)
    traces = {new_trace_id(): [] for _ in range(12)}
    for trace_id in traces:
        traces[trace_id] = trace_events(rng, trace_id, rng.randrange(2, 14))
    everything = [e for events in traces.values() for e in events]
    rng.shuffle(everything)
    # One repeat of an idempotent event must not be counted twice.
    keyed = everything[0] | {"idempotencyKey": "summary-repeat"}
    everything[0] = keyed
    everything.append(dict(keyed))
    batches = [everything[i : i + 7] for i in range(0, len(everything), 7)]

    responses = await asyncio.gather(
        *(client.post("/v1/events/batch", json={"events": batch}) for batch in batches)
    )
    assert all(r.status_code == 201 and r.json()["success"] for r in responses)

    stored = await summaries(client.storage)
    assert set(stored) == set(traces)
    for trace_id, events in traces.items():
        assert stored[trace_id] == expected_summary(events), trace_id


async def test_trace_summary_from_single_posts_in_reverse_time_order(client: Client) -> None:
    trace_id = new_trace_id()
    events = [
        event(traceId=trace_id, eventType="PROCESS_START", eventStatus="IN_PROGRESS",
              processName="Payments", accountId=None, eventTimestamp=wire_time(1000)),
        event(traceId=trace_id, eventType="STEP", eventStatus="FAILURE", processName="x",
              accountId="late-account", eventTimestamp=wire_time(2000)),
        event(traceId=trace_id, eventType="STEP", eventStatus="SUCCESS", processName="y",
              accountId="first-account", eventTimestamp=wire_time(1500)),
        event(traceId=trace_id, eventType="PROCESS_END", eventStatus="SUCCESS", processName="z",
              accountId=None, eventTimestamp=wire_time(3000)),
    ]  # fmt: skip
    for body in reversed(events):
        assert (await client.post("/v1/events", json=body)).status_code == 201
    stored = (await summaries(client.storage))[trace_id]
    assert stored == expected_summary(events)
    assert stored["derived_status"] == "SUCCESS"
    assert stored["has_errors"] is True
    assert stored["process_name"] == "Payments"
    assert stored["account_id"] == "first-account"


def rows_of(count: int, **fields: Any) -> list[dict[str, Any]]:
    return [event_row(decode(json.dumps(event(**fields)), EventLogEntry)) for _ in range(count)]


async def test_group_commit_coalesces_concurrent_writes(storage: Storage) -> None:
    calls = 60
    results = await asyncio.gather(*(storage.insert_events(rows_of(3)) for _ in range(calls)))
    assert all(len(ids) == 3 for ids in results)
    assert len({i for ids in results for i in ids}) == calls * 3
    assert storage.committer.rows_committed == calls * 3
    # Requests that arrive while a group commits share the next transaction.
    assert storage.committer.groups_committed < calls
    assert int(await storage.database.fetchval("SELECT count(*) FROM event_log")) == calls * 3


async def test_a_second_writer_joins_only_with_a_backlog() -> None:
    # The committer's scheduling on its own (the storage tests above run it on the
    # databases): while a group of 100 rows is being written, 50 queued rows wait for a
    # free writer; once the queue holds as many rows as the group in flight, the second
    # writer takes them at once.
    release = asyncio.Event()
    groups: list[int] = []

    async def write(rows: Sequence[Row]) -> list[str]:
        groups.append(len(rows))
        await release.wait()
        return [str(row["execution_id"]) for row in rows]

    def rows(count: int) -> list[Row]:
        return [{"execution_id": f"id-{random.random()}", "idempotency_key": None}] * count

    committer = GroupCommitter(write, writers=2, max_rows=2000)
    committer.start()
    try:
        first = asyncio.ensure_future(committer.submit(rows(100)))
        await asyncio.sleep(0.01)
        assert groups == [100]
        second = asyncio.ensure_future(committer.submit(rows(50)))
        await asyncio.sleep(0.01)
        assert groups == [100]  # 50 < 100: it waits
        third = asyncio.ensure_future(committer.submit(rows(60)))
        await asyncio.sleep(0.01)
        assert groups == [100, 110]  # 110 >= 100: the second writer takes both
        release.set()
        answers = await asyncio.gather(first, second, third)
        assert [len(a) for a in answers] == [100, 50, 60]
        assert committer.groups_committed == 2
    finally:
        release.set()
        await committer.stop()


async def test_concurrent_repeats_across_writers_make_one_row(storage: Storage) -> None:
    async def repeat() -> list[str]:
        rows = rows_of(1, idempotencyKey="one-row-only")
        return await storage.insert_events(rows + rows_of(1))

    results = await asyncio.gather(*(repeat() for _ in range(20)))
    assert len({ids[0] for ids in results}) == 1
    count = await storage.database.fetchval(
        "SELECT count(*) FROM event_log WHERE idempotency_key = ?", "one-row-only"
    )
    assert int(count) == 1


async def test_racing_transactions_with_one_key_make_one_row(storage: Storage) -> None:
    # Past the group committer: concurrent transactions on every writer connection, each
    # inserting the same key, so that only the database's unique index can keep one row.
    async def transaction() -> list[str]:
        return await storage._write_group(rows_of(1, idempotencyKey="raced") + rows_of(2))

    results = await asyncio.gather(*(transaction() for _ in range(12)))
    assert len({ids[0] for ids in results}) == 1
    count = await storage.database.fetchval(
        "SELECT count(*) FROM event_log WHERE idempotency_key = ?", "raced"
    )
    assert int(count) == 1
    assert int(await storage.database.fetchval("SELECT count(*) FROM event_log")) == 1 + 24
    total = await storage.database.fetchval("SELECT sum(event_count) FROM trace_summary")
    assert int(total) == 25


async def test_rewriting_the_same_rows_is_harmless(storage: Storage) -> None:
    # What a retry after a lost commit does: the same rows (same execution ids) again.
    rows = rows_of(3) + rows_of(1, idempotencyKey="retry-key")
    first = await storage.insert_events([dict(row) for row in rows])
    second = await storage.insert_events([dict(row) for row in rows])
    assert first == second
    assert int(await storage.database.fetchval("SELECT count(*) FROM event_log")) == 4
    total = await storage.database.fetchval("SELECT sum(event_count) FROM trace_summary")
    assert int(total) == 4


async def test_migrations_are_recorded_and_idempotent(storage: Storage) -> None:
    assert await storage.pending() == []
    assert await storage.migrate() == []
    versions = await storage.database.fetchall(
        "SELECT version, checksum FROM schema_migrations ORDER BY version"
    )
    files = load_migrations(storage.dialect)
    assert [(int(v), str(c).strip()) for v, c in versions] == [
        (m.version, m.checksum) for m in files
    ]
    pending = await storage.database.read(lambda conn: pending_migrations(conn, storage.dialect))
    assert pending == []
