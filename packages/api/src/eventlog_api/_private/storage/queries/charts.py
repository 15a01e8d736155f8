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

from .buckets import bucket_starts, bucket_width, rate
from .chart_sources import histogram, open_sla_sql, process_key, time_key, unpack
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


_ERRORS_SLOT = 5
_SLA_SLOT = 5
"""SLA class c is counted in slot ``_SLA_SLOT + c``: 1 within, 2 breached (finished
traces, from the histogram), 3 open past it, 4 open within (``chart_sources.open_sla_sql``)."""


def _fold(rows: list[Any]) -> dict[Any, Figures]:
    """Rows of ``chart_sources.histogram`` (counts per packed class, percentiles) into
    figures per key."""
    counts: dict[Any, list[int]] = {}
    percentiles: dict[Any, tuple[int | None, int | None]] = {}
    for key, kind, packed_class, count, p50, p95 in rows:
        if kind == 1:
            percentiles[key] = (_int_or_none(p50), _int_or_none(p95))
            continue
        status, errors, sla_class = unpack(packed_class)
        acc = counts.get(key)
        if acc is None:
            acc = counts[key] = [0] * 10
        n = int(count)
        acc[0] += n
        acc[status] += n
        if errors:
            acc[_ERRORS_SLOT] += n
        if sla_class:
            acc[_SLA_SLOT + sla_class] += n
    figures: dict[Any, Figures] = {}
    for key, acc in counts.items():
        p50, p95 = percentiles.get(key, (None, None))
        figures[key] = Figures(
            trace_count=acc[0],
            success_count=acc[1],
            failure_count=acc[2],
            warning_count=acc[3],
            in_progress_count=acc[4],
            error_trace_count=acc[5],
            p50_duration_ms=p50,
            p95_duration_ms=p95,
            within_sla=acc[6],
            breached=acc[7],
            open_past_sla=acc[8],
            open_within_sla=acc[9],
        )
    return figures


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _bucket_wire(key: Any, bucket: TimeBucket) -> str:
    """The wire timestamp of a chart bucket key (whole hours or days since 1970)."""
    return format_timestamp(
        datetime.fromtimestamp(int(key) * (bucket_width(bucket) // _SECOND), UTC)
    )


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
    query = histogram(d, time_key(d, bucket), start, end, process_name=process_name)
    folded = _fold(conn.execute(query.sql, *query.params).fetchall())
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
    sla = _sla_sql(definitions)
    query = histogram(d, process_key(), start, end, sla=sla)
    folded = _fold(conn.execute(query.sql, *query.params).fetchall())
    open_rows = conn.execute(
        open_sla_sql(d, sla[0]), *sla[1], d.ts(as_of), d.ts(start), d.ts(end)
    ).fetchall()
    for key, past, count in open_rows:
        fig = folded.get(key)
        if fig is None:  # pragma: no cover - an open trace is in the histogram too
            continue
        if past:
            fig.open_past_sla += int(count)
        else:
            fig.open_within_sla += int(count)
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
