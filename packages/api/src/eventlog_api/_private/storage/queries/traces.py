"""``GET /v1/traces``: the trace list, read from ``trace_summary`` only.

Every filter maps onto an index of migration 0003 whose last column is
``last_event_at``, so a page comes out of an index already in "newest activity first"
order. A filter with several values (process names matching a substring, several
statuses) runs as one ordered, limited query per value, merged, instead of an ``IN``
that would sort every matching trace. The process-name substring is resolved against
the few distinct process names first (a loose index scan), never with ``LIKE '%x%'``
over every trace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyodbc
from eventlog_schemas import EventStatus, TraceListResponse, TraceSummary, parse_timestamp

from eventlog_api._private.settings import Dialect
from eventlog_api._private.storage.values import to_bool, to_wire_timestamp

from .dialect import ReadDialect, like_pattern
from .events import PageRequest

_FINISHED = (EventStatus.SUCCESS, EventStatus.FAILURE)


@dataclass(frozen=True, slots=True)
class TraceFilter:
    """The filters of the trace list (validated, statuses already parsed)."""

    start: datetime | None = None
    end: datetime | None = None
    process_name: str | None = None
    """Case-insensitive substring; a space matches any one character."""
    account_id: str | None = None
    """Case-insensitive substring."""
    trace_id: str | None = None
    correlation_id: str | None = None
    statuses: tuple[EventStatus, ...] = ()
    """Derived statuses to keep; empty keeps every status."""
    has_errors: bool | None = None


def as_datetime(value: Any) -> datetime:
    """A stored timestamp as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return parse_timestamp(str(value))


def process_names(conn: pyodbc.Connection, d: ReadDialect) -> list[str]:
    """The distinct process names of the traces."""
    if d.dialect is Dialect.MSSQL:
        sql = (
            "SELECT DISTINCT process_name FROM trace_summary WHERE process_name IS NOT NULL "
            "ORDER BY process_name"
        )
    else:
        # A loose index scan: one index seek per distinct name instead of reading every row.
        sql = (
            "WITH RECURSIVE names(n) AS ("
            "SELECT MIN(process_name) FROM trace_summary "
            "UNION ALL "
            "SELECT (SELECT MIN(t.process_name) FROM trace_summary t "
            "WHERE t.process_name > names.n) FROM names WHERE names.n IS NOT NULL) "
            "SELECT n FROM names WHERE n IS NOT NULL"
        )
    return [str(row[0]) for row in conn.execute(sql).fetchall()]


def name_matcher(text: str) -> re.Pattern[str]:
    """The process-name filter as a regex: case-insensitive substring, space = any char."""
    return re.compile(
        "".join("." if ch == " " else re.escape(ch) for ch in text), re.IGNORECASE | re.DOTALL
    )


def sla_by_process(conn: pyodbc.Connection) -> dict[str, int]:
    """The SLA of every process definition that has one."""
    rows = conn.execute(
        "SELECT process_name, sla_ms FROM process_definitions WHERE sla_ms IS NOT NULL"
    ).fetchall()
    return {str(row[0]): int(row[1]) for row in rows}


def _columns(d: ReadDialect) -> str:
    return (
        "t.trace_id, t.event_count, t.has_errors, t.derived_status, t.first_event_at, "
        "t.last_event_at, t.process_name, t.account_id, "
        f"{d.millis_between('t.first_event_at', 't.last_event_at')} AS duration_ms"
    )


def list_traces(
    conn: pyodbc.Connection,
    d: ReadDialect,
    f: TraceFilter,
    page: PageRequest,
    now: datetime,
) -> TraceListResponse:
    """A page of traces, newest activity first, with the true total."""
    conds: list[str] = []
    params: list[object] = []
    split_column: str | None = None
    split_values: list[str] = []

    if f.trace_id is not None:
        conds.append("t.trace_id = ?")
        params.append(f.trace_id)
    if f.correlation_id is not None:
        conds.append(
            "t.trace_id IN (SELECT c.trace_id FROM event_log c WHERE c.correlation_id = ?)"
        )
        params.append(f.correlation_id)
    if f.process_name is not None:
        matcher = name_matcher(f.process_name)
        names = [name for name in process_names(conn, d) if matcher.search(name)]
        if not names:
            return _empty(page)
        if len(names) == 1:
            conds.append("t.process_name = ?")
            params.append(names[0])
        else:
            split_column, split_values = "t.process_name", names
    statuses = list(dict.fromkeys(f.statuses))
    if len(statuses) == 1 or (statuses and split_column is not None):
        conds.append(d.in_list("t.derived_status", len(statuses)))
        params.extend(s.value for s in statuses)
    elif statuses and len(statuses) < len(EventStatus):
        split_column, split_values = "t.derived_status", [s.value for s in statuses]
    if f.account_id is not None:
        conds.append(d.contains("t.account_id"))
        params.append(like_pattern(f.account_id))
    if f.has_errors is not None:
        conds.append(f"t.has_errors = {d.true if f.has_errors else d.false}")
    if f.start is not None:
        conds.append("t.last_event_at >= ?")
        params.append(d.ts(f.start))
    if f.end is not None:
        conds.append("t.first_event_at <= ?")
        params.append(d.ts(f.end))

    count_conds = list(conds)
    count_params = list(params)
    if split_column is not None:
        count_conds.append(d.in_list(split_column, len(split_values)))
        count_params.extend(split_values)
    where = f" WHERE {' AND '.join(count_conds)}" if count_conds else ""
    row = conn.execute(f"SELECT COUNT(*) FROM trace_summary t{where}", *count_params).fetchone()
    total = int(row[0]) if row else 0
    if total == 0 or page.offset >= total:
        return _page(page, [], total)

    order = " ORDER BY t.last_event_at DESC, t.trace_id"
    if split_column is None or d.dialect is Dialect.MSSQL:
        clause, extra = d.page(page.page_size, page.offset)
        rows = conn.execute(
            f"SELECT {_columns(d)} FROM trace_summary t{where}{order}{clause}",
            *count_params,
            *extra,
        ).fetchall()
    else:
        rows = _merged_page(
            conn, d, conds=conds, params=params, column=split_column, values=split_values, page=page
        )
    slas = sla_by_process(conn)
    return _page(page, [_summary(r, slas, now) for r in rows], total)


def _merged_page(
    conn: pyodbc.Connection,
    d: ReadDialect,
    *,
    conds: Sequence[str],
    params: Sequence[object],
    column: str,
    values: Sequence[str],
    page: PageRequest,
) -> list[Any]:
    """One ordered, limited arm per value, merged: each arm reads only its first rows."""
    keep = page.offset + page.page_size
    arms: list[str] = []
    arm_params: list[object] = []
    for i, value in enumerate(values):
        arm_where = " AND ".join([*conds, f"{column} = ?"])
        arms.append(
            f"SELECT * FROM (SELECT {_columns(d)} FROM trace_summary t WHERE {arm_where} "
            f"ORDER BY t.last_event_at DESC, t.trace_id LIMIT ?) a{i}"
        )
        arm_params.extend([*params, value, keep])
    sql = (
        f"SELECT * FROM ({' UNION ALL '.join(arms)}) u "
        "ORDER BY u.last_event_at DESC, u.trace_id LIMIT ? OFFSET ?"
    )
    return list(conn.execute(sql, *arm_params, page.page_size, page.offset).fetchall())


def _summary(row: Sequence[Any], slas: dict[str, int], now: datetime) -> TraceSummary:
    status = EventStatus(row[3])
    process = row[6]
    duration = int(row[8])
    sla = slas.get(process) if process is not None else None
    breached: bool | None = None
    if sla is not None:
        if status in _FINISHED:
            breached = duration > sla
        else:
            open_for = (now - as_datetime(row[4])).total_seconds() * 1000
            breached = open_for > sla
    return TraceSummary(
        trace_id=row[0],
        event_count=int(row[1]),
        has_errors=to_bool(row[2]),
        latest_status=status,
        duration_ms=duration,
        process_name=process,
        account_id=row[7],
        start_time=to_wire_timestamp(row[4]) or "",
        end_time=to_wire_timestamp(row[5]) or "",
        sla_ms=sla,
        sla_breached=breached,
    )


def _page(page: PageRequest, traces: list[TraceSummary], total: int) -> TraceListResponse:
    return TraceListResponse(
        traces=traces,
        total_count=total,
        page=page.page,
        page_size=page.page_size,
        has_more=page.has_more(total),
    )


def _empty(page: PageRequest) -> TraceListResponse:
    return _page(page, [], 0)
