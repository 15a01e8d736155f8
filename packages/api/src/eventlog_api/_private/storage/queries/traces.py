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
from datetime import UTC, datetime, timedelta
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


def longest_trace_ms(conn: pyodbc.Connection) -> int:
    """An upper bound of every trace's duration (migration 0004 keeps it)."""
    row = conn.execute("SELECT MAX(max_ms) FROM trace_span_max").fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


def window_conditions(
    conn: pyodbc.Connection,
    d: ReadDialect,
    start: datetime | None,
    end: datetime | None,
    alias: str = "t",
) -> tuple[list[str], list[object]]:
    """Traces active in ``[start, end]``: first event <= end and last event >= start.

    A trace's last event lies within its longest-duration bound of its first, so the last
    event of a trace active in the window is at most ``end + longest``: that bounds the
    scan along ``last_event_at`` (the covering activity index) at both ends.
    """
    conds: list[str] = []
    params: list[object] = []
    if start is not None:
        conds.append(f"{alias}.last_event_at >= ?")
        params.append(d.ts(start))
    if end is not None:
        conds.append(f"{alias}.last_event_at <= ?")
        params.append(d.ts(end + timedelta(milliseconds=longest_trace_ms(conn))))
        # The scan runs along last_event_at; the first event only filters.
        conds.append(f"{d.no_index(f'{alias}.first_event_at')} <= ?")
        params.append(d.ts(end))
    return conds, params


LONG_TRACE = timedelta(hours=1)
_LONG_TRACE_SQL = "interval '1 hour'"
"""Traces that lasted longer than this are in ``ix_trace_summary_long`` (PostgreSQL,
migration 0008, whose predicate is written exactly like this)."""


_SQLITE_LONG = "julianday(s.last_event_at) - julianday(s.first_event_at) > 1.0 / 24"
"""The predicate of SQLite's ``ix_trace_summary_long`` (migration 0011), written alike."""
NARROW_COLUMNS = ("trace_id", "last_event_at", "first_event_at", "failure_count", "account_id")
"""The columns of a narrow window source (those of the covering activity index)."""


def window_source(
    conn: pyodbc.Connection,
    d: ReadDialect,
    start: datetime | None,
    end: datetime | None,
    *,
    narrow: bool = False,
) -> tuple[str, list[object], list[str], list[object]]:
    """Traces active in ``[start, end]``: a source standing for ``trace_summary t`` with its
    parameters, and conditions on ``t`` with theirs.

    With an end, on PostgreSQL, and on SQLite when the caller needs only
    ``NARROW_COLUMNS`` (``narrow``), the source reads two disjoint parts: every trace whose
    last event is in ``[start, end + 1 hour]`` (a short range of the covering activity
    index; no duration to compute per row), and from the small partial index of traces
    that lasted over an hour, those whose last event is later (a trace that ended over
    an hour after the window's end and started in it lasted over an hour).
    ``window_conditions`` bounds the scan by the longest trace instead, which is days
    past the window's end once one trace ran for days. On SQLite the arms select covering
    columns only (a ``SELECT *`` would look every trace up). Elsewhere: the plain table
    and ``window_conditions``.
    """
    sqlite = d.dialect is Dialect.SQLITE
    if end is None or not (d.dialect is Dialect.POSTGRESQL or (sqlite and narrow)):
        conds, params = window_conditions(conn, d, start, end)
        return "trace_summary t", [], conds, params
    columns = ", ".join(NARROW_COLUMNS) if sqlite else "*"
    short_index = " INDEXED BY ix_trace_summary_activity" if sqlite else ""
    long_index = " INDEXED BY ix_trace_summary_long" if sqlite else ""
    # The partial index's predicate, written the same way so that the planner uses it.
    long_trace = (
        _SQLITE_LONG if sqlite else f"s.last_event_at - s.first_event_at > {_LONG_TRACE_SQL}"
    )
    lower = "s.last_event_at >= ? AND " if start is not None else ""
    lower_params: list[object] = [d.ts(start)] if start is not None else []
    short = (
        f"SELECT {columns} FROM trace_summary s{short_index} "
        f"WHERE {lower}s.last_event_at <= ? AND s.first_event_at <= ?"
    )
    long = (
        f"SELECT {columns} FROM trace_summary s{long_index} "
        f"WHERE {long_trace} AND s.last_event_at > ? AND s.first_event_at <= ?"
    )
    after = d.ts(end + LONG_TRACE)
    params = [*lower_params, after, d.ts(end), after, d.ts(end)]
    return f"({short} UNION ALL {long}) t", params, [], []


def _columns(d: ReadDialect) -> str:
    return (
        "t.trace_id, t.event_count, t.has_errors, t.derived_status, t.first_event_at, "
        "t.last_event_at, t.process_name, t.account_id, "
        f"{d.millis_between('t.first_event_at', 't.last_event_at')} AS duration_ms"
    )


_ORDER = "t.last_event_at DESC, t.trace_id"
_REVERSED = "t.last_event_at, t.trace_id DESC"
_ALL_DERIVED = {"SUCCESS", "FAILURE", "WARNING", "IN_PROGRESS"}


def list_traces(
    conn: pyodbc.Connection,
    d: ReadDialect,
    f: TraceFilter,
    page: PageRequest,
    now: datetime,
) -> TraceListResponse:
    """A page of traces, newest activity first, with the true total.

    Two steps: the page's trace ids from an index (offsets skip index entries, not
    rows), then those rows by primary key.
    """
    conds: list[str] = []
    params: list[object] = []
    # A filter with several values becomes arms, one per value, each served in list order
    # by its own index; arms never overlap (distinct names, distinct statuses).
    arms: list[tuple[str, list[object]]] = []
    names: list[str] | None = None

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
            return _page(page, [], 0)
        if len(names) == 1:
            conds.append("t.process_name = ?")
            params.append(names[0])
        else:
            arms = [("t.process_name = ?", [name]) for name in names]
    statuses = [s.value for s in dict.fromkeys(f.statuses)]
    if statuses and not set(statuses) >= _ALL_DERIVED:
        if len(statuses) == 1:
            conds.append(d.status_condition(statuses[0]))
        elif arms:
            conds.append("(" + " OR ".join(f"({d.status_condition(s)})" for s in statuses) + ")")
        else:
            arms = [(d.status_condition(s), []) for s in statuses]
    if f.account_id is not None:
        conds.append(d.contains("t.account_id"))
        params.append(like_pattern(f.account_id))
    if f.has_errors is not None:
        conds.append("t.failure_count > 0" if f.has_errors else "t.failure_count = 0")
    # Process and status filters read columns a narrow window source does not have.
    narrow = not (f.process_name or statuses)
    source, source_params, window, window_params = window_source(
        conn, d, f.start, f.end, narrow=narrow
    )
    conds.extend(window)
    params.extend(window_params)

    counted = d.dialect is Dialect.POSTGRESQL and (
        f.trace_id,
        f.correlation_id,
        f.account_id,
        f.start,
        f.end,
    ) == (None, None, None, None, None)
    status_filter = statuses if statuses and not set(statuses) >= _ALL_DERIVED else None
    days: list[tuple[datetime, int]] | None = None
    if counted and (names, status_filter, f.has_errors) == (None, None, None):
        # No filter at all: the daily counts of migration 0008 give the total and where
        # each page starts.
        days = _activity_days(conn)
        total = sum(n for _, n in days)
    elif counted:
        # Filters the counters of migration 0008 are kept by: a few rows instead of a
        # count over every matching trace.
        total = _counted_total(conn, names, status_filter, f.has_errors)
    elif arms:
        total = 0
        for arm, arm_params in arms:
            total += _count(conn, source, [*conds, arm], [*source_params, *params, *arm_params])
    else:
        total = _count(conn, source, conds, [*source_params, *params])
    if total == 0 or page.offset >= total:
        return _page(page, [], total)

    if arms and d.dialect is not Dialect.MSSQL:
        ids = _merged_ids(
            conn,
            d,
            source=(source, source_params),
            conds=conds,
            params=params,
            arms=arms,
            page=page,
        )
    else:
        where_parts = list(conds)
        where_params = list(params)
        if arms:
            where_parts.append("(" + " OR ".join(f"({arm})" for arm, _ in arms) + ")")
            for _, arm_params in arms:
                where_params.extend(arm_params)
        # Past the middle, the page is nearer the other end of the index: read it from
        # there (an offset skips index entries one by one).
        reverse = page.offset > total // 2 and days is None
        if days is not None:
            # Skip the newer days whole: the scan starts at the day the page begins on.
            before, skip = _page_start(days, page.offset)
            if before is not None:
                where_parts.append("t.last_event_at < ?")
                where_params.append(d.ts(before))
            clause, extra = d.page(page.page_size, skip)
        elif reverse:
            limit = min(page.page_size, total - page.offset)
            clause, extra = d.page(limit, max(0, total - page.offset - limit))
        else:
            clause, extra = d.page(page.page_size, page.offset)
        order = _REVERSED if reverse else _ORDER
        if (
            d.dialect is Dialect.SQLITE
            and source == "trace_summary t"
            and f.start is not None
            and f.end is not None
            and not (arms or f.process_name or statuses or f.has_errors is not None)
        ):
            # A window alone: walk the covering activity index from the start (the
            # planner would take the list index and look every row up for its first event).
            source = "trace_summary t INDEXED BY ix_trace_summary_activity"
        ids = [
            str(row[0])
            for row in conn.execute(
                f"SELECT t.trace_id FROM {source}{_where(where_parts)} ORDER BY {order}{clause}",
                *source_params,
                *where_params,
                *extra,
            ).fetchall()
        ]
        if reverse:
            ids.reverse()
    if not ids:
        return _page(page, [], total)
    rows = conn.execute(
        f"SELECT {_columns(d)} FROM trace_summary t WHERE {d.in_list('t.trace_id', len(ids))}",
        *ids,
    ).fetchall()
    by_id = {str(row[0]): row for row in rows}
    slas = sla_by_process(conn)
    return _page(page, [_summary(by_id[i], slas, now) for i in ids if i in by_id], total)


def _where(conds: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(conds)}" if conds else ""


def _count(
    conn: pyodbc.Connection, source: str, conds: Sequence[str], params: Sequence[object]
) -> int:
    row = conn.execute(f"SELECT COUNT(*) FROM {source}{_where(conds)}", *params).fetchone()
    return int(row[0]) if row else 0


def _activity_days(conn: pyodbc.Connection) -> list[tuple[datetime, int]]:
    """Traces per UTC day of their last event, newest day first (PostgreSQL, 0008)."""
    rows = conn.execute(
        "SELECT day, SUM(trace_count) FROM trace_activity_daily GROUP BY day "
        "HAVING SUM(trace_count) <> 0 ORDER BY day DESC"
    ).fetchall()
    return [(as_datetime(row[0]), int(row[1])) for row in rows]


def _page_start(days: Sequence[tuple[datetime, int]], offset: int) -> tuple[datetime | None, int]:
    """The end of the day the ``offset``-th trace (newest first) is on, and its offset
    among the traces of that day and older."""
    before: datetime | None = None
    for day, count in days:
        if offset < count:
            break
        offset -= count
        before = day
    return before, offset


def _counted_total(
    conn: pyodbc.Connection,
    names: Sequence[str] | None,
    statuses: Sequence[str] | None,
    has_errors: bool | None,
) -> int:
    """The traces per (process, derived status, has errors) of ``trace_totals``, summed
    (PostgreSQL; ``None`` keeps every value)."""
    conds: list[str] = []
    params: list[object] = []
    if names is not None:
        conds.append(f"process_name IN ({', '.join('?' * len(names))})")
        params.extend(names)
    if statuses is not None:
        conds.append(f"derived_status IN ({', '.join('?' * len(statuses))})")
        params.extend(statuses)
    if has_errors is not None:
        conds.append("has_errors" if has_errors else "NOT has_errors")
    row = conn.execute(
        f"SELECT SUM(trace_count) FROM trace_totals{_where(conds)}", *params
    ).fetchone()
    return int(row[0] or 0) if row else 0


def _merged_ids(
    conn: pyodbc.Connection,
    d: ReadDialect,
    *,
    source: tuple[str, Sequence[object]],
    conds: Sequence[str],
    params: Sequence[object],
    arms: Sequence[tuple[str, list[object]]],
    page: PageRequest,
) -> list[str]:
    """One ordered, limited arm per value, merged: each arm reads only its first entries."""
    keep = page.offset + page.page_size
    sql_arms: list[str] = []
    arm_params: list[object] = []
    for i, (arm, values) in enumerate(arms):
        sql_arms.append(
            f"SELECT * FROM (SELECT t.trace_id, t.last_event_at FROM {source[0]}"
            f"{_where([*conds, arm])} ORDER BY {_ORDER} LIMIT ?) a{i}"
        )
        arm_params.extend([*source[1], *params, *values, keep])
    clause, extra = d.page(page.page_size, page.offset)
    sql = (
        f"SELECT u.trace_id FROM ({' UNION ALL '.join(sql_arms)}) u "
        f"ORDER BY u.last_event_at DESC, u.trace_id{clause}"
    )
    return [str(row[0]) for row in conn.execute(sql, *arm_params, *extra).fetchall()]


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
