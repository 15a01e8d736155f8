"""Every default of the SDK, named once, and the ``EVENTLOG_*`` environment parsing."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

from eventlog_schemas import DEFAULT_MAX_BODY_BYTES

# --- the HTTP client ---------------------------------------------------------------
DEFAULT_BASE_URL: Final = "http://127.0.0.1:8080"
DEFAULT_REQUEST_TIMEOUT_S: Final = 10.0
"""Whole-request timeout of one attempt (connect + send + read)."""
DEFAULT_CONNECT_TIMEOUT_S: Final = 3.0
APPLICATION_ID_HEADER: Final = "X-Application-Id"
CORRELATION_ID_HEADER: Final = "X-Correlation-Id"
TRACEPARENT_HEADER: Final = "traceparent"

# --- retry -------------------------------------------------------------------------
DEFAULT_RETRY_BASE_S: Final = 0.5
DEFAULT_RETRY_CAP_S: Final = 30.0
DEFAULT_RETRY_MAX_ATTEMPTS: Final = 5
"""Attempts per request or batch, the first one included."""

# --- the logger --------------------------------------------------------------------
DEFAULT_QUEUE_CAPACITY: Final = 10_000
DEFAULT_BATCH_SIZE: Final = 100
DEFAULT_BATCH_MAX_BYTES: Final = DEFAULT_MAX_BODY_BYTES // 2
"""Half the server's default body limit: the envelope and a margin always fit."""
DEFAULT_LINGER_S: Final = 0.1
DEFAULT_MAX_CONCURRENT_BATCHES: Final = 4
"""Batches in flight at once: the API commits concurrent batches together."""
DEFAULT_BREAKER_FAILURE_THRESHOLD: Final = 5
DEFAULT_BREAKER_RESET_S: Final = 30.0
DEFAULT_SPILLOVER_ENABLED: Final = True
DEFAULT_SPILLOVER_MAX_BYTES: Final = 256 * 1024 * 1024
DEFAULT_SPILLOVER_MAX_EVENTS: Final = 1_000_000
DEFAULT_SPILLOVER_SEGMENT_BYTES: Final = 4 * 1024 * 1024
"""One spillover file is sealed (and becomes replayable) at this size."""
DEFAULT_REPLAY_INTERVAL_S: Final = 10.0
DEFAULT_MAX_PAYLOAD_CHARS: Final = 64 * 1024
"""``requestPayload``/``responsePayload`` longer than this are truncated (and counted)."""
DEFAULT_SHUTDOWN_TIMEOUT_S: Final = 5.0
DEFAULT_ATEXIT_TIMEOUT_S: Final = 2.0
DEFAULT_APPLICATION_ID: Final = "unknown-application"

ENV_PREFIX: Final = "EVENTLOG_"


def default_spillover_root() -> Path:
    """``$XDG_STATE_HOME/eventlog-sdk/spillover`` (``~/.local/state/...`` without it)."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "eventlog-sdk" / "spillover"


def spillover_dir_for(base_url: str, root: Path | None = None) -> Path:
    """The spillover folder of one API: events spilled for one URL replay to that URL only."""
    digest = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:16]
    return (root or default_spillover_root()) / digest


@dataclass(frozen=True, kw_only=True, slots=True)
class LoggerConfig:
    """Everything an ``AsyncEventLogger`` (and its ``EventLogClient``) can be told.

    Every field has a named default in this module; ``LoggerConfig.from_env()`` reads the
    ``EVENTLOG_*`` variables listed in ``ENVIRONMENT``. Durations are seconds.
    """

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    application_id: str = DEFAULT_APPLICATION_ID
    target_system: str | None = None
    """Default ``targetSystem`` of process-logger events (``application_id`` when unset)."""
    originating_system: str | None = None
    """Default ``originatingSystem`` of process-logger events (``application_id`` when unset)."""
    request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    queue_capacity: int = DEFAULT_QUEUE_CAPACITY
    batch_size: int = DEFAULT_BATCH_SIZE
    batch_max_bytes: int = DEFAULT_BATCH_MAX_BYTES
    linger_s: float = DEFAULT_LINGER_S
    max_concurrent_batches: int = DEFAULT_MAX_CONCURRENT_BATCHES
    retry_base_s: float = DEFAULT_RETRY_BASE_S
    retry_cap_s: float = DEFAULT_RETRY_CAP_S
    retry_max_attempts: int = DEFAULT_RETRY_MAX_ATTEMPTS
    breaker_failure_threshold: int = DEFAULT_BREAKER_FAILURE_THRESHOLD
    breaker_reset_s: float = DEFAULT_BREAKER_RESET_S
    spillover_enabled: bool = DEFAULT_SPILLOVER_ENABLED
    spillover_dir: Path | None = None
    """Where spilled events go; ``None`` means ``spillover_dir_for(base_url)``."""
    spillover_max_bytes: int = DEFAULT_SPILLOVER_MAX_BYTES
    spillover_max_events: int = DEFAULT_SPILLOVER_MAX_EVENTS
    spillover_segment_bytes: int = DEFAULT_SPILLOVER_SEGMENT_BYTES
    replay_interval_s: float = DEFAULT_REPLAY_INTERVAL_S
    max_payload_chars: int = DEFAULT_MAX_PAYLOAD_CHARS
    shutdown_timeout_s: float = DEFAULT_SHUTDOWN_TIMEOUT_S
    atexit_timeout_s: float = DEFAULT_ATEXIT_TIMEOUT_S
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        positive = {
            "queue_capacity": self.queue_capacity,
            "batch_size": self.batch_size,
            "batch_max_bytes": self.batch_max_bytes,
            "max_concurrent_batches": self.max_concurrent_batches,
            "retry_max_attempts": self.retry_max_attempts,
            "breaker_failure_threshold": self.breaker_failure_threshold,
            "spillover_max_bytes": self.spillover_max_bytes,
            "spillover_max_events": self.spillover_max_events,
            "spillover_segment_bytes": self.spillover_segment_bytes,
            "max_payload_chars": self.max_payload_chars,
            "request_timeout_s": self.request_timeout_s,
            "connect_timeout_s": self.connect_timeout_s,
            "replay_interval_s": self.replay_interval_s,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"{name} must be > 0, got {value!r}")
        non_negative = {
            "linger_s": self.linger_s,
            "retry_base_s": self.retry_base_s,
            "retry_cap_s": self.retry_cap_s,
            "breaker_reset_s": self.breaker_reset_s,
            "shutdown_timeout_s": self.shutdown_timeout_s,
            "atexit_timeout_s": self.atexit_timeout_s,
        }
        for name, value in non_negative.items():
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")

    @property
    def resolved_spillover_dir(self) -> Path:
        """The folder spilled events go to (derived from the URL unless set)."""
        return self.spillover_dir or spillover_dir_for(self.base_url)

    def with_changes(self, **changes: Any) -> LoggerConfig:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> LoggerConfig:
        """Defaults, then ``EVENTLOG_*`` variables, then ``overrides``.

        A variable with a value that does not parse raises ``ValueError`` naming it:
        a misconfiguration is reported at start-up, not discovered as lost events.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        known = {f.name for f in fields(cls)}
        for var, (name, parse) in ENVIRONMENT.items():
            raw = env.get(var)
            if raw is None or raw.strip() == "":
                continue
            try:
                values[name] = parse(raw.strip())
            except ValueError as exc:
                raise ValueError(f"{var}={raw!r}: {exc}") from None
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown LoggerConfig field(s): {sorted(unknown)}")
        values.update(overrides)
        return cls(**values)


def _bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected a boolean (true/false, 1/0, yes/no, on/off)")


def _int(raw: str) -> int:
    return int(raw.replace("_", ""))


def _ms(raw: str) -> float:
    return float(raw) / 1000.0


def _str(raw: str) -> str:
    return raw


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


ENVIRONMENT: Final[dict[str, tuple[str, Any]]] = {
    f"{ENV_PREFIX}API_URL": ("base_url", _str),
    f"{ENV_PREFIX}API_KEY": ("api_key", _str),
    f"{ENV_PREFIX}APPLICATION_ID": ("application_id", _str),
    f"{ENV_PREFIX}TARGET_SYSTEM": ("target_system", _str),
    f"{ENV_PREFIX}ORIGINATING_SYSTEM": ("originating_system", _str),
    f"{ENV_PREFIX}SDK_REQUEST_TIMEOUT_MS": ("request_timeout_s", _ms),
    f"{ENV_PREFIX}SDK_CONNECT_TIMEOUT_MS": ("connect_timeout_s", _ms),
    f"{ENV_PREFIX}SDK_QUEUE_CAPACITY": ("queue_capacity", _int),
    f"{ENV_PREFIX}SDK_BATCH_SIZE": ("batch_size", _int),
    f"{ENV_PREFIX}SDK_BATCH_MAX_BYTES": ("batch_max_bytes", _int),
    f"{ENV_PREFIX}SDK_LINGER_MS": ("linger_s", _ms),
    f"{ENV_PREFIX}SDK_MAX_CONCURRENT_BATCHES": ("max_concurrent_batches", _int),
    f"{ENV_PREFIX}SDK_RETRY_BASE_MS": ("retry_base_s", _ms),
    f"{ENV_PREFIX}SDK_RETRY_CAP_MS": ("retry_cap_s", _ms),
    f"{ENV_PREFIX}SDK_RETRY_MAX_ATTEMPTS": ("retry_max_attempts", _int),
    f"{ENV_PREFIX}SDK_BREAKER_FAILURES": ("breaker_failure_threshold", _int),
    f"{ENV_PREFIX}SDK_BREAKER_RESET_MS": ("breaker_reset_s", _ms),
    f"{ENV_PREFIX}SDK_SPILLOVER_ENABLED": ("spillover_enabled", _bool),
    f"{ENV_PREFIX}SDK_SPILLOVER_DIR": ("spillover_dir", _path),
    f"{ENV_PREFIX}SDK_SPILLOVER_MAX_BYTES": ("spillover_max_bytes", _int),
    f"{ENV_PREFIX}SDK_SPILLOVER_MAX_EVENTS": ("spillover_max_events", _int),
    f"{ENV_PREFIX}SDK_SPILLOVER_SEGMENT_BYTES": ("spillover_segment_bytes", _int),
    f"{ENV_PREFIX}SDK_REPLAY_INTERVAL_MS": ("replay_interval_s", _ms),
    f"{ENV_PREFIX}SDK_MAX_PAYLOAD_CHARS": ("max_payload_chars", _int),
    f"{ENV_PREFIX}SDK_SHUTDOWN_TIMEOUT_MS": ("shutdown_timeout_s", _ms),
    f"{ENV_PREFIX}SDK_ATEXIT_TIMEOUT_MS": ("atexit_timeout_s", _ms),
}
"""``EVENTLOG_*`` variable → (``LoggerConfig`` field, parser). Durations are milliseconds."""
