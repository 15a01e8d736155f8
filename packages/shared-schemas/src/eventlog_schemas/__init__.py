"""Wire types of the Event Log Platform, shared by the API, the SDK and the dashboard.

Every request and response body of the v1 contract is a frozen, keyword-only
``msgspec.Struct`` with camelCase wire names. Decoding validates: ids, enums, lengths
and timestamps are checked, ``eventTimestamp`` is normalised to UTC milliseconds and an
all-zero ``parentSpanId`` becomes ``None``.
"""

from importlib.metadata import PackageNotFoundError, version

from ._private.base import AwareDatetime, UtcTimestamp, WireRequest, WireResponse
from ._private.codec import decode, decode_batch, decode_event, decoder_for, encode
from ._private.enums import EventStatus, EventType, HttpMethod
from ._private.events import EventLogEntry, EventLogRecord
from ._private.ids import (
    NO_PARENT_SPAN_ID,
    TraceParent,
    format_traceparent,
    is_span_id,
    is_trace_id,
    new_batch_id,
    new_span_id,
    new_trace_id,
    parse_traceparent,
)
from ._private.ingest import BatchError, BatchRequest, BatchResponse, CreateEventResponse
from ._private.limits import (
    DEFAULT_MAX_BODY_BYTES,
    LOOKUP_MAX_WINDOW_DAYS,
    SEARCH_PAGE,
    STANDARD_PAGE,
    TRACE_EVENTS_PAGE,
    PageSize,
)
from ._private.links import CorrelationLink, CorrelationLinkCreated, CorrelationLinkRequest
from ._private.processes import (
    CreateProcessRequest,
    ProcessDefinition,
    ProcessListResponse,
    UpdateProcessRequest,
)
from ._private.reads import (
    AccountEventsResponse,
    AccountSummary,
    AccountSummaryResponse,
    BatchEventsResponse,
    BatchSummaryResponse,
    CorrelationEventsResponse,
    DashboardStats,
    LookupRequest,
    LookupResponse,
    StatusCounts,
    TextSearchRequest,
    TextSearchResponse,
    TraceEventsResponse,
    TraceListResponse,
    TraceSummary,
)
from ._private.stats import (
    DEFAULT_CHART_WINDOW_DAYS,
    MAX_CHART_BUCKETS,
    ChartPoint,
    ProcessStats,
    ProcessStatsResponse,
    SlaCompliance,
    SlaComplianceResponse,
    TimeBucket,
    TimeSeriesResponse,
)
from ._private.system import (
    ClearRequest,
    ErrorDetail,
    ErrorResponse,
    HealthResponse,
    ReadinessResponse,
    VersionResponse,
)
from ._private.timestamps import format_timestamp, parse_timestamp, to_utc_millis, utc_now
from ._private.validation import json_path_to_dotted, validation_details

try:
    __version__ = version("eventlog-schemas")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "DEFAULT_CHART_WINDOW_DAYS",
    "DEFAULT_MAX_BODY_BYTES",
    "LOOKUP_MAX_WINDOW_DAYS",
    "MAX_CHART_BUCKETS",
    "NO_PARENT_SPAN_ID",
    "SEARCH_PAGE",
    "STANDARD_PAGE",
    "TRACE_EVENTS_PAGE",
    "AccountEventsResponse",
    "AccountSummary",
    "AccountSummaryResponse",
    "AwareDatetime",
    "BatchError",
    "BatchEventsResponse",
    "BatchRequest",
    "BatchResponse",
    "BatchSummaryResponse",
    "ChartPoint",
    "ClearRequest",
    "CorrelationEventsResponse",
    "CorrelationLink",
    "CorrelationLinkCreated",
    "CorrelationLinkRequest",
    "CreateEventResponse",
    "CreateProcessRequest",
    "DashboardStats",
    "ErrorDetail",
    "ErrorResponse",
    "EventLogEntry",
    "EventLogRecord",
    "EventStatus",
    "EventType",
    "HealthResponse",
    "HttpMethod",
    "LookupRequest",
    "LookupResponse",
    "PageSize",
    "ProcessDefinition",
    "ProcessListResponse",
    "ProcessStats",
    "ProcessStatsResponse",
    "ReadinessResponse",
    "SlaCompliance",
    "SlaComplianceResponse",
    "StatusCounts",
    "TextSearchRequest",
    "TextSearchResponse",
    "TimeBucket",
    "TimeSeriesResponse",
    "TraceEventsResponse",
    "TraceListResponse",
    "TraceParent",
    "TraceSummary",
    "UpdateProcessRequest",
    "UtcTimestamp",
    "VersionResponse",
    "WireRequest",
    "WireResponse",
    "__version__",
    "decode",
    "decode_batch",
    "decode_event",
    "decoder_for",
    "encode",
    "format_timestamp",
    "format_traceparent",
    "is_span_id",
    "is_trace_id",
    "json_path_to_dotted",
    "new_batch_id",
    "new_span_id",
    "new_trace_id",
    "parse_timestamp",
    "parse_traceparent",
    "to_utc_millis",
    "utc_now",
    "validation_details",
]
