"""Storing demo traffic through the normal write path, with a progress bar.

Events go through ``Storage.insert_events`` (the group-commit path that
``POST /v1/events/batch`` uses, in-process: no HTTP), so the trace summaries, full-text
index and rollups are maintained exactly as for real traffic. Process definitions and
correlation links use the storage's own SQL as their endpoints do.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pyodbc
from eventlog_schemas import CorrelationLinkRequest, format_timestamp, utc_now

from eventlog_api._private.settings import Dialect
from eventlog_api._private.storage.errors import UniqueViolation
from eventlog_api._private.storage.repository import Storage
from eventlog_api._private.storage.rows import Row, event_row

from .catalog import demo_process_definitions
from .generator import generate_demo

CHUNK_EVENTS = 1000
"""Events per ``insert_events`` call (the group committer may merge several)."""
LINKS_PER_TRANSACTION = 500


@dataclass(slots=True)
class SeedReport:
    """What one seed run did."""

    skipped: bool = False
    events: int = 0
    traces: int = 0
    links: int = 0
    processes_created: int = 0
    seconds: float = 0.0
    existing_events: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def events_per_second(self) -> float:
        """Throughput of the whole run."""
        return self.events / self.seconds if self.seconds else 0.0


Progress = Callable[[int], None]
"""Called with the number of events just committed."""


async def database_has_events(storage: Storage) -> bool:
    """True when ``event_log`` holds at least one row (an index probe, not a count)."""
    value = await storage.database.fetchval("SELECT MIN(event_log_id) FROM event_log")
    return value is not None


async def seed_demo(
    storage: Storage,
    *,
    events: int,
    days: float,
    seed: int,
    force: bool = False,
    end: datetime | None = None,
    progress: Progress | None = None,
) -> SeedReport:
    """Write ``events`` demo events (and definitions, links) into an open ``storage``.

    Skips, saying so in the report, when the database already holds events and
    ``force`` is false.
    """
    report = SeedReport()
    storage.require_schema()
    if await database_has_events(storage) and not force:
        report.skipped = True
        return report
    started = time.perf_counter()
    for definition in demo_process_definitions():
        try:
            await storage.create_process(definition)
            report.processes_created += 1
        except UniqueViolation:
            report.notes.append(f"process {definition.process_name} already defined")

    in_flight: set[asyncio.Task[int]] = set()
    # Keep every writer busy plus one group queued, while this thread builds the next.
    limit = storage.database.writers + 1
    links: list[CorrelationLinkRequest] = []
    chunk: list[Row] = []

    async def submit(rows: list[Row]) -> None:
        while len(in_flight) >= limit:
            done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                in_flight.discard(task)
                count = task.result()
                report.events += count
                if progress is not None:
                    progress(count)
        task = asyncio.ensure_future(_insert(storage, rows))
        in_flight.add(task)

    try:
        for trace in generate_demo(events=events, days=days, seed=seed, end=end):
            report.traces += 1
            chunk.extend(event_row(entry) for entry in trace.entries)
            if trace.link is not None:
                links.append(trace.link)
            if len(chunk) >= CHUNK_EVENTS:
                await submit(chunk)
                chunk = []
        if chunk:
            await submit(chunk)
        for task in asyncio.as_completed(list(in_flight)):
            count = await task
            report.events += count
            if progress is not None:
                progress(count)
    except BaseException:
        # A failed write (the database went away): stop the other writes and wait for
        # them, so that none is left running or with an unread error, then report it.
        for task in in_flight:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        raise
    finally:
        in_flight.clear()

    # Links after the events: the accounts were "opened" before anyone linked them.
    for i in range(0, len(links), LINKS_PER_TRANSACTION):
        await _upsert_links(storage, links[i : i + LINKS_PER_TRANSACTION])
    report.links = len(links)
    await _refresh_statistics(storage)
    report.seconds = time.perf_counter() - started
    return report


async def _insert(storage: Storage, rows: list[Row]) -> int:
    ids = await storage.insert_events(rows)
    return len(ids)


async def _upsert_links(storage: Storage, links: list[CorrelationLinkRequest]) -> None:
    now = format_timestamp(utc_now())

    def work(conn: pyodbc.Connection) -> None:
        for link in links:
            storage.sql.upsert_link(conn, link, now)
        conn.commit()

    await storage.database.write(work)


async def _refresh_statistics(storage: Storage) -> None:
    """Planner statistics after a bulk load, so the first queries pick the right indexes."""
    statement = {
        Dialect.SQLITE: "ANALYZE",
        Dialect.POSTGRESQL: "VACUUM (ANALYZE) event_log, trace_summary, event_rollup_hourly",
        Dialect.MSSQL: "EXEC sp_updatestats",
    }[storage.dialect]

    def work(conn: pyodbc.Connection) -> None:
        # Reader connections are in autocommit mode, which VACUUM needs.
        conn.execute(statement)

    await storage.database.read(work)
