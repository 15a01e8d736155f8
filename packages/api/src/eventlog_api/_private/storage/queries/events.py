"""Event reads: one trace, one correlation, an account, a batch, a lookup, one event.

Each function is one unit of work on an autocommit reader connection (several
statements, one thread hop). Lists are paged with the contract's offset pagination;
``totalCount`` always counts the whole filtered set, so a page past the end returns no
rows but the true total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyodbc
from eventlog_schemas import (
    AccountEventsResponse,
    AccountSummary,
    AccountSummaryResponse,
    BatchEventsResponse,
    BatchSummaryResponse,
    CorrelationEventsResponse,
    EventLogRecord,
    EventStatus,
    LookupResponse,
    StatusCounts,
    TraceEventsResponse,
)

from eventlog_api._private.storage.values import to_wire_timestamp

from .dialect import ReadDialect
from .records import record_columns, to_record

_COLS = record_columns("e")
_NEWEST_FIRST = " ORDER BY e.event_timestamp DESC, e.event_log_id DESC"


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A 1-based page and its size (already validated against the family's maximum)."""

    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def has_more(self, total: int) -> bool:
        """The contract's rule: ``offset + pageSize < totalCount``."""
        return self.offset + self.page_size < total


def _records(
    conn: pyodbc.Connection, d: ReadDialect, sql: str, params: Sequence[object], page: PageRequest
) -> list[EventLogRecord]:
    clause, extra = d.page(page.page_size, page.offset)
    rows = conn.execute(sql + clause, *params, *extra).fetchall()
    return [to_record(row) for row in rows]


def _count(conn: pyodbc.Connection, sql: str, params: Sequence[object]) -> int:
    row = conn.execute(sql, *params).fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


def _scalar_list(conn: pyodbc.Connection, sql: str, params: Sequence[object]) -> list[str]:
    return [str(row[0]) for row in conn.execute(sql, *params).fetchall()]


# -- one trace ----------------------------------------------------------------------------


def trace_events(
    conn: pyodbc.Connection, d: ReadDialect, trace_id: str, page: PageRequest
) -> TraceEventsResponse:
    """A page of a trace's events, oldest first, with aggregates of the whole trace."""
    summary = conn.execute(
        "SELECT first_event_at, last_event_at, event_count, success_count, failure_count, "
        "in_progress_count, skipped_count, warning_count, process_name, account_id, "
        f"{d.millis_between('first_event_at', 'last_event_at')} "
        "FROM trace_summary WHERE trace_id = ?",
        trace_id,
    ).fetchone()
    if summary is None:
        return TraceEventsResponse(
            trace_id=trace_id,
            events=[],
            total_count=0,
            page=page.page,
            page_size=page.page_size,
            has_more=False,
            systems_involved=None,
            total_duration_ms=None,
            status_counts=None,
            process_name=None,
            account_id=None,
            start_time=None,
            end_time=None,
        )
    total = int(summary[2])
    events = _records(
        conn,
        d,
        f"SELECT {_COLS} FROM event_log e WHERE e.trace_id = ? "
        "ORDER BY e.event_timestamp, e.event_log_id",
        [trace_id],
        page,
    )
    systems = _scalar_list(
        conn,
        "SELECT DISTINCT target_system FROM event_log WHERE trace_id = ? ORDER BY target_system",
        [trace_id],
    )
    return TraceEventsResponse(
        trace_id=trace_id,
        events=events,
        total_count=total,
        page=page.page,
        page_size=page.page_size,
        has_more=page.has_more(total),
        systems_involved=systems,
        total_duration_ms=int(summary[10]),
        status_counts=StatusCounts(
            success=int(summary[3]),
            failure=int(summary[4]),
            in_progress=int(summary[5]),
            skipped=int(summary[6]),
            warning=int(summary[7]),
        ),
        process_name=summary[8],
        account_id=summary[9],
        start_time=to_wire_timestamp(summary[0]),
        end_time=to_wire_timestamp(summary[1]),
    )


# -- one correlation id -------------------------------------------------------------------


def correlation_events(
    conn: pyodbc.Connection, d: ReadDialect, correlation_id: str, page: PageRequest
) -> CorrelationEventsResponse:
    """A page of a correlation's events by step then time, with its link."""
    link = conn.execute(
        "SELECT account_id FROM correlation_links WHERE correlation_id = ?", correlation_id
    ).fetchone()
    total = _count(
        conn, "SELECT COUNT(*) FROM event_log WHERE correlation_id = ?", [correlation_id]
    )
    events = (
        _records(
            conn,
            d,
            # Events without a step sequence sort after the numbered steps on every dialect.
            f"SELECT {_COLS} FROM event_log e WHERE e.correlation_id = ? ORDER BY "
            "CASE WHEN e.step_sequence IS NULL THEN 1 ELSE 0 END, e.step_sequence, "
            "e.event_timestamp, e.event_log_id",
            [correlation_id],
            page,
        )
        if total
        else []
    )
    return CorrelationEventsResponse(
        correlation_id=correlation_id,
        account_id=link[0] if link is not None else None,
        is_linked=link is not None,
        events=events,
        total_count=total,
        page=page.page,
        page_size=page.page_size,
        has_more=page.has_more(total),
    )


# -- one account --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountFilter:
    """Filters of the account timeline."""

    account_id: str
    start: datetime | None = None
    end: datetime | None = None
    process_name: str | None = None
    event_status: EventStatus | None = None
    include_linked: bool = False


def _event_filters(
    d: ReadDialect,
    *,
    start: datetime | None,
    end: datetime | None,
    process_name: str | None,
    event_status: EventStatus | None,
) -> tuple[str, list[object]]:
    sql: list[str] = []
    params: list[object] = []
    if start is not None:
        sql.append("e.event_timestamp >= ?")
        params.append(d.ts(start))
    if end is not None:
        sql.append("e.event_timestamp <= ?")
        params.append(d.ts(end))
    if process_name is not None:
        sql.append("e.process_name = ?")
        params.append(process_name)
    if event_status is not None:
        sql.append("e.event_status = ?")
        params.append(event_status.value)
    return "".join(f" AND {part}" for part in sql), params


def account_events(
    conn: pyodbc.Connection, d: ReadDialect, f: AccountFilter, page: PageRequest
) -> AccountEventsResponse:
    """A page of an account's events, newest first; linked correlations on request."""
    extra, extra_params = _event_filters(
        d, start=f.start, end=f.end, process_name=f.process_name, event_status=f.event_status
    )
    if f.include_linked:
        # Two indexed halves (the account's own events, the events of its linked
        # correlations) united by id, instead of an OR that no index serves.
        where = (
            "e.event_log_id IN ("
            "SELECT a.event_log_id FROM event_log a WHERE a.account_id = ? UNION "
            "SELECT c.event_log_id FROM correlation_links l JOIN event_log c "
            "ON c.correlation_id = l.correlation_id WHERE l.account_id = ?)"
        )
        params: list[object] = [f.account_id, f.account_id, *extra_params]
    else:
        where = "e.account_id = ?"
        params = [f.account_id, *extra_params]
    total = _count(conn, f"SELECT COUNT(*) FROM event_log e WHERE {where}{extra}", params)
    events = (
        _records(
            conn,
            d,
            f"SELECT {_COLS} FROM event_log e WHERE {where}{extra}{_NEWEST_FIRST}",
            params,
            page,
        )
        if total
        else []
    )
    return AccountEventsResponse(
        account_id=f.account_id,
        events=events,
        total_count=total,
        page=page.page,
        page_size=page.page_size,
        has_more=page.has_more(total),
    )


def account_summary(
    conn: pyodbc.Connection, d: ReadDialect, account_id: str
) -> AccountSummaryResponse | None:
    """What the account's own events add up to; ``None`` when it has none."""
    row = conn.execute(
        "SELECT COUNT(*), MIN(event_timestamp), MAX(event_timestamp), "
        "COUNT(DISTINCT trace_id), "
        "SUM(CASE WHEN event_status = 'FAILURE' THEN 1 ELSE 0 END), MAX(created_at) "
        "FROM event_log WHERE account_id = ?",
        account_id,
    ).fetchone()
    if row is None or not row[0]:
        return None
    recent = _records(
        conn,
        d,
        f"SELECT {_COLS} FROM event_log e WHERE e.account_id = ?{_NEWEST_FIRST}",
        [account_id],
        PageRequest(1, 10),
    )
    errors = _records(
        conn,
        d,
        f"SELECT {_COLS} FROM event_log e WHERE e.account_id = ? "
        f"AND e.event_status = 'FAILURE'{_NEWEST_FIRST}",
        [account_id],
        PageRequest(1, 5),
    )
    systems = _scalar_list(
        conn,
        "SELECT DISTINCT target_system FROM event_log WHERE account_id = ? ORDER BY target_system",
        [account_id],
    )
    correlations = _scalar_list(
        conn,
        "SELECT DISTINCT correlation_id FROM event_log WHERE account_id = ? "
        "ORDER BY correlation_id",
        [account_id],
    )
    return AccountSummaryResponse(
        summary=AccountSummary(
            account_id=account_id,
            first_event_at=to_wire_timestamp(row[1]),
            last_event_at=to_wire_timestamp(row[2]),
            total_events=int(row[0]),
            total_processes=int(row[3]),
            error_count=int(row[4] or 0),
            last_process=recent[0].process_name if recent else None,
            systems_touched=systems,
            correlation_ids=correlations,
            updated_at=to_wire_timestamp(row[5]),
        ),
        recent_events=recent,
        recent_errors=errors,
    )


# -- one batch ----------------------------------------------------------------------------


def batch_events(
    conn: pyodbc.Connection,
    d: ReadDialect,
    batch_id: str,
    event_status: EventStatus | None,
    page: PageRequest,
) -> BatchEventsResponse:
    """A page of a batch's events, newest first, with distinct-correlation counts."""
    counts = conn.execute(
        "SELECT COUNT(DISTINCT correlation_id), "
        "COUNT(DISTINCT CASE WHEN event_status = 'SUCCESS' THEN correlation_id END), "
        "COUNT(DISTINCT CASE WHEN event_status = 'FAILURE' THEN correlation_id END) "
        "FROM event_log WHERE batch_id = ?",
        batch_id,
    ).fetchone()
    where = "e.batch_id = ?"
    params: list[object] = [batch_id]
    if event_status is not None:
        where += " AND e.event_status = ?"
        params.append(event_status.value)
    total = _count(conn, f"SELECT COUNT(*) FROM event_log e WHERE {where}", params)
    events = (
        _records(
            conn, d, f"SELECT {_COLS} FROM event_log e WHERE {where}{_NEWEST_FIRST}", params, page
        )
        if total
        else []
    )
    return BatchEventsResponse(
        batch_id=batch_id,
        events=events,
        total_count=total,
        unique_correlation_ids=int(counts[0]) if counts else 0,
        success_count=int(counts[1]) if counts else 0,
        failure_count=int(counts[2]) if counts else 0,
        page=page.page,
        page_size=page.page_size,
        has_more=page.has_more(total),
    )


def batch_summary(conn: pyodbc.Connection, batch_id: str) -> BatchSummaryResponse:
    """How the correlations of a batch stand (zeros and nulls for an unknown batch)."""
    row = conn.execute(
        "SELECT COUNT(DISTINCT correlation_id), "
        "COUNT(DISTINCT CASE WHEN event_type = 'PROCESS_END' AND event_status = 'SUCCESS' "
        "THEN correlation_id END), "
        "COUNT(DISTINCT CASE WHEN event_status = 'FAILURE' THEN correlation_id END), "
        "MIN(event_timestamp), MAX(event_timestamp) "
        "FROM event_log WHERE batch_id = ?",
        batch_id,
    ).fetchone()
    total, completed, failed = (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)
    correlations = (
        _scalar_list(
            conn,
            "SELECT DISTINCT correlation_id FROM event_log WHERE batch_id = ? "
            "ORDER BY correlation_id",
            [batch_id],
        )
        if total
        else []
    )
    return BatchSummaryResponse(
        batch_id=batch_id,
        total_processes=total,
        completed=completed,
        in_progress=max(0, total - completed - failed),
        failed=failed,
        correlation_ids=correlations,
        started_at=to_wire_timestamp(row[3]) if row else None,
        last_event_at=to_wire_timestamp(row[4]) if row else None,
    )


# -- lookup and single event --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LookupFilter:
    """Exact filters of ``POST /v1/events/lookup`` (already past the guardrails)."""

    account_id: str | None = None
    process_name: str | None = None
    event_status: EventStatus | None = None
    start: datetime | None = None
    end: datetime | None = None


def lookup_events(
    conn: pyodbc.Connection, d: ReadDialect, f: LookupFilter, page: PageRequest
) -> LookupResponse:
    """Events matching every given filter exactly, newest first."""
    where = ["1 = 1"]
    params: list[object] = []
    if f.account_id is not None:
        where.append("e.account_id = ?")
        params.append(f.account_id)
    extra, extra_params = _event_filters(
        d, start=f.start, end=f.end, process_name=f.process_name, event_status=f.event_status
    )
    sql_where = " AND ".join(where) + extra
    params.extend(extra_params)
    total = _count(conn, f"SELECT COUNT(*) FROM event_log e WHERE {sql_where}", params)
    events = (
        _records(
            conn,
            d,
            f"SELECT {_COLS} FROM event_log e WHERE {sql_where}{_NEWEST_FIRST}",
            params,
            page,
        )
        if total
        else []
    )
    return LookupResponse(
        events=events,
        total_count=total,
        page=page.page,
        page_size=page.page_size,
        has_more=page.has_more(total),
    )


def event_by_execution_id(conn: pyodbc.Connection, execution_id: str) -> EventLogRecord | None:
    """One event by its server-assigned id, or ``None``."""
    row: Any = conn.execute(
        f"SELECT {_COLS} FROM event_log e WHERE e.execution_id = ?", execution_id
    ).fetchone()
    return None if row is None else to_record(row)
