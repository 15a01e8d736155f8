"""Where the chart histogram of a window comes from: rollups for its whole days and hours,
``trace_summary`` for the rest.

A chart query wants, per key (time bucket or process), how many traces started in the
window per packed group (status, errors, SLA class, duration bin; ``pack`` below) and the
smallest duration in each group. Migration 0006 keeps exactly that per hour and per UTC
day of the first event (``trace_chart_hourly``, ``trace_chart_daily``) on SQLite and
PostgreSQL, so a window is cut into whole days, whole hours and the partial hours at its
edges, and only those edges are read trace by trace. A week of traces is then a few
thousand pre-counted rows instead of every trace of the week. SQL Server has no rollups:
it reads the whole window trace by trace.

The rollups judge SLAs of finished traces only (an open trace's SLA class depends on the
time it is looked at): every source here does the same, and the open traces are counted
apart (``open_sla_sql``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from eventlog_schemas import TimeBucket

from eventlog_api._private.settings import Dialect

from .buckets import DAY, HOUR, bucket_width, floor_bucket
from .dialect import ReadDialect

EXACT_BELOW_MS: Final = 100
"""Durations below this fall in bins of one millisecond (exact percentiles)."""
BINS_PER_E: Final = 100
"""Above it, bins are 1 % wide (100 per factor e): a percentile is off by under 1 %."""
SLA_CLASSES: Final = 8
"""Room for the SLA classes (0 none or open, 1 within, 2 breached) in a packed group."""
BIN_SPAN: Final = 100_000
"""Room for the bins (-1 to ~2,000 for durations up to days) in a packed group."""

_ROLLUP_DIALECTS: Final = frozenset({Dialect.SQLITE, Dialect.POSTGRESQL})


def unpack(packed_class: int) -> tuple[int, int, int]:
    """Status code, errors flag and SLA class of a packed class (a packed group without
    its bin: ``(status * 2 + errors) * SLA_CLASSES + sla_class``)."""
    rest, sla_class = divmod(int(packed_class), SLA_CLASSES)
    status, errors = divmod(rest, 2)
    return status, errors, sla_class


@dataclass(frozen=True, slots=True)
class ChartKey:
    """What a chart groups by, as written for each source.

    ``raw`` reads ``trace_summary t``; ``hourly`` and ``daily`` read a rollup row (columns
    ``bucket`` and ``process_name``); ``daily`` is ``None`` when days cannot serve the key
    (an hourly chart).
    """

    raw: str
    hourly: str
    daily: str | None
    by_process: bool = False


def time_key(d: ReadDialect, bucket: TimeBucket) -> ChartKey:
    """Chart buckets of one hour or one UTC day of the first event, as whole hours or days
    since 1970 (integers group faster than text, and time zones never enter)."""
    width_s = int(bucket_width(bucket).total_seconds())
    if d.dialect is Dialect.POSTGRESQL:
        raw = f"CAST(floor(date_part('epoch', t.first_event_at) / {width_s}) AS bigint)"
    elif d.dialect is Dialect.SQLITE:
        raw = f"CAST(strftime('%s', t.first_event_at) AS INTEGER) / {width_s}"
    else:
        raw = f"DATEDIFF_BIG(second, '1970-01-01', t.first_event_at) / {width_s}"
    if bucket is TimeBucket.HOUR:
        return ChartKey(raw, "bucket", None)
    return ChartKey(raw, "bucket / 24", "bucket")


def process_key() -> ChartKey:
    """One figure per process name (traces without a PROCESS_START yet are left out)."""
    return ChartKey("t.process_name", "process_name", "process_name", by_process=True)


@dataclass(frozen=True, slots=True)
class Histogram:
    """One statement for a window's figures (rows: see ``_figures_sql``)."""

    sql: str
    params: list[object]


def histogram(
    d: ReadDialect,
    key: ChartKey,
    start: datetime,
    end: datetime,
    *,
    process_name: str | None = None,
    sla: tuple[str, list[object]] | None = None,
) -> Histogram:
    """The histogram of the traces started in ``[start, end)``.

    ``sla`` is the SQL of trace ``t``'s SLA in ms and its parameters (charts that report
    SLA classes); without it the raw edges put every trace in SLA class 0.
    """
    raw_ranges, hour_ranges, day_ranges = _split(
        start, end, rollups=d.dialect in _ROLLUP_DIALECTS, days=key.daily is not None
    )
    members: list[str] = []
    params: list[object] = []
    for lo, hi in raw_ranges:
        sql, member_params = _raw_member(d, key, lo, hi, process_name=process_name, sla=sla)
        members.append(sql)
        params.extend(member_params)
    for table, column, ranges in (
        ("trace_chart_hourly", key.hourly, hour_ranges),
        ("trace_chart_daily", key.daily, day_ranges),
    ):
        for lo, hi in ranges:
            assert column is not None  # days are only split off when the key has them
            conds = ["bucket >= ?", "bucket < ?", "trace_count > 0"]
            width = DAY if table == "trace_chart_daily" else HOUR
            params.extend([_bucket_param(lo, width), _bucket_param(hi, width)])
            if key.by_process:
                conds.append("process_name <> ''")
            if process_name is not None:
                conds.append("process_name = ?")
                params.append(process_name)
            members.append(
                f"SELECT {column} AS k, g, trace_count AS n, min_duration_ms AS m "
                f"FROM {table} WHERE {' AND '.join(conds)}"
            )
    return Histogram(_figures_sql(d, " UNION ALL ".join(members)), params)


_PERCENTILES: Final = (50, 95)
_RANK_SHIFT: Final = 1_000_000_000_000
"""Bins times this plus a duration sort by bin, then duration (durations < 31 years)."""


def _figures_sql(d: ReadDialect, source: str) -> str:
    """Per key: the trace count of every packed class (status, errors, SLA class), and the
    nearest-rank percentiles of the finished traces, both from the histogram ``source``.

    Rows (key, 0, class, count, NULL, NULL) and (key, 1, NULL, finished count, p50, p95).
    The percentiles are found in SQL with running sums over the bins (the first bin whose
    running count reaches rank ceil(p% of n), reporting the smallest duration seen in it):
    a week holds thousands of bins, which Python would have to walk row by row.
    """
    shift = f"CAST({_RANK_SHIFT} AS BIGINT)" if d.dialect is Dialect.MSSQL else str(_RANK_SHIFT)
    percentiles = ", ".join(
        f"MIN(CASE WHEN cum * 100 >= total * {p} THEN b * {shift} + m END) % {shift}"
        for p in _PERCENTILES
    )
    # Read once for both halves (SQL Server has no such hint).
    materialized = "" if d.dialect is Dialect.MSSQL else "MATERIALIZED "
    return (
        f"WITH u AS {materialized}({source}), "
        # Integer counts: PostgreSQL sums bigints into numerics, ten times slower to add
        # up again in the running sums.
        f"h AS (SELECT k, g % {BIN_SPAN} AS b, CAST(SUM(n) AS INTEGER) AS n, MIN(m) AS m "
        "FROM u "
        f"WHERE g % {BIN_SPAN} > 0 GROUP BY k, g % {BIN_SPAN}), "
        "r AS (SELECT k, b, m, "
        "SUM(n) OVER (PARTITION BY k ORDER BY b ROWS UNBOUNDED PRECEDING) AS cum, "
        "SUM(n) OVER (PARTITION BY k) AS total FROM h) "
        f"SELECT k, 0, g / {BIN_SPAN}, SUM(n), NULL, NULL FROM u GROUP BY k, g / {BIN_SPAN} "
        f"UNION ALL SELECT k, 1, NULL, MAX(total), {percentiles} FROM r GROUP BY k"
    )


def _split(
    start: datetime, end: datetime, *, rollups: bool, days: bool
) -> tuple[list[tuple[datetime, datetime]], ...]:
    """``[start, end)`` as (raw ranges, whole-hour ranges, whole-day ranges)."""
    if not rollups:
        return [(start, end)], [], []
    first_hour = _ceil(start, TimeBucket.HOUR)
    last_hour = floor_bucket(end, TimeBucket.HOUR)
    if first_hour >= last_hour:
        return [(start, end)], [], []
    raw = [r for r in ((start, first_hour), (last_hour, end)) if r[0] < r[1]]
    first_day = _ceil(first_hour, TimeBucket.DAY)
    last_day = floor_bucket(last_hour, TimeBucket.DAY)
    if not days or first_day >= last_day:
        return raw, [(first_hour, last_hour)], []
    hours = [r for r in ((first_hour, first_day), (last_day, last_hour)) if r[0] < r[1]]
    return raw, hours, [(first_day, last_day)]


def _ceil(value: datetime, bucket: TimeBucket) -> datetime:
    floor = floor_bucket(value, bucket)
    return floor if floor == value else floor + bucket_width(bucket)


def _bucket_param(at: datetime, width: timedelta) -> int:
    """A rollup ``bucket`` value: whole hours or days since 1970."""
    return int(at.astimezone(UTC).timestamp()) // int(width.total_seconds())


def _raw_member(
    d: ReadDialect,
    key: ChartKey,
    lo: datetime,
    hi: datetime,
    *,
    process_name: str | None,
    sla: tuple[str, list[object]] | None,
) -> tuple[str, list[object]]:
    """One row per trace started in ``[lo, hi)``: (key, packed group, 1, duration).

    The packing and the bins are those of migration 0006 (``trace_chart_keys`` and
    ``trace_chart_group``): rollup rows and these rows add up.
    """
    where = ["t.first_event_at >= ?", "t.first_event_at < ?"]
    where_params: list[object] = [d.ts(lo), d.ts(hi)]
    if key.by_process:
        where.append("t.process_name IS NOT NULL")
    if process_name is not None:
        where.append("t.process_name = ?")
        where_params.append(process_name)
    sla_sql, sla_params = sla if sla is not None else ("CAST(NULL AS BIGINT)", [])
    duration = d.millis_between("t.first_event_at", "t.last_event_at")
    finished = f"(t.has_success_end = {d.true} OR t.failure_count > 0)"
    log = "LOG" if d.dialect is Dialect.MSSQL else "LN"
    # SQLite and PostgreSQL would inline the inner query and compute each row's duration
    # again for every place that names it; a LIMIT or OFFSET keeps it a query of its own.
    apart = {Dialect.SQLITE: " LIMIT -1", Dialect.POSTGRESQL: " OFFSET 0"}.get(d.dialect, "")
    sql = (
        f"SELECT k, ((st * 2 + e) * {SLA_CLASSES} + sc) * {BIN_SPAN} + bin + 1 AS g, "
        "1 AS n, dur AS m FROM ("
        "SELECT s.k, s.st, s.e, s.dur, "
        "CASE WHEN f = 0 OR sla IS NULL THEN 0 WHEN dur <= sla THEN 1 ELSE 2 END AS sc, "
        f"CASE WHEN f = 0 THEN -1 WHEN dur < {EXACT_BELOW_MS} THEN dur "
        f"ELSE {EXACT_BELOW_MS} + CAST({log}(CAST(dur AS {d.float_type}) / {EXACT_BELOW_MS}) "
        f"* {BINS_PER_E} AS INTEGER) END AS bin FROM ("
        # The counters, not the generated columns: SQLite then reads the covering index.
        f"SELECT {key.raw} AS k, {status_code(d)} AS st, "
        f"CASE WHEN t.failure_count > 0 THEN 1 ELSE 0 END AS e, {duration} AS dur, "
        f"CASE WHEN {finished} THEN 1 ELSE 0 END AS f, {sla_sql} AS sla "
        f"FROM trace_summary t WHERE {' AND '.join(where)}{apart}) s) b"
    )
    return sql, [*sla_params, *where_params]


def status_code(d: ReadDialect) -> str:
    """The derived status as 1 SUCCESS, 2 FAILURE, 3 WARNING, 4 IN_PROGRESS (the rule of
    ``derived_status``): a small integer groups faster than text, and it is the status's
    slot in a fold accumulator (slot 0: all traces)."""
    return (
        f"CASE WHEN t.has_success_end = {d.true} THEN 1 WHEN t.failure_count > 0 THEN 2 "
        "WHEN t.warning_count > 0 THEN 3 ELSE 4 END"
    )


def open_sla_sql(d: ReadDialect, sla: str) -> str:
    """Unfinished traces started in the window with an SLA, per process and whether they
    have been open longer than it: rows (process, 1 past / 0 within, count).

    Parameters: those of ``sla``, the time they are measured to, start, end. They are few
    (a trace finishes with its PROCESS_END or its first failure) and found on the covering
    started index.
    """
    age = d.millis_between("t.first_event_at", d.param_ts())
    return (
        "SELECT k, CASE WHEN age > sla THEN 1 ELSE 0 END AS past, COUNT(*) FROM ("
        f"SELECT t.process_name AS k, {sla} AS sla, {age} AS age FROM trace_summary t "
        "WHERE t.first_event_at >= ? AND t.first_event_at < ? "
        f"AND t.has_success_end = {d.false} AND t.failure_count = 0 "
        "AND t.process_name IS NOT NULL) o "
        "WHERE sla IS NOT NULL GROUP BY k, CASE WHEN age > sla THEN 1 ELSE 0 END"
    )
