"""``GET /v1/traces``: the trace list with every filter of the contract."""

from __future__ import annotations

from typing import Annotated, Any, Final

from eventlog_schemas import STANDARD_PAGE, TraceListResponse, utc_now
from litestar import Request, Response, get
from litestar.params import QueryParameter

from eventlog_api._private.openapi import error_responses
from eventlog_api._private.storage.reads import PageRequest, TraceFilter

from .common import json_response, reads_of
from .read_params import check_order, parse_bool, parse_date, parse_status_list

_DATE_HELP: Final = (
    "on event time: a trace is kept when it was active in the window (first event <= "
    "endDate and last event >= startDate); ISO-8601 with an offset or Z"
)


@get(
    ["/v1/traces"],
    summary="List traces",
    tags=["traces"],
    description=(
        "Newest activity first. latestStatus is the derived trace status: SUCCESS if a "
        "PROCESS_END succeeded, else FAILURE if any event failed, else WARNING if any "
        "warned, else IN_PROGRESS. processName is that of the trace's PROCESS_START; "
        "accountId its first non-null account. **[ext]** slaMs and slaBreached when the "
        "process has a definition with an SLA (an unfinished trace is breached once it "
        "has been open longer than the SLA)."
    ),
    responses=error_responses(400, 500, 503),
)
async def list_traces(
    request: Request[Any, Any, Any],
    *,
    page: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    page_size: Annotated[
        int,
        QueryParameter(
            name="pageSize",
            ge=1,
            le=STANDARD_PAGE.maximum,
            description=f"default {STANDARD_PAGE.default}, max {STANDARD_PAGE.maximum} "
            "(more is a 400)",
        ),
    ] = STANDARD_PAGE.default,
    start_date: Annotated[
        str | None, QueryParameter(name="startDate", description=_DATE_HELP)
    ] = None,
    end_date: Annotated[str | None, QueryParameter(name="endDate", description=_DATE_HELP)] = None,
    process_name: Annotated[
        str | None,
        QueryParameter(
            name="processName",
            description="case-insensitive substring; a space matches any one character",
        ),
    ] = None,
    account_id: Annotated[
        str | None, QueryParameter(name="accountId", description="case-insensitive substring")
    ] = None,
    trace_id: Annotated[str | None, QueryParameter(name="traceId", description="exact")] = None,
    correlation_id: Annotated[
        str | None, QueryParameter(name="correlationId", description="exact")
    ] = None,
    event_status: Annotated[
        str | None,
        QueryParameter(
            name="eventStatus",
            description="comma-separated derived statuses; unknown values are ignored",
        ),
    ] = None,
    has_errors: Annotated[
        str | None,
        QueryParameter(
            name="hasErrors",
            description="true: traces with a FAILURE event; false: traces without one",
        ),
    ] = None,
) -> Response[TraceListResponse]:
    """A page of trace summaries."""
    start = parse_date("startDate", start_date)
    end = parse_date("endDate", end_date)
    check_order(start, end)
    f = TraceFilter(
        start=start,
        end=end,
        process_name=process_name or None,
        account_id=account_id or None,
        trace_id=trace_id or None,
        correlation_id=correlation_id or None,
        statuses=parse_status_list(event_status),
        has_errors=parse_bool("hasErrors", has_errors),
    )
    reads = reads_of(request)
    result = await reads.traces(f, PageRequest(page, page_size), utc_now())
    return json_response(result)


ROUTES: Final[list[Any]] = [list_traces]
