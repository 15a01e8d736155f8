"""Reading events: by trace, correlation, account, batch; text search; lookup; one event."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Final

import msgspec
from eventlog_schemas import (
    LOOKUP_MAX_WINDOW_DAYS,
    STANDARD_PAGE,
    TRACE_EVENTS_PAGE,
    AccountEventsResponse,
    AccountSummaryResponse,
    BatchEventsResponse,
    BatchSummaryResponse,
    CorrelationEventsResponse,
    EventLogRecord,
    LookupRequest,
    LookupResponse,
    TextSearchRequest,
    TextSearchResponse,
    TraceEventsResponse,
    decoder_for,
)
from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter

from eventlog_api._private.body import read_json_body
from eventlog_api._private.errors import invalid_body, not_found
from eventlog_api._private.openapi import body_schema, error_responses
from eventlog_api._private.storage.reads import (
    AccountFilter,
    LookupFilter,
    PageRequest,
    SearchFilter,
)

from .common import json_response, reads_of, settings_of
from .read_params import check_order, invalid, parse_bool, parse_date, parse_status

_TAGS: Final = ["events"]
_DATE_HELP: Final = "ISO-8601 with an offset or Z (a timestamp without one is a 400)"

Page = Annotated[int, QueryParameter(name="page", ge=1, description="1-based page")]
TracePageSize = Annotated[
    int,
    QueryParameter(
        name="pageSize",
        ge=1,
        le=TRACE_EVENTS_PAGE.maximum,
        description=f"default {TRACE_EVENTS_PAGE.default}, max {TRACE_EVENTS_PAGE.maximum} "
        "(more is a 400)",
    ),
]
StandardPageSize = Annotated[
    int,
    QueryParameter(
        name="pageSize",
        ge=1,
        le=STANDARD_PAGE.maximum,
        description=f"default {STANDARD_PAGE.default}, max {STANDARD_PAGE.maximum} (more is a 400)",
    ),
]


@get(
    ["/v1/events/trace/{traceId:str}"],
    summary="Events of a trace",
    tags=_TAGS,
    description="Oldest first. Aggregates cover the whole trace, not the page; an unknown "
    "trace is a 200 with no events and null aggregates.",
    responses=error_responses(400, 500, 503),
)
async def trace_events(
    request: Request[Any, Any, Any],
    traceId: FromPath[str],
    page: Page = 1,
    page_size: TracePageSize = TRACE_EVENTS_PAGE.default,
) -> Response[TraceEventsResponse]:
    """A page of one trace's events with whole-trace aggregates."""
    reads = reads_of(request)
    result = await reads.trace_events(traceId, PageRequest(page, page_size))
    return json_response(result)


@get(
    ["/v1/events/correlation/{correlationId:str}"],
    summary="Events of a correlation id",
    tags=_TAGS,
    description="Ordered by stepSequence then eventTimestamp. accountId and isLinked come "
    "from the correlation link; an unknown id is a 200 with no events.",
    responses=error_responses(400, 500, 503),
)
async def correlation_events(
    request: Request[Any, Any, Any],
    correlationId: FromPath[str],
    page: Page = 1,
    page_size: TracePageSize = TRACE_EVENTS_PAGE.default,
) -> Response[CorrelationEventsResponse]:
    """A page of one correlation's events and its link."""
    reads = reads_of(request)
    result = await reads.correlation_events(correlationId, PageRequest(page, page_size))
    return json_response(result)


@get(
    ["/v1/events/account/{accountId:str}"],
    summary="Timeline of an account",
    tags=_TAGS,
    description="Newest first. With includeLinked=true, also the events whose correlationId "
    "is linked to the account.",
    responses=error_responses(400, 500, 503),
)
async def account_events(
    request: Request[Any, Any, Any],
    accountId: FromPath[str],
    *,
    page: Page = 1,
    page_size: StandardPageSize = STANDARD_PAGE.default,
    start_date: Annotated[
        str | None, QueryParameter(name="startDate", description=_DATE_HELP)
    ] = None,
    end_date: Annotated[str | None, QueryParameter(name="endDate", description=_DATE_HELP)] = None,
    process_name: Annotated[
        str | None, QueryParameter(name="processName", description="exact match")
    ] = None,
    event_status: Annotated[str | None, QueryParameter(name="eventStatus")] = None,
    include_linked: Annotated[
        str | None,
        QueryParameter(name="includeLinked", description="true or false (default false)"),
    ] = None,
) -> Response[AccountEventsResponse]:
    """A page of an account's events."""
    start = parse_date("startDate", start_date)
    end = parse_date("endDate", end_date)
    check_order(start, end)
    f = AccountFilter(
        account_id=accountId,
        start=start,
        end=end,
        process_name=process_name or None,
        event_status=parse_status("eventStatus", event_status),
        include_linked=bool(parse_bool("includeLinked", include_linked)),
    )
    reads = reads_of(request)
    return json_response(await reads.account_events(f, PageRequest(page, page_size)))


@get(
    ["/v1/events/account/{accountId:str}/summary"],
    summary="Summary of an account",
    tags=_TAGS,
    description="Computed from the account's events: totals, systems, correlation ids, the "
    "10 newest events and the 5 newest failures. 404 when the account has no events.",
    responses=error_responses(404, 500, 503),
)
async def account_summary(
    request: Request[Any, Any, Any], accountId: FromPath[str]
) -> Response[AccountSummaryResponse]:
    """What an account's events add up to."""
    reads = reads_of(request)
    result = await reads.account_summary(accountId)
    if result is None:
        raise not_found(f"No events for account {accountId!r}.")
    return json_response(result)


@get(
    ["/v1/events/batch/{batchId:str}"],
    summary="Events of a batch",
    tags=_TAGS,
    description="Newest first. successCount/failureCount count distinct correlation ids "
    "having any SUCCESS / FAILURE event; eventStatus filters the list only.",
    responses=error_responses(400, 500, 503),
)
async def batch_events(
    request: Request[Any, Any, Any],
    batchId: FromPath[str],
    page: Page = 1,
    page_size: StandardPageSize = STANDARD_PAGE.default,
    event_status: Annotated[str | None, QueryParameter(name="eventStatus")] = None,
) -> Response[BatchEventsResponse]:
    """A page of a batch's events with its counts."""
    status = parse_status("eventStatus", event_status)
    reads = reads_of(request)
    result = await reads.batch_events(batchId, status, PageRequest(page, page_size))
    return json_response(result)


@get(
    ["/v1/events/batch/{batchId:str}/summary"],
    summary="Summary of a batch",
    tags=_TAGS,
    description="completed = correlations with a successful PROCESS_END, failed = with any "
    "FAILURE, inProgress = max(0, total - completed - failed); an empty batch is a 200 "
    "with zeros and nulls.",
    responses=error_responses(500, 503),
)
async def batch_summary(
    request: Request[Any, Any, Any], batchId: FromPath[str]
) -> Response[BatchSummaryResponse]:
    """How a batch's correlations stand."""
    reads = reads_of(request)
    return json_response(await reads.batch_summary(batchId))


@post(
    ["/v1/events/search/text"],
    status_code=200,
    summary="Full-text search",
    tags=_TAGS,
    description="Words of the query match as prefixes and all must occur; newest first. "
    "accountId/processName (exact) and the date window are optional; startDate and "
    "endDate must come together, endDate >= startDate.",
    dependencies=body_schema(TextSearchRequest),
    responses=error_responses(400, 413, 415, 500, 503),
)
async def search_text(request: Request[Any, Any, Any]) -> Response[TextSearchResponse]:
    """A page of matching events."""
    body = await read_json_body(request, settings_of(request).max_body_bytes)
    try:
        search = decoder_for(TextSearchRequest).decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise invalid_body(exc) from None
    if not search.query.strip():
        raise invalid("query", "Expected at least one non-blank character")
    _paired(search.start_date is not None, search.end_date is not None)
    check_order(search.start_date, search.end_date)
    reads = reads_of(request)
    result = await reads.search(
        SearchFilter(
            query=search.query,
            account_id=search.account_id,
            process_name=search.process_name,
            start=search.start_date,
            end=search.end_date,
        ),
        PageRequest(search.page, search.page_size),
    )
    return json_response(
        TextSearchResponse(
            query=search.query,
            events=result.events,
            total_count=result.total_count,
            page=search.page,
            page_size=search.page_size,
        )
    )


@post(
    ["/v1/events/lookup"],
    status_code=200,
    summary="Look events up by exact filters",
    tags=_TAGS,
    description=f"At least one of accountId/processName; startDate and endDate together, "
    f"at most {LOOKUP_MAX_WINDOW_DAYS} days apart. Newest first.",
    dependencies=body_schema(LookupRequest),
    responses=error_responses(400, 413, 415, 500, 503),
)
async def lookup(request: Request[Any, Any, Any]) -> Response[LookupResponse]:
    """A page of events matching every given filter."""
    body = await read_json_body(request, settings_of(request).max_body_bytes)
    try:
        lookup_request = decoder_for(LookupRequest).decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise invalid_body(exc) from None
    if lookup_request.account_id is None and lookup_request.process_name is None:
        raise invalid("accountId", "accountId or processName is required")
    start, end = lookup_request.start_date, lookup_request.end_date
    _paired(start is not None, end is not None)
    check_order(start, end)
    if (
        start is not None
        and end is not None
        and end - start > timedelta(days=LOOKUP_MAX_WINDOW_DAYS)
    ):
        raise invalid("endDate", f"the date window must not exceed {LOOKUP_MAX_WINDOW_DAYS} days")
    reads = reads_of(request)
    result = await reads.lookup(
        LookupFilter(
            account_id=lookup_request.account_id,
            process_name=lookup_request.process_name,
            event_status=lookup_request.event_status,
            start=start,
            end=end,
        ),
        PageRequest(lookup_request.page, lookup_request.page_size),
    )
    return json_response(result)


def _paired(has_start: bool, has_end: bool) -> None:
    if has_start and not has_end:
        raise invalid("endDate", "startDate and endDate must be given together")
    if has_end and not has_start:
        raise invalid("startDate", "startDate and endDate must be given together")


@get(
    ["/v1/events/{executionId:str}"],
    summary="One event by executionId",
    tags=_TAGS,
    description="**[ext]** The stored event, or 404.",
    responses=error_responses(404, 500, 503),
)
async def event_by_id(
    request: Request[Any, Any, Any], executionId: FromPath[str]
) -> Response[EventLogRecord]:
    """One event."""
    reads = reads_of(request)
    record = await reads.event(executionId.lower())
    if record is None:
        raise not_found(f"No event with executionId {executionId!r}.")
    return json_response(record)


ROUTES: Final[list[Any]] = [
    trace_events,
    correlation_events,
    account_events,
    account_summary,
    batch_events,
    batch_summary,
    search_text,
    lookup,
    event_by_id,
]
