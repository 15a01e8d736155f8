"""``GET /v1/dashboard/stats``: trace figures over the traces active in the window
(first event <= end and last event >= start) through covering indexes; event totals and
system names from ``event_rollup_hourly`` for the whole hours of the window plus the two
partial hours at its edges counted exactly from ``event_log``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyodbc
from eventlog_schemas import DashboardStats, TimeBucket

from eventlog_api._private.settings import Dialect

from .buckets import HOUR, MS, floor_bucket, rate
from .dialect import ReadDialect
from .traces import window_source


def dashboard_stats(
    conn: pyodbc.Connection, d: ReadDialect, start: datetime | None, end: datetime | None
) -> DashboardStats:
    """Totals over the window (everything when neither bound is given)."""
    if start is None and end is None:
        if d.dialect is Dialect.POSTGRESQL:
            # The per-group trace counters of migration 0008: a few rows.
            row = conn.execute(
                "SELECT SUM(trace_count), SUM(CASE WHEN has_errors THEN 0 ELSE trace_count END) "
                "FROM trace_totals"
            ).fetchone()
            total = int(row[0] or 0) if row else 0
            clean = int(row[1] or 0) if row else 0
        else:
            total = _counts(conn, "SELECT COUNT(*) FROM trace_summary")
            # The traces with a failure are few: count them, not the clean ones.
            clean = total - _counts(
                conn, "SELECT COUNT(*) FROM trace_summary WHERE failure_count > 0"
            )
        accounts = _counts(
            conn,
            # Traces per account (migration 0009), on SQL Server the account index.
            "SELECT COUNT(*) FROM (SELECT account_id FROM trace_summary "
            "WHERE account_id IS NOT NULL GROUP BY account_id) a"
            if d.dialect is Dialect.MSSQL
            else "SELECT COUNT(*) FROM account_trace_counts WHERE trace_count > 0",
        )
    else:
        clean_flag = "CASE WHEN failure_count = 0 THEN 1 ELSE 0 END"
        # One pass over the window for all three figures.
        if d.dialect is Dialect.SQLITE:
            source, source_params, conds, cond_params = window_source(
                conn, d, start, end, narrow=True
            )
            params = [*source_params, *cond_params]
            where = f" WHERE {' AND '.join(conds)}" if conds else ""
            # COUNT(DISTINCT) stays on covering indexes (a grouped subquery would walk the
            # account index and look every trace up for its times).
            sql = (
                f"SELECT COUNT(*), SUM({clean_flag}), COUNT(DISTINCT t.account_id) "
                f"FROM {source}{where}"
            )
        else:
            source, source_params, conds, cond_params = window_source(conn, d, start, end)
            params = [*source_params, *cond_params]
            where = f" WHERE {' AND '.join(conds)}" if conds else ""
            # Grouped by account, which PostgreSQL hashes (COUNT(DISTINCT) always sorts);
            # the traces without an account form one group that COUNT(account_id) skips.
            sql = (
                "SELECT SUM(n), SUM(c), COUNT(account_id) FROM (SELECT t.account_id, "
                f"COUNT(*) AS n, SUM({clean_flag}) AS c FROM {source}{where} "
                "GROUP BY t.account_id) a"
            )
        row = conn.execute(sql, *params).fetchone()
        total = int(row[0] or 0) if row else 0
        clean = int(row[1] or 0) if row else 0
        accounts = int(row[2] or 0) if row else 0
    events, systems = _event_totals(conn, d, start, end)
    success = rate(clean, total)
    return DashboardStats(
        total_traces=total,
        total_accounts=accounts,
        total_events=events,
        success_rate=100.0 if success is None else success,
        system_names=sorted(systems),
    )


def _counts(conn: pyodbc.Connection, sql: str, *params: object) -> int:
    row = conn.execute(sql, *params).fetchone()
    return int(row[0] or 0) if row else 0


def _ceil_hour(value: datetime) -> datetime:
    floor = floor_bucket(value, TimeBucket.HOUR)
    return floor if floor == value else floor + HOUR


def _event_totals(
    conn: pyodbc.Connection, d: ReadDialect, start: datetime | None, end: datetime | None
) -> tuple[int, set[str]]:
    """Events and target systems with event time in ``[start, end]``."""
    # Whole hours come from the rollup; [start, first whole hour) and [last whole hour
    # end, end] are counted from event_log (at most two hours of rows).
    if start is None and end is None:
        # All time: the per-system totals (migration 0005), a few rows.
        rows = conn.execute(
            "SELECT target_system, SUM(event_count) FROM event_totals GROUP BY target_system"
        ).fetchall()
        totals = {str(system): int(n or 0) for system, n in rows}
        return sum(totals.values()), {system for system, n in totals.items() if n > 0}
    first_whole = _ceil_hour(start) if start is not None else None
    after_whole = floor_bucket(end + MS, TimeBucket.HOUR) if end is not None else None
    counts: dict[str, int] = {}

    def add(rows: list[Any]) -> None:
        for system, n in rows:
            counts[str(system)] = counts.get(str(system), 0) + int(n or 0)

    if first_whole is not None and after_whole is not None and first_whole >= after_whole:
        assert start is not None
        assert end is not None
        add(_raw_counts(conn, d, start, end, inclusive_end=True))
    else:
        conds: list[str] = []
        params: list[object] = []
        if first_whole is not None:
            conds.append("bucket_start >= ?")
            params.append(d.ts(first_whole))
        if after_whole is not None:
            conds.append("bucket_start < ?")
            params.append(d.ts(after_whole))
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        add(
            conn.execute(
                "SELECT target_system, SUM(event_count) FROM event_rollup_hourly"
                f"{where} GROUP BY target_system",
                *params,
            ).fetchall()
        )
        if start is not None and first_whole is not None and start < first_whole:
            add(_raw_counts(conn, d, start, first_whole, inclusive_end=False))
        if end is not None and after_whole is not None and after_whole <= end:
            add(_raw_counts(conn, d, after_whole, end, inclusive_end=True))
    return sum(counts.values()), {system for system, n in counts.items() if n > 0}


def _raw_counts(
    conn: pyodbc.Connection, d: ReadDialect, lo: datetime, hi: datetime, *, inclusive_end: bool
) -> list[Any]:
    op = "<=" if inclusive_end else "<"
    return list(
        conn.execute(
            "SELECT target_system, COUNT(*) FROM event_log "
            f"WHERE event_timestamp >= ? AND event_timestamp {op} ? GROUP BY target_system",
            d.ts(lo),
            d.ts(hi),
        ).fetchall()
    )
