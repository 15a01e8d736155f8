"""Chart data: traces bucketed by the time they started, in one GROUP BY pass over a
covering index; nearest-rank duration percentiles of the finished traces (derived
SUCCESS or FAILURE) from a fine histogram (exact below 100 ms, within 1 % above).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyodbc
from eventlog_schemas import ChartPoint, ProcessStats, TimeBucket, format_timestamp

from eventlog_api._private.settings import Dialect
from eventlog_api._private.storage.values import to_wire_timestamp

from .buckets import bucket_starts, bucket_width, rate
from .dialect import ReadDialect

_SECOND = timedelta(seconds=1)


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


def _figures_sql(d: ReadDialect, key: str, *, sla: str | None, where: str) -> str:
    """One pass over the covering index, grouped by key, status, errors, duration bin and
    SLA class, with nothing but COUNT and MIN per group (cheap per row).

    Percentiles come from the histogram of the finished traces (``_fold``): the bin that
    holds the nearest rank reports the smallest real duration in it, which is the exact
    answer whenever the bin holds one distinct value (always below 100 ms) and within
    1 % of it otherwise. Sorting every trace instead cost several times as much.

    ``sla``, when given, is the SLA in ms of the trace ``t`` (null: none), and a
    parameter (the time open traces are measured to) comes before those of ``where``.
    """
    duration = d.millis_between("t.first_event_at", "t.last_event_at")
    finished = f"(t.has_success_end = {d.true} OR t.failure_count > 0)"
    # How long an unfinished trace has been open: computed only for those.
    age = d.millis_between("s.started", d.param_ts())
    log = "LOG" if d.dialect is Dialect.MSSQL else "LN"
    # SQLite and PostgreSQL would inline the inner query and compute each row's duration
    # again for every place that names it (four times slower on SQLite, a quarter slower
    # on PostgreSQL); a LIMIT or OFFSET keeps it a query of its own.
    no_flattening = {Dialect.SQLITE: " LIMIT -1", Dialect.POSTGRESQL: " OFFSET 0"}.get(
        d.dialect, ""
    )
    if sla is not None:
        sla_cols = f", {sla} AS sla, t.first_event_at AS started"
        # 0: no SLA, 1: finished within, 2: finished late, 3: open past it, 4: open within.
        sla_class = (
            "CASE WHEN sla IS NULL THEN 0 WHEN f = 1 AND dur <= sla THEN 1 WHEN f = 1 THEN 2 "
            f"WHEN {age} > sla THEN 3 ELSE 4 END"
        )
    else:
        sla_cols = ""
        sla_class = "0"
    # Grouped by the key and one integer packing status, errors, SLA class and bin
    # (``_unpack``): SQLite sorts a fifth faster on two columns than on five.
    packed = f"((st * 2 + e) * {_SLA_CLASSES} + sc) * {_BIN_SPAN} + bin + 1"
    # SQLite computes the packed group once when it is a query of its own; on PostgreSQL
    # that only added a step.
    packed_apart = " LIMIT -1" if d.dialect is Dialect.SQLITE else ""
    return (
        f"SELECT k, g, COUNT(*), MIN(dur) FROM (SELECT k, {packed} AS g, dur FROM ("
        f"SELECT s.k, s.st, s.e, s.dur, {sla_class} AS sc, "
        f"CASE WHEN f = 0 THEN -1 WHEN dur < {EXACT_BELOW_MS} THEN dur "
        f"ELSE {EXACT_BELOW_MS} + CAST({log}(CAST(dur AS {d.float_type}) / {EXACT_BELOW_MS}) "
        f"* {BINS_PER_E} AS INTEGER) END AS bin FROM ("
        # The counters, not the generated columns: SQLite then reads the covering index.
        f"SELECT {key} AS k, {_status_code(d)} AS st, "
        f"CASE WHEN t.failure_count > 0 THEN 1 ELSE 0 END AS e, {duration} AS dur, "
        f"CASE WHEN {finished} THEN 1 ELSE 0 END AS f"
        f"{sla_cols} FROM trace_summary t WHERE {where}{no_flattening}"
        f") s) b{packed_apart}) p GROUP BY k, g"
    )


_SLA_CLASSES = 8
"""Room for the SLA classes (0 to 4) in a packed group."""
_BIN_SPAN = 100_000
"""Room for the bins (-1 to ~2,000 for durations up to days) in a packed group."""


def _unpack(packed: int) -> tuple[int, int, int, int]:
    """Status code, errors flag, SLA class and bin of a packed group (``_figures_sql``)."""
    rest, bin_plus_one = divmod(int(packed), _BIN_SPAN)
    rest, sla_class = divmod(rest, _SLA_CLASSES)
    status, errors = divmod(rest, 2)
    return status, errors, sla_class, bin_plus_one - 1


def _status_code(d: ReadDialect) -> str:
    """The derived status as 1 SUCCESS, 2 FAILURE, 3 WARNING, 4 IN_PROGRESS (the rule of
    ``derived_status``): a small integer groups faster than text, and it is the status's
    slot in a fold accumulator (slot 0: all traces)."""
    return (
        f"CASE WHEN t.has_success_end = {d.true} THEN 1 WHEN t.failure_count > 0 THEN 2 "
        "WHEN t.warning_count > 0 THEN 3 ELSE 4 END"
    )


_ERRORS_SLOT = 5
_SLA_SLOT = 5
"""SLA class c (1 to 4, see ``_figures_sql``) is counted in slot ``_SLA_SLOT + c``."""


def _fold(rows: list[Any]) -> dict[Any, Figures]:
    """Rows (key, packed group, count, min duration) into figures.

    A window's histogram has thousands of rows, so the loop only adds into plain lists;
    the figures are built once per key at the end.
    """
    counts: dict[Any, list[int]] = {}
    bins: dict[Any, dict[int, list[int]]] = {}
    for key, packed, count_value, minimum in rows:
        status, errors, sla_class, bin_ = _unpack(packed)
        acc = counts.get(key)
        if acc is None:
            acc = counts[key] = [0] * 10
        count = int(count_value)
        acc[0] += count
        acc[status] += count
        if errors:
            acc[_ERRORS_SLOT] += count
        if sla_class:
            acc[_SLA_SLOT + sla_class] += count
        if bin_ >= 0:
            by_bin = bins.get(key)
            if by_bin is None:
                by_bin = bins[key] = {}
            low = int(minimum)
            slot = by_bin.get(bin_)
            if slot is None:
                by_bin[bin_] = [low, count]
            else:
                slot[0] = min(slot[0], low)
                slot[1] += count
    figures: dict[Any, Figures] = {}
    for key, acc in counts.items():
        fig = figures[key] = Figures(
            trace_count=acc[0],
            success_count=acc[1],
            failure_count=acc[2],
            warning_count=acc[3],
            in_progress_count=acc[4],
            error_trace_count=acc[5],
            within_sla=acc[6],
            breached=acc[7],
            open_past_sla=acc[8],
            open_within_sla=acc[9],
        )
        by_bin = bins.get(key)
        if by_bin:
            histogram = [(b, low, n) for b, (low, n) in sorted(by_bin.items())]
            finished = sum(n for _, _, n in histogram)
            fig.p50_duration_ms = _nearest_rank(histogram, finished, 50)
            fig.p95_duration_ms = _nearest_rank(histogram, finished, 95)
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


def _bucket_sql(d: ReadDialect, column: str, bucket: TimeBucket) -> str:
    """The bucket ``column`` falls in, as the query groups by it (see ``_bucket_wire``)."""
    if d.dialect is Dialect.POSTGRESQL:
        # Whole hours or days since the epoch: date_trunc(..., 'UTC') converts time zones
        # row by row, which cost a third of the chart query over a week of traces.
        width_s = int(bucket_width(bucket).total_seconds())
        return f"CAST(floor(date_part('epoch', {column}) / {width_s}) AS bigint)"
    return d.bucket(column, bucket)


def _bucket_wire(key: Any, bucket: TimeBucket) -> str | None:
    """The wire timestamp of a bucket key from ``_bucket_sql``."""
    if isinstance(key, int):
        return format_timestamp(
            datetime.fromtimestamp(key * (bucket_width(bucket) // _SECOND), UTC)
        )
    return to_wire_timestamp(key)


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
    sql = _figures_sql(d, _bucket_sql(d, "t.first_event_at", bucket), sla=None, where=where)
    folded = _fold(conn.execute(sql, *params).fetchall())
    found = {_bucket_wire(key, bucket): fig for key, fig in folded.items()}
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


_INLINE_SLAS_UP_TO = 200
"""Up to this many SLAs are written into the chart query; more are joined."""


def _sla_sql(definitions: dict[str, tuple[Any, int | None]]) -> tuple[str, list[object]]:
    """The SLA (ms, null for none) of trace ``t``, and the parameters it takes.

    The definitions are few: a CASE over their names costs nothing per trace, where
    joining process_definitions looked every trace up in its index (a third of the
    SQLite chart query).
    """
    slas = [(name, sla_ms) for name, (_, sla_ms) in definitions.items() if sla_ms is not None]
    if not slas:
        return "CAST(NULL AS BIGINT)", []
    if len(slas) > _INLINE_SLAS_UP_TO:
        return (
            "(SELECT p.sla_ms FROM process_definitions p WHERE p.process_name = t.process_name)",
            [],
        )
    # The SLAs are integers read from the database, written as literals (so every dialect
    # knows their type); the names are parameters.
    whens = " ".join(f"WHEN ? THEN {int(sla_ms)}" for _, sla_ms in slas)
    return f"CASE t.process_name {whens} END", [name for name, _ in slas]


def process_stats(
    conn: pyodbc.Connection, d: ReadDialect, *, start: datetime, end: datetime, as_of: datetime
) -> list[ProcessStats]:
    """Per-process figures and SLA compliance of the traces started in ``[start, end)``.

    Unfinished traces count as past their SLA when they have been open longer than it
    at ``as_of``.
    """
    definitions = {
        str(row[0]): (row[1], None if row[2] is None else int(row[2]))
        for row in conn.execute(
            "SELECT process_name, display_name, sla_ms FROM process_definitions"
        ).fetchall()
    }
    where = "t.first_event_at >= ? AND t.first_event_at < ? AND t.process_name IS NOT NULL"
    sla, sla_params = _sla_sql(definitions)
    sql = _figures_sql(d, "t.process_name", sla=sla, where=where)
    rows = conn.execute(sql, d.ts(as_of), *sla_params, d.ts(start), d.ts(end)).fetchall()
    folded = _fold(rows)
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
