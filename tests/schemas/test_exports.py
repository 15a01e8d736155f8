"""The public names of every package.

``eventlog_schemas`` is pinned exactly: the other packages import it, so adding or
removing a name is a deliberate change that updates this list. The other packages'
lists are checked for shape only (present, sorted as ruff's RUF022 sorts, resolvable).
"""

from __future__ import annotations

import importlib
import inspect
import re
from importlib.metadata import version

import pytest

SCHEMAS_EXPORTS = [
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

PACKAGES = ["eventlog_schemas", "eventlog_api", "eventlog_sdk", "eventlog_dashboard"]


def _ruf022_key(name: str) -> tuple[int, list[int | str]]:
    """The order ruff's RUF022 keeps ``__all__`` in (isort style).

    SCREAMING_CASE first, then CamelCase, then everything else; a natural sort within.
    """
    if len(name) > 1 and name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    natural = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
    return group, natural


def test_ruf022_key_sorts_like_ruff() -> None:
    # What `ruff check --select RUF022 --fix` made of this list (ruff 0.17.5).
    by_ruff = ["A2", "A10", "CONST", "HTTP", "X_1", "Class", "Http", "X"]
    by_ruff += ["__version__", "_x", "a", "a9", "a10", "b"]
    shuffled = ["b", "X", "a10", "HTTP", "_x", "A10", "Http", "a", "__version__", "X_1"]
    shuffled += ["a9", "Class", "CONST", "A2"]
    assert sorted(shuffled, key=_ruf022_key) == by_ruff


def test_schemas_exports_are_pinned() -> None:
    module = importlib.import_module("eventlog_schemas")
    assert module.__all__ == SCHEMAS_EXPORTS


def test_schemas_public_names_are_documented() -> None:
    module = importlib.import_module("eventlog_schemas")
    undocumented = [
        name
        for name in module.__all__
        if (inspect.isclass(obj := getattr(module, name)) or inspect.isfunction(obj))
        and not inspect.getdoc(obj)
    ]
    assert undocumented == []


def test_schemas_version_is_the_installed_distribution() -> None:
    module = importlib.import_module("eventlog_schemas")
    assert module.__version__ == version("eventlog-schemas")


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_sorted_and_resolves(package: str) -> None:
    module = importlib.import_module(package)
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, list), f"{package} has no __all__ list"
    assert all(isinstance(name, str) for name in exported)
    assert len(set(exported)) == len(exported), "duplicate names"
    assert exported == sorted(exported, key=_ruf022_key)
    missing = [name for name in exported if not hasattr(module, name)]
    assert missing == []


@pytest.mark.parametrize("package", PACKAGES)
def test_star_import_gives_exactly_all(package: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from {package} import *", namespace)
    namespace.pop("__builtins__")
    assert sorted(namespace) == sorted(importlib.import_module(package).__all__)
