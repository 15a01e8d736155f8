"""The read side of the storage (read queries, statistics): owned by the read endpoints.

``Storage`` builds one ``Reads`` per process with ``create_reads(database)`` and exposes
it as ``storage.reads``. Each method is one unit of work on an autocommit reader
connection (``await database.read(fn)``: several statements, one thread hop); the SQL
lives in ``queries/``, one module per family, spoken in every dialect through
``queries.dialect.ReadDialect``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import pyodbc
from eventlog_schemas import (
    AccountEventsResponse,
    AccountSummaryResponse,
    BatchEventsResponse,
    BatchSummaryResponse,
    ChartPoint,
    CorrelationEventsResponse,
    DashboardStats,
    EventLogRecord,
    EventStatus,
    LookupResponse,
    ProcessStats,
    TimeBucket,
    TraceEventsResponse,
    TraceListResponse,
)

from eventlog_api._private.settings import Dialect

from .database import Database
from .queries import charts, dashboard_stats, events, search, traces
from .queries.dialect import read_dialect
from .queries.events import AccountFilter, LookupFilter, PageRequest
from .queries.search import SearchFilter, SearchResult
from .queries.traces import TraceFilter

T = TypeVar("T")

__all__ = [
    "AccountFilter",
    "LookupFilter",
    "PageRequest",
    "Reads",
    "SearchFilter",
    "SearchResult",
    "TraceFilter",
    "create_reads",
]


_PG_SESSION = "SET max_parallel_workers_per_gather = 0"
"""Every read here touches at most a few tens of thousands of index entries; on a small
machine, starting parallel workers for them cost more than it saved (31 ms instead of
15 ms for a count of 144k index entries), so PostgreSQL reads run serially."""


class Reads:
    """Read queries over one database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.sql = read_dialect(database.dialect)
        self._serial = database.dialect is Dialect.POSTGRESQL

    async def _read(self, work: Callable[[pyodbc.Connection], T]) -> T:
        if not self._serial:
            return await self.database.read(work)

        def serial(conn: pyodbc.Connection) -> T:
            conn.execute(_PG_SESSION)
            return work(conn)

        return await self.database.read(serial)

    async def trace_events(self, trace_id: str, page: PageRequest) -> TraceEventsResponse:
        """``GET /v1/events/trace/{traceId}``."""
        return await self._read(lambda conn: events.trace_events(conn, self.sql, trace_id, page))

    async def correlation_events(
        self, correlation_id: str, page: PageRequest
    ) -> CorrelationEventsResponse:
        """``GET /v1/events/correlation/{correlationId}``."""
        return await self._read(
            lambda conn: events.correlation_events(conn, self.sql, correlation_id, page)
        )

    async def account_events(self, f: AccountFilter, page: PageRequest) -> AccountEventsResponse:
        """``GET /v1/events/account/{accountId}``."""
        return await self._read(lambda conn: events.account_events(conn, self.sql, f, page))

    async def account_summary(self, account_id: str) -> AccountSummaryResponse | None:
        """``GET /v1/events/account/{accountId}/summary`` (``None``: no events)."""
        return await self._read(lambda conn: events.account_summary(conn, self.sql, account_id))

    async def batch_events(
        self, batch_id: str, event_status: EventStatus | None, page: PageRequest
    ) -> BatchEventsResponse:
        """``GET /v1/events/batch/{batchId}``."""
        return await self._read(
            lambda conn: events.batch_events(conn, self.sql, batch_id, event_status, page)
        )

    async def batch_summary(self, batch_id: str) -> BatchSummaryResponse:
        """``GET /v1/events/batch/{batchId}/summary``."""
        return await self._read(lambda conn: events.batch_summary(conn, batch_id))

    async def lookup(self, f: LookupFilter, page: PageRequest) -> LookupResponse:
        """``POST /v1/events/lookup``."""
        return await self._read(lambda conn: events.lookup_events(conn, self.sql, f, page))

    async def event(self, execution_id: str) -> EventLogRecord | None:
        """``GET /v1/events/{executionId}``."""
        return await self._read(lambda conn: events.event_by_execution_id(conn, execution_id))

    async def search(self, f: SearchFilter, page: PageRequest) -> SearchResult:
        """``POST /v1/events/search/text``."""
        return await self._read(lambda conn: search.search_events(conn, self.sql, f, page))

    async def traces(self, f: TraceFilter, page: PageRequest, now: datetime) -> TraceListResponse:
        """``GET /v1/traces``."""
        return await self._read(lambda conn: traces.list_traces(conn, self.sql, f, page, now))

    async def dashboard_stats(self, start: datetime | None, end: datetime | None) -> DashboardStats:
        """``GET /v1/dashboard/stats``."""
        return await self._read(
            lambda conn: dashboard_stats.dashboard_stats(conn, self.sql, start, end)
        )

    async def time_series(
        self, start: datetime, end: datetime, bucket: TimeBucket, process_name: str | None
    ) -> list[ChartPoint]:
        """``GET /v1/dashboard/timeseries``."""
        return await self._read(
            lambda conn: charts.time_series(
                conn, self.sql, start=start, end=end, bucket=bucket, process_name=process_name
            )
        )

    async def process_stats(
        self, start: datetime, end: datetime, as_of: datetime
    ) -> list[ProcessStats]:
        """``GET /v1/dashboard/processes`` and ``/v1/dashboard/sla``."""
        return await self._read(
            lambda conn: charts.process_stats(conn, self.sql, start=start, end=end, as_of=as_of)
        )


def create_reads(database: Database) -> Reads:
    """The read side for ``database``."""
    return Reads(database)
