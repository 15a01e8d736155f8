"""``GET /v1/dashboard/stats`` and the chart endpoints (**[ext]**) under ``/v1/dashboard/``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Final

from eventlog_schemas import (
    DEFAULT_CHART_WINDOW_DAYS,
    MAX_CHART_BUCKETS,
    DashboardStats,
    ProcessStatsResponse,
    SlaCompliance,
    SlaComplianceResponse,
    TimeBucket,
    TimeSeriesResponse,
    format_timestamp,
    utc_now,
)
from litestar import Request, Response, get
from litestar.params import QueryParameter

from eventlog_api._private.openapi import error_responses
from eventlog_api._private.storage.queries.buckets import bucket_starts

from .common import json_response, reads_of
from .read_params import check_order, invalid, parse_date

_TAGS: Final = ["dashboard"]
_AUTO_HOURLY_UP_TO: Final = timedelta(days=2)
_CHART_WINDOW_HELP: Final = (
    f"traces that started in [startDate, endDate); default: the {DEFAULT_CHART_WINDOW_DAYS} "
    "days up to now; ISO-8601 with an offset or Z"
)

StartDate = Annotated[str | None, QueryParameter(name="startDate", description=_CHART_WINDOW_HELP)]
EndDate = Annotated[str | None, QueryParameter(name="endDate", description=_CHART_WINDOW_HELP)]


@get(
    ["/v1/dashboard/stats"],
    summary="Dashboard totals",
    tags=_TAGS,
    description=(
        "Over the traces active in the window (all when no dates): totalTraces, "
        "totalAccounts (distinct accounts of those traces), totalEvents and systemNames "
        "(distinct target systems) of the events in the window, and successRate = "
        "percentage of traces without any FAILURE event, two decimals (100 when there are "
        "no traces)."
    ),
    responses=error_responses(400, 500, 503),
)
async def dashboard_stats(
    request: Request[Any, Any, Any],
    start_date: Annotated[str | None, QueryParameter(name="startDate")] = None,
    end_date: Annotated[str | None, QueryParameter(name="endDate")] = None,
) -> Response[DashboardStats]:
    """Totals for the stat cards."""
    start = parse_date("startDate", start_date)
    end = parse_date("endDate", end_date)
    check_order(start, end)
    reads = reads_of(request)
    return json_response(await reads.dashboard_stats(start, end))


def _chart_window(start_date: str | None, end_date: str | None) -> tuple[datetime, datetime]:
    start = parse_date("startDate", start_date)
    end = parse_date("endDate", end_date)
    window = timedelta(days=DEFAULT_CHART_WINDOW_DAYS)
    if end is None:
        end = utc_now() if start is None or start < utc_now() else start + window
    if start is None:
        start = end - window
    if end <= start:
        raise invalid("endDate", "endDate must be after startDate")
    return start, end


@get(
    ["/v1/dashboard/timeseries"],
    summary="Traces per time bucket (chart data)",
    tags=_TAGS,
    description=(
        "**[ext]** One point per hour or day, oldest first, empty buckets as zeros: trace "
        "count, counts per derived status, successRate (traces without FAILURE) and "
        "nearest-rank p50/p95 durations of the finished traces (derived SUCCESS or "
        "FAILURE), exact below 100 ms and within 1 % above. Traces count in the bucket "
        "in which they started. processName (exact) "
        f"narrows to one process. At most {MAX_CHART_BUCKETS} buckets (more is a 400)."
    ),
    responses=error_responses(400, 500, 503),
)
async def dashboard_timeseries(
    request: Request[Any, Any, Any],
    start_date: StartDate = None,
    end_date: EndDate = None,
    bucket: Annotated[
        TimeBucket | None,
        QueryParameter(
            name="bucket", description="hour or day; default hour up to 2 days, else day"
        ),
    ] = None,
    process_name: Annotated[
        str | None, QueryParameter(name="processName", description="exact")
    ] = None,
) -> Response[TimeSeriesResponse]:
    """Chart points."""
    start, end = _chart_window(start_date, end_date)
    width = bucket or (TimeBucket.HOUR if end - start <= _AUTO_HOURLY_UP_TO else TimeBucket.DAY)
    span = end - start
    approx = span / (timedelta(hours=1) if width is TimeBucket.HOUR else timedelta(days=1))
    if approx > MAX_CHART_BUCKETS or len(bucket_starts(start, end, width)) > MAX_CHART_BUCKETS:
        raise invalid(
            "bucket", f"the window holds more than {MAX_CHART_BUCKETS} buckets of one {width}"
        )
    reads = reads_of(request)
    points = await reads.time_series(start, end, width, process_name or None)
    return json_response(
        TimeSeriesResponse(
            bucket=width,
            start_date=format_timestamp(start),
            end_date=format_timestamp(end),
            process_name=process_name or None,
            points=points,
        )
    )


@get(
    ["/v1/dashboard/processes"],
    summary="Figures per process (chart data)",
    tags=_TAGS,
    description=(
        "**[ext]** Per process, over the traces that started in the window, busiest "
        "first: counts per derived status, successRate, p50/p95 durations of finished "
        "traces, and SLA compliance when the process definition has an SLA: withinSla and "
        "breached (finished traces), openPastSla and openWithinSla (unfinished, measured "
        "to endDate or now, whichever is earlier)."
    ),
    responses=error_responses(400, 500, 503),
)
async def dashboard_processes(
    request: Request[Any, Any, Any], start_date: StartDate = None, end_date: EndDate = None
) -> Response[ProcessStatsResponse]:
    """Per-process figures."""
    start, end = _chart_window(start_date, end_date)
    reads = reads_of(request)
    rows = await reads.process_stats(start, end, min(end, utc_now()))
    return json_response(
        ProcessStatsResponse(
            start_date=format_timestamp(start), end_date=format_timestamp(end), processes=rows
        )
    )


@get(
    ["/v1/dashboard/sla"],
    summary="SLA compliance per process (chart data)",
    tags=_TAGS,
    description=(
        "**[ext]** Processes whose definition has an SLA, worst compliance first: traces "
        "that started in the window, finished within slaMs, breached, and still open past "
        "it. complianceRate = withinSla / (withinSla + breached + openPastSla)."
    ),
    responses=error_responses(400, 500, 503),
)
async def dashboard_sla(
    request: Request[Any, Any, Any], start_date: StartDate = None, end_date: EndDate = None
) -> Response[SlaComplianceResponse]:
    """SLA compliance."""
    start, end = _chart_window(start_date, end_date)
    reads = reads_of(request)
    rows = await reads.process_stats(start, end, min(end, utc_now()))
    compliance = [
        SlaCompliance(
            process_name=row.process_name,
            display_name=row.display_name,
            sla_ms=row.sla_ms,
            trace_count=row.trace_count,
            within_sla=row.within_sla,
            breached=row.breached,
            open_past_sla=row.open_past_sla,
            open_within_sla=row.open_within_sla,
            compliance_rate=row.sla_compliance_rate,
        )
        for row in rows
        if row.sla_ms is not None
    ]
    compliance.sort(
        key=lambda c: (c.compliance_rate is None, c.compliance_rate or 0.0, c.process_name)
    )
    return json_response(
        SlaComplianceResponse(
            start_date=format_timestamp(start), end_date=format_timestamp(end), processes=compliance
        )
    )


ROUTES: Final[list[Any]] = [
    dashboard_stats,
    dashboard_timeseries,
    dashboard_processes,
    dashboard_sla,
]
