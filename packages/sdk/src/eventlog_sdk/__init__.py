"""eventlog_sdk: the asyncio-native SDK of the Event Log Platform.

- ``EventLogClient``: typed async HTTP client of every v1 endpoint, with retries.
- ``AsyncEventLogger``: fire-and-forget logger (queue, batches, retry, circuit breaker,
  spillover to disk and replay) that never blocks or crashes its host.
"""

from importlib.metadata import PackageNotFoundError, version

from ._private.client import EventLogClient, with_idempotency_key
from ._private.errors import (
    RETRYABLE_STATUSES,
    EventLogApiError,
    EventLogConnectionError,
    EventLogError,
)
from ._private.retry import RetryPolicy, parse_retry_after
from ._private.settings import ENVIRONMENT, LoggerConfig

try:
    __version__ = version("eventlog-sdk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ENVIRONMENT",
    "RETRYABLE_STATUSES",
    "EventLogApiError",
    "EventLogClient",
    "EventLogConnectionError",
    "EventLogError",
    "LoggerConfig",
    "RetryPolicy",
    "__version__",
    "parse_retry_after",
    "with_idempotency_key",
]
