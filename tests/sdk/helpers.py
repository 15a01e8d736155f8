"""Helpers of the SDK tests: events, fast logger configs (imported as ``sdk.helpers``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventlog_schemas import EventLogEntry, EventStatus, EventType, new_trace_id, utc_now
from eventlog_sdk import LoggerConfig


def make_event(index: int = 0, **overrides: Any) -> EventLogEntry:
    """A valid STEP event; ``index`` makes its correlation id and summary distinct."""
    fields: dict[str, Any] = {
        "trace_id": new_trace_id(),
        "correlation_id": f"corr-{index}",
        "application_id": "sdk-tests",
        "target_system": "target",
        "originating_system": "origin",
        "process_name": "SdkTest",
        "event_type": EventType.STEP,
        "event_status": EventStatus.SUCCESS,
        "identifiers": {"n": index},
        "summary": f"sdk test event {index}",
        "result": "OK",
        "event_timestamp": utc_now(),
    }
    fields.update(overrides)
    return EventLogEntry(**fields)


def fast_config(spill_dir: Path | None, **overrides: Any) -> LoggerConfig:
    """A config with short timings for tests; spillover in ``spill_dir`` (off when None)."""
    values: dict[str, Any] = {
        "base_url": "http://127.0.0.1:9",
        "application_id": "sdk-tests",
        "linger_s": 0.005,
        "retry_base_s": 0.01,
        "retry_cap_s": 0.05,
        "retry_max_attempts": 3,
        "breaker_failure_threshold": 3,
        "breaker_reset_s": 0.2,
        "replay_interval_s": 3600.0,
        "request_timeout_s": 5.0,
        "shutdown_timeout_s": 2.0,
        "spillover_enabled": spill_dir is not None,
        "spillover_dir": spill_dir,
    }
    values.update(overrides)
    return LoggerConfig(**values)
