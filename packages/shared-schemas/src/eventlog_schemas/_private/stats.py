"""Chart data of the dashboard (**[ext]** endpoints under ``/v1/dashboard/``).

Every figure is computed over traces (the trace summary), never over raw events: a
trace belongs to the time bucket in which it started. Durations are whole-trace
durations (last event time minus first event time) in milliseconds; percentiles are
nearest-rank percentiles over the finished traces (derived SUCCESS or FAILURE) of the
bucket, read from a fine histogram: exact below 100 ms, within 1 % above (the value
reported is always a real trace duration). Rates are percentages rounded
to two decimals and ``null`` when there is nothing to divide.
"""

from __future__ import annotations

import enum
from typing import Final

from .base import UtcTimestamp, WireResponse

MAX_CHART_BUCKETS: Final = 1000
"""The most buckets one time-series request may ask for (more is a 400, never a clamp)."""
DEFAULT_CHART_WINDOW_DAYS: Final = 7
"""The window a chart request covers when it gives no ``startDate``."""


class TimeBucket(enum.StrEnum):
    """The width of one point of a time series."""

    HOUR = "hour"
    DAY = "day"


class ChartPoint(WireResponse, frozen=True, kw_only=True):
    """The traces that started within one time bucket."""

    bucket_start: UtcTimestamp
    trace_count: int
    success_count: int
    """Traces whose derived status is SUCCESS."""
    failure_count: int
    """Traces whose derived status is FAILURE."""
    warning_count: int
    in_progress_count: int
    error_trace_count: int
    """Traces with at least one FAILURE event (the complement of the success rate)."""
    success_rate: float | None
    """Percentage of traces without any FAILURE event, as ``/v1/dashboard/stats`` counts it."""
    p50_duration_ms: int | None
    p95_duration_ms: int | None


class TimeSeriesResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/dashboard/timeseries``: one point per bucket, oldest first, gaps as zeros."""

    bucket: TimeBucket
    start_date: UtcTimestamp
    end_date: UtcTimestamp
    process_name: str | None
    points: list[ChartPoint]


class ProcessStats(WireResponse, frozen=True, kw_only=True):
    """What the traces of one process that started in the window add up to."""

    process_name: str
    display_name: str | None
    trace_count: int
    success_count: int
    failure_count: int
    warning_count: int
    in_progress_count: int
    error_trace_count: int
    success_rate: float | None
    p50_duration_ms: int | None
    p95_duration_ms: int | None
    sla_ms: int | None
    """The process definition's SLA; ``null`` when it has none (the SLA counts are 0)."""
    within_sla: int
    """Finished traces (derived SUCCESS or FAILURE) that took at most ``slaMs``."""
    breached: int
    """Finished traces that took longer than ``slaMs``."""
    open_past_sla: int
    """Unfinished traces already open for longer than ``slaMs`` (measured to ``endDate``)."""
    open_within_sla: int
    """Unfinished traces still inside their SLA."""
    sla_compliance_rate: float | None
    """``withinSla`` as a percentage of ``withinSla + breached + openPastSla``."""


class ProcessStatsResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/dashboard/processes``: one row per process, busiest first."""

    start_date: UtcTimestamp
    end_date: UtcTimestamp
    processes: list[ProcessStats]


class SlaCompliance(WireResponse, frozen=True, kw_only=True):
    """SLA compliance of one process that has an SLA."""

    process_name: str
    display_name: str | None
    sla_ms: int
    trace_count: int
    within_sla: int
    breached: int
    open_past_sla: int
    open_within_sla: int
    compliance_rate: float | None


class SlaComplianceResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/dashboard/sla``: processes with an SLA, worst compliance first."""

    start_date: UtcTimestamp
    end_date: UtcTimestamp
    processes: list[SlaCompliance]
