"""Bodies of the read endpoints: event lists, summaries, search, traces and stats."""

from __future__ import annotations

from typing import Annotated

import msgspec

from .base import AwareDatetime, Page, UtcTimestamp, WireRequest, WireResponse
from .enums import EventStatus
from .events import AccountId, EventLogRecord, ProcessName
from .limits import SEARCH_PAGE, STANDARD_PAGE


class StatusCounts(WireResponse, frozen=True, kw_only=True):
    """Events of a trace per status."""

    success: int = 0
    failure: int = 0
    in_progress: int = 0
    skipped: int = 0
    warning: int = 0


class TraceEventsResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/events/trace/{traceId}``: a page of events, aggregates of the whole trace.

    For an unknown trace the events are empty and every aggregate is ``null``.
    """

    trace_id: str
    events: list[EventLogRecord]
    total_count: int
    page: int
    page_size: int
    has_more: bool
    systems_involved: list[str] | None
    total_duration_ms: int | None
    status_counts: StatusCounts | None
    process_name: str | None
    account_id: str | None
    start_time: UtcTimestamp | None
    end_time: UtcTimestamp | None


class CorrelationEventsResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/events/correlation/{correlationId}``."""

    correlation_id: str
    account_id: str | None
    is_linked: bool
    events: list[EventLogRecord]
    total_count: int
    page: int
    page_size: int
    has_more: bool


class AccountEventsResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/events/account/{accountId}``: newest first."""

    account_id: str
    events: list[EventLogRecord]
    total_count: int
    page: int
    page_size: int
    has_more: bool


class AccountSummary(WireResponse, frozen=True, kw_only=True):
    """What an account's events add up to."""

    account_id: str
    first_event_at: UtcTimestamp | None
    last_event_at: UtcTimestamp | None
    total_events: int
    total_processes: int
    error_count: int
    last_process: str | None
    systems_touched: list[str]
    correlation_ids: list[str]
    updated_at: UtcTimestamp | None


class AccountSummaryResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/events/account/{accountId}/summary``."""

    summary: AccountSummary
    recent_events: list[EventLogRecord]
    recent_errors: list[EventLogRecord]


class BatchEventsResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/events/batch/{batchId}``: newest first."""

    batch_id: str
    events: list[EventLogRecord]
    total_count: int
    unique_correlation_ids: int
    success_count: int
    failure_count: int
    page: int
    page_size: int
    has_more: bool


class BatchSummaryResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/events/batch/{batchId}/summary``."""

    batch_id: str
    total_processes: int
    completed: int
    in_progress: int
    failed: int
    correlation_ids: list[str]
    started_at: UtcTimestamp | None
    last_event_at: UtcTimestamp | None


SearchPageSize = Annotated[int, msgspec.Meta(ge=1, le=SEARCH_PAGE.maximum)]
StandardPageSize = Annotated[int, msgspec.Meta(ge=1, le=STANDARD_PAGE.maximum)]


class TextSearchRequest(WireRequest, frozen=True, kw_only=True):
    """``POST /v1/events/search/text``: words match as prefixes, all must occur."""

    query: Annotated[str, msgspec.Meta(min_length=1)]
    account_id: AccountId | None = None
    process_name: ProcessName | None = None
    start_date: AwareDatetime | None = None
    end_date: AwareDatetime | None = None
    page: Page = 1
    page_size: SearchPageSize = SEARCH_PAGE.default


class TextSearchResponse(WireResponse, frozen=True, kw_only=True):
    """Answer to a text search: newest first."""

    query: str
    events: list[EventLogRecord]
    total_count: int
    page: int
    page_size: int


class LookupRequest(WireRequest, frozen=True, kw_only=True):
    """``POST /v1/events/lookup``: exact filters; accountId or processName required."""

    account_id: AccountId | None = None
    process_name: ProcessName | None = None
    event_status: EventStatus | None = None
    start_date: AwareDatetime | None = None
    end_date: AwareDatetime | None = None
    page: Page = 1
    page_size: StandardPageSize = STANDARD_PAGE.default


class LookupResponse(WireResponse, frozen=True, kw_only=True):
    """Answer to a lookup: newest first."""

    events: list[EventLogRecord]
    total_count: int
    page: int
    page_size: int
    has_more: bool


class TraceSummary(WireResponse, frozen=True, kw_only=True, omit_defaults=True):
    """One row of the trace list; ``slaMs``/``slaBreached`` when the process has an SLA."""

    trace_id: str
    event_count: int
    has_errors: bool
    latest_status: EventStatus
    duration_ms: int | None
    process_name: str | None
    account_id: str | None
    start_time: UtcTimestamp
    end_time: UtcTimestamp
    sla_ms: int | None = None
    sla_breached: bool | None = None


class TraceListResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/traces``: newest activity first."""

    traces: list[TraceSummary]
    total_count: int
    page: int
    page_size: int
    has_more: bool


class DashboardStats(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/dashboard/stats``."""

    total_traces: int
    total_accounts: int
    total_events: int
    success_rate: float
    system_names: list[str]
