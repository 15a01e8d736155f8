"""Chart data of the statistics page, shaped for Recharts (plain Python, unit-tested)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from eventlog_schemas import ChartPoint, ProcessStats, SlaCompliance, TimeBucket

from .formatting import format_duration_ms, format_percent, humanize_name, to_datetime

STATS_RANGES: Final[dict[str, tuple[str, timedelta]]] = {
    "24h": ("Last 24 hours", timedelta(hours=24)),
    "7d": ("Last 7 days", timedelta(days=7)),
    "30d": ("Last 30 days", timedelta(days=30)),
    "90d": ("Last 90 days", timedelta(days=90)),
}
DEFAULT_STATS_RANGE: Final = "7d"
HOURLY_UP_TO: Final = timedelta(days=2)
"""Windows up to this long are charted per hour, longer ones per day."""

ChartRow = dict[str, str | int | float | None]


def bucket_for(window: timedelta) -> TimeBucket:
    """Hourly points for short windows, daily points for long ones."""
    return TimeBucket.HOUR if window <= HOURLY_UP_TO else TimeBucket.DAY


def bucket_label(start: str, bucket: TimeBucket) -> str:
    """``Feb 26 14:00`` for an hour, ``Feb 26`` for a day."""
    moment = to_datetime(start)
    if moment is None:
        return ""
    return moment.strftime("%b %d %H:%M" if bucket is TimeBucket.HOUR else "%b %d")


def _seconds(ms: int | None) -> float | None:
    return None if ms is None else round(ms / 1000, 3)


def series_rows(points: Sequence[ChartPoint], bucket: TimeBucket) -> list[ChartRow]:
    """One row per time bucket: rate, volume per outcome, p50/p95 in seconds."""
    return [
        {
            "label": bucket_label(p.bucket_start, bucket),
            "traces": p.trace_count,
            "success": p.success_count,
            "failure": p.failure_count,
            "warning": p.warning_count,
            "in_progress": p.in_progress_count,
            "success_rate": p.success_rate,
            "p50_s": _seconds(p.p50_duration_ms),
            "p95_s": _seconds(p.p95_duration_ms),
        }
        for p in points
    ]


def _name(process_name: str, display_name: str | None) -> str:
    return display_name or humanize_name(process_name)


def process_rows(processes: Sequence[ProcessStats]) -> list[ChartRow]:
    """One row per process (busiest first): success rate, volume, durations, SLA figures."""
    return [
        {
            "name": _name(p.process_name, p.display_name),
            "process_name": p.process_name,
            "traces": p.trace_count,
            "success_rate": p.success_rate,
            "success_rate_text": format_percent(p.success_rate),
            # the complement of the success rate: traces with any FAILURE event
            "failures": p.error_trace_count,
            "p50": format_duration_ms(p.p50_duration_ms),
            "p95": format_duration_ms(p.p95_duration_ms),
            "sla": format_duration_ms(p.sla_ms) if p.sla_ms is not None else "No SLA",
            "sla_compliance": p.sla_compliance_rate,
            "sla_compliance_text": format_percent(p.sla_compliance_rate)
            if p.sla_ms is not None
            else "—",
        }
        for p in processes
    ]


def sla_rows(processes: Sequence[SlaCompliance]) -> list[ChartRow]:
    """One row per process with an SLA (worst first): compliance and trace outcomes."""
    return [
        {
            "name": _name(p.process_name, p.display_name),
            "process_name": p.process_name,
            "sla": format_duration_ms(p.sla_ms),
            "compliance": p.compliance_rate,
            "compliance_text": format_percent(p.compliance_rate),
            "within": p.within_sla,
            "breached": p.breached,
            "open_past": p.open_past_sla,
            "open_within": p.open_within_sla,
        }
        for p in processes
    ]


def window_text(start: str, end: str) -> str:
    """``Feb 19 14:00 – Feb 26 14:00 UTC``."""
    a, b = to_datetime(start), to_datetime(end)
    if a is None or b is None:
        return ""
    return f"{a:%b %d %H:%M} – {b:%b %d %H:%M} UTC"


def stats_window(range_key: str, now: datetime) -> tuple[datetime, datetime, TimeBucket]:
    """The window and bucket of a statistics range (unknown keys mean the default)."""
    _label, length = STATS_RANGES.get(range_key, STATS_RANGES[DEFAULT_STATS_RANGE])
    return now - length, now, bucket_for(length)
