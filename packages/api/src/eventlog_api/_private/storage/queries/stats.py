"""Dashboard statistics and chart data, from ``trace_summary`` and the hourly rollup.

- ``GET /v1/dashboard/stats``: trace figures over the traces active in the window
  (first event ≤ end and last event ≥ start) through covering indexes; event totals and
  system names from ``event_rollup_hourly`` for the whole hours of the window plus the
  two partial hours at its edges counted exactly from ``event_log``.
- Charts: traces bucketed by the time they started, in one GROUP BY pass over a
  covering index; nearest-rank duration percentiles of the finished traces (derived
  SUCCESS or FAILURE) from a fine histogram (exact below 100 ms, within 1 % above).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyodbc
from eventlog_schemas import (
    ChartPoint,
    DashboardStats,
    ProcessStats,
    TimeBucket,
    format_timestamp,
)

from eventlog_api._private.settings import Dialect
from eventlog_api._private.storage.values import to_wire_timestamp

from .dialect import ReadDialect
from .traces import window_conditions

_HOUR = timedelta(hours=1)
_MS = timedelta(milliseconds=1)


def rate(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, two decimals; ``None`` for an empty whole."""
    if whole <= 0:
        return None
    return round(part * 100.0 / whole, 2)


def floor_bucket(value: datetime, bucket: TimeBucket) -> datetime:
    """The start of the hour or UTC day ``value`` falls in."""
    value = value.astimezone(UTC)
    if bucket is TimeBucket.HOUR:
        return value.replace(minute=0, second=0, microsecond=0)
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def bucket_width(bucket: TimeBucket) -> timedelta:
    """How long one bucket is."""
    return _HOUR if bucket is TimeBucket.HOUR else timedelta(days=1)


def bucket_starts(start: datetime, end: datetime, bucket: TimeBucket) -> list[datetime]:
    """Every bucket start from the one holding ``start`` up to (excluding) ``end``."""
    out: list[datetime] = []
    at = floor_bucket(start, bucket)
    step = bucket_width(bucket)
    while at < end:
        out.append(at)
        at += step
    return out


# -- GET /v1/dashboard/stats ----------------------------------------------------------------


def dashboard_stats(
    conn: pyodbc.Connection, d: ReadDialect, start: datetime | None, end: datetime | None
) -> DashboardStats:
    """Totals over the window (everything when neither bound is given)."""
    if start is None and end is None:
        total = _counts(conn, "SELECT COUNT(*) FROM trace_summary")
        # The traces with a failure are few: count them, not the clean ones.
        clean = total - _counts(conn, "SELECT COUNT(*) FROM trace_summary WHERE failure_count > 0")
        accounts = _counts(
            conn,
            "SELECT COUNT(*) FROM (SELECT account_id FROM trace_summary "
            "WHERE account_id IS NOT NULL GROUP BY account_id) a",
        )
    else:
        conds, params = window_conditions(conn, d, start, end, alias="trace_summary")
        where = " AND ".join(conds)
        row = conn.execute(
            "SELECT COUNT(*), SUM(CASE WHEN failure_count = 0 THEN 1 ELSE 0 END) "
            f"FROM trace_summary WHERE {where}",
            *params,
        ).fetchone()
        total = int(row[0]) if row else 0
        clean = int(row[1] or 0) if row else 0
        if d.dialect is Dialect.SQLITE:
            # A grouped subquery would walk the account index and look every trace up for
            # its times; COUNT(DISTINCT) stays on the covering activity index.
            sql = f"SELECT COUNT(DISTINCT account_id) FROM trace_summary WHERE {where}"
        else:
            # A grouped subquery, which PostgreSQL hashes; COUNT(DISTINCT) always sorts.
            sql = (
                "SELECT COUNT(*) FROM (SELECT account_id FROM trace_summary "
                f"WHERE {where} AND account_id IS NOT NULL GROUP BY account_id) a"
            )
        accounts = _counts(conn, sql, *params)
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
    return floor if floor == value else floor + _HOUR


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
    after_whole = floor_bucket(end + _MS, TimeBucket.HOUR) if end is not None else None
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


# -- charts -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Figures:
    """The trace figures of one bucket or one process."""

    trace_count: int = 0
    success_count: int = 0
    failure_count: int = 0
    warning_count: int = 0
    in_progress_count: int = 0
    error_trace_count: int = 0
    p50_duration_ms: int | None = None
    p95_duration_ms: int | None = None
    within_sla: int = 0
    breached: int = 0
    open_past_sla: int = 0
    open_within_sla: int = 0

    @property
    def success_rate(self) -> float | None:
        """Traces without any FAILURE event, as a percentage."""
        return rate(self.trace_count - self.error_trace_count, self.trace_count)


EXACT_BELOW_MS = 100
"""Durations below this fall in bins of one millisecond (exact percentiles)."""
BINS_PER_E = 100
"""Above it, bins are 1 % wide (100 per factor e): a percentile is off by under 1 %."""


def _figures_sql(d: ReadDialect, key: str, *, with_sla: bool, where: str) -> str:
    """One pass over the covering index, grouped by key, status, errors, duration bin and
    SLA class, with nothing but COUNT and MIN per group (cheap per row).

    Percentiles come from the histogram of the finished traces (``_fold``): the bin that
    holds the nearest rank reports the smallest real duration in it, which is the exact
    answer whenever the bin holds one distinct value (always below 100 ms) and within
    1 % of it otherwise. Sorting every trace instead cost several times as much.
    """
    duration = d.millis_between("t.first_event_at", "t.last_event_at")
    finished = f"(t.has_success_end = {d.true} OR t.failure_count > 0)"
    age = d.millis_between("t.first_event_at", d.param_ts())
    log = "LOG" if d.dialect is Dialect.MSSQL else "LN"
    # SQLite would inline the inner query and compute each row's duration again for every
    # place that names it (four times slower); a LIMIT keeps it a query of its own.
    no_flattening = " LIMIT -1" if d.dialect is Dialect.SQLITE else ""
    if with_sla:
        sla_cols = f", p.sla_ms AS sla, {age} AS age"
        sla_join = " LEFT JOIN process_definitions p ON p.process_name = t.process_name"
        # 0: no SLA, 1: finished within, 2: finished late, 3: open past it, 4: open within.
        sla_class = (
            "CASE WHEN sla IS NULL THEN 0 WHEN f = 1 AND dur <= sla THEN 1 WHEN f = 1 THEN 2 "
            "WHEN age > sla THEN 3 ELSE 4 END"
        )
    else:
        sla_cols = sla_join = ""
        sla_class = "0"
    return (
        "SELECT k, st, e, bin, sc, COUNT(*), MIN(dur) FROM ("
        f"SELECT s.k, s.st, s.e, s.dur, {sla_class} AS sc, "
        f"CASE WHEN f = 0 THEN -1 WHEN dur < {EXACT_BELOW_MS} THEN dur "
        f"ELSE {EXACT_BELOW_MS} + CAST({log}(CAST(dur AS {d.float_type}) / {EXACT_BELOW_MS}) "
        f"* {BINS_PER_E} AS INTEGER) END AS bin FROM ("
        # The counters, not the generated columns: SQLite then reads the covering index.
        f"SELECT {key} AS k, {d.status_expr('t')} AS st, "
        f"CASE WHEN t.failure_count > 0 THEN 1 ELSE 0 END AS e, {duration} AS dur, "
        f"CASE WHEN {finished} THEN 1 ELSE 0 END AS f"
        f"{sla_cols} FROM trace_summary t{sla_join} WHERE {where}{no_flattening}"
        ") s) b GROUP BY k, st, e, bin, sc"
    )


_STATUS_FIELD = {
    "SUCCESS": "success_count",
    "FAILURE": "failure_count",
    "WARNING": "warning_count",
    "IN_PROGRESS": "in_progress_count",
}
_SLA_FIELD = {1: "within_sla", 2: "breached", 3: "open_past_sla", 4: "open_within_sla"}


def _fold(rows: list[Any]) -> dict[Any, Figures]:
    """Rows (key, status, errors, bin, SLA class, count, min duration) into figures."""
    figures: dict[Any, Figures] = {}
    bins: dict[Any, dict[int, list[int]]] = {}
    for key, status, errors, bin_, sla_class, count_value, minimum in rows:
        fig = figures.get(key)
        if fig is None:
            fig = figures[key] = Figures()
        count = int(count_value)
        fig.trace_count += count
        field = _STATUS_FIELD[str(status)]
        setattr(fig, field, getattr(fig, field) + count)
        if int(errors):
            fig.error_trace_count += count
        sla_field = _SLA_FIELD.get(int(sla_class))
        if sla_field is not None:
            setattr(fig, sla_field, getattr(fig, sla_field) + count)
        if int(bin_) >= 0:
            slot = bins.setdefault(key, {}).setdefault(int(bin_), [int(minimum), 0])
            slot[0] = min(slot[0], int(minimum))
            slot[1] += count
    for key, by_bin in bins.items():
        histogram = [(b, low, n) for b, (low, n) in sorted(by_bin.items())]
        finished = sum(n for _, _, n in histogram)
        figures[key].p50_duration_ms = _nearest_rank(histogram, finished, 50)
        figures[key].p95_duration_ms = _nearest_rank(histogram, finished, 95)
    return figures


def _nearest_rank(histogram: list[tuple[int, int, int]], total: int, percent: int) -> int | None:
    """The value at rank ceil(percent% of total) of a sorted (bin, minimum, count) list."""
    if total <= 0:
        return None
    wanted = (total * percent + 99) // 100
    seen = 0
    for _, minimum, count in histogram:
        seen += count
        if seen >= wanted:
            return minimum
    return histogram[-1][1]


def time_series(
    conn: pyodbc.Connection,
    d: ReadDialect,
    *,
    start: datetime,
    end: datetime,
    bucket: TimeBucket,
    process_name: str | None,
) -> list[ChartPoint]:
    """One point per bucket of traces started in ``[start, end)``, gaps as zeros."""
    where = "t.first_event_at >= ? AND t.first_event_at < ?"
    params: list[object] = [d.ts(start), d.ts(end)]
    if process_name is not None:
        where += " AND t.process_name = ?"
        params.append(process_name)
    sql = _figures_sql(d, d.bucket("t.first_event_at", bucket), with_sla=False, where=where)
    folded = _fold(conn.execute(sql, *params).fetchall())
    found = {to_wire_timestamp(key): fig for key, fig in folded.items()}
    points: list[ChartPoint] = []
    for at in bucket_starts(start, end, bucket):
        key = format_timestamp(at)
        fig = found.get(key, Figures())
        points.append(
            ChartPoint(
                bucket_start=key,
                trace_count=fig.trace_count,
                success_count=fig.success_count,
                failure_count=fig.failure_count,
                warning_count=fig.warning_count,
                in_progress_count=fig.in_progress_count,
                error_trace_count=fig.error_trace_count,
                success_rate=fig.success_rate,
                p50_duration_ms=fig.p50_duration_ms,
                p95_duration_ms=fig.p95_duration_ms,
            )
        )
    return points


def process_stats(
    conn: pyodbc.Connection, d: ReadDialect, *, start: datetime, end: datetime, as_of: datetime
) -> list[ProcessStats]:
    """Per-process figures and SLA compliance of the traces started in ``[start, end)``.

    Unfinished traces count as past their SLA when they have been open longer than it
    at ``as_of``.
    """
    where = "t.first_event_at >= ? AND t.first_event_at < ? AND t.process_name IS NOT NULL"
    sql = _figures_sql(d, "t.process_name", with_sla=True, where=where)
    folded = _fold(conn.execute(sql, d.ts(as_of), d.ts(start), d.ts(end)).fetchall())
    definitions = {
        str(row[0]): (row[1], None if row[2] is None else int(row[2]))
        for row in conn.execute(
            "SELECT process_name, display_name, sla_ms FROM process_definitions"
        ).fetchall()
    }
    out: list[ProcessStats] = []
    for key, fig in folded.items():
        judged = fig.within_sla + fig.breached + fig.open_past_sla
        display_name, sla_ms = definitions.get(str(key), (None, None))
        out.append(
            ProcessStats(
                process_name=str(key),
                display_name=display_name,
                trace_count=fig.trace_count,
                success_count=fig.success_count,
                failure_count=fig.failure_count,
                warning_count=fig.warning_count,
                in_progress_count=fig.in_progress_count,
                error_trace_count=fig.error_trace_count,
                success_rate=fig.success_rate,
                p50_duration_ms=fig.p50_duration_ms,
                p95_duration_ms=fig.p95_duration_ms,
                sla_ms=sla_ms,
                within_sla=fig.within_sla,
                breached=fig.breached,
                open_past_sla=fig.open_past_sla,
                open_within_sla=fig.open_within_sla,
                sla_compliance_rate=rate(fig.within_sla, judged) if sla_ms else None,
            )
        )
    out.sort(key=lambda p: (-p.trace_count, p.process_name))
    return out
