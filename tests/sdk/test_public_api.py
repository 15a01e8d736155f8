"""The exported names of eventlog_sdk are pinned: removing or renaming one is deliberate."""

from __future__ import annotations

import eventlog_sdk
import eventlog_sdk.testing

EXPECTED = {
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
}


def test_exported_names_are_pinned() -> None:
    assert set(eventlog_sdk.__all__) == EXPECTED
    assert eventlog_sdk.__all__ == sorted(eventlog_sdk.__all__, key=lambda n: (not n.isupper(), n))
    for name in eventlog_sdk.__all__:
        assert hasattr(eventlog_sdk, name), name


def test_testing_module_exports() -> None:
    assert eventlog_sdk.testing.__all__ == ["CapturingLogger"]


def test_every_public_callable_has_a_docstring() -> None:
    for name in eventlog_sdk.__all__:
        value = getattr(eventlog_sdk, name)
        if callable(value):
            assert value.__doc__, name


def test_every_client_endpoint_method_is_documented() -> None:
    methods = [
        m
        for m in vars(eventlog_sdk.EventLogClient)
        if not m.startswith("_") and callable(getattr(eventlog_sdk.EventLogClient, m))
    ]
    assert len(methods) >= 28
    for method in methods:
        assert getattr(eventlog_sdk.EventLogClient, method).__doc__, method
