"""eventlog_sdk: the asyncio-native SDK of the Event Log Platform.

- ``EventLogClient``: typed async HTTP client of every v1 endpoint, with retries.
- ``AsyncEventLogger``: fire-and-forget logger (queue, batches, retry, circuit breaker,
  spillover to disk and replay) that never blocks or crashes its host.
- ``ProcessLogger`` (``logger.process(...)``): PROCESS_START/STEP/PROCESS_END/ERROR with
  automatic span ids; trace context in contextvars with ``traceparent`` inject/extract,
  an ASGI middleware and an aiohttp ``TraceConfig``.
- ``eventlog_sdk.testing.CapturingLogger``: a test double for applications' own tests.
"""

from importlib.metadata import PackageNotFoundError, version

from ._private.accounting import BreakerState, DropReason, LoggerHooks, LoggerStats
from ._private.breaker import CircuitBreaker
from ._private.client import EventLogClient, with_idempotency_key
from ._private.context import (
    TraceContext,
    current_context,
    extract,
    inject,
    new_context,
    reset_context,
    set_context,
    use_context,
)
from ._private.errors import (
    RETRYABLE_STATUSES,
    EventLogApiError,
    EventLogConnectionError,
    EventLogError,
)
from ._private.logger import AsyncEventLogger
from ._private.process import ONE_SHOT_FIELDS, EventSink, ProcessLogger, StepHandle
from ._private.propagation import TraceContextMiddleware, trace_config
from ._private.retry import RetryPolicy, parse_retry_after
from ._private.settings import ENVIRONMENT, LoggerConfig
from ._private.transport import (
    AiohttpTransport,
    InMemoryTransport,
    Transport,
    TransportError,
    TransportResponse,
)

try:
    __version__ = version("eventlog-sdk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ENVIRONMENT",
    "ONE_SHOT_FIELDS",
    "RETRYABLE_STATUSES",
    "AiohttpTransport",
    "AsyncEventLogger",
    "BreakerState",
    "CircuitBreaker",
    "DropReason",
    "EventLogApiError",
    "EventLogClient",
    "EventLogConnectionError",
    "EventLogError",
    "EventSink",
    "InMemoryTransport",
    "LoggerConfig",
    "LoggerHooks",
    "LoggerStats",
    "ProcessLogger",
    "RetryPolicy",
    "StepHandle",
    "TraceContext",
    "TraceContextMiddleware",
    "Transport",
    "TransportError",
    "TransportResponse",
    "__version__",
    "current_context",
    "extract",
    "inject",
    "new_context",
    "parse_retry_after",
    "reset_context",
    "set_context",
    "trace_config",
    "use_context",
    "with_idempotency_key",
]
