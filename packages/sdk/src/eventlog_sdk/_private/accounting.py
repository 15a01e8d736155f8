"""Counters, drop reasons and user hooks: every event the logger does not deliver is counted."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

log = logging.getLogger("eventlog_sdk")


class DropReason(enum.StrEnum):
    """Why an event was given up for good."""

    QUEUE_FULL = "queue_full"
    """The queue was full and spillover is off."""
    RETRIES_EXHAUSTED = "retries_exhausted"
    """Sending failed after every retry (or the API refused the batch) and spillover is off."""
    SPILLOVER_FULL = "spillover_full"
    """The spillover files reached their byte or event cap."""
    SPILLOVER_ERROR = "spillover_error"
    """Writing the spillover file failed (disk full, permissions)."""
    SPILLOVER_CORRUPT = "spillover_corrupt"
    """A spillover line could not be read back (a torn last line after a crash)."""
    INVALID_EVENT = "invalid_event"
    """The event is not valid: not an EventLogEntry, not encodable, rejected by the API
    as not retryable (a 400 or a non-retryable batch entry), or too large even alone."""
    SHUTDOWN_TIMEOUT = "shutdown_timeout"
    """Shutdown ran out of time with events left and spillover is off (or failed)."""
    CLOSED = "closed"
    """Logged after ``aclose()``."""


class BreakerState(enum.StrEnum):
    """Circuit breaker states."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, kw_only=True, slots=True)
class LoggerStats:
    """A snapshot of the logger's counters.

    Live events add up: ``queued == sent + spilled_live + dropped_after_queue +
    queue_depth + in_flight`` (``spilled_live`` counts only events that came from the
    queue; events logged while the queue was full go to spillover without being queued).
    """

    queued: int
    """Events accepted into the queue."""
    sent: int
    """Events the API confirmed stored by the live sender (idempotent repeats included)."""
    failed: int
    """Send attempts (whole batches) that failed: no answer, or a retryable/5xx status."""
    retried: int
    """Events sent again after a failed attempt or a retryable partial failure."""
    spilled: int
    """Events written to the spillover files."""
    replayed: int
    """Spilled events the API confirmed stored during replay."""
    dropped: Mapping[DropReason, int]
    """Events given up, by reason."""
    truncated_fields: int
    """Fields shortened before sending: request/response payloads longer than
    ``max_payload_chars``, ``errorMessage``/``result`` longer than the contract's 2048."""
    hook_errors: int
    """Hook calls that raised (the exception is logged and contained)."""
    queue_depth: int
    in_flight: int
    """Events in a batch being sent right now."""
    spill_pending: int
    """Events waiting in spillover files."""
    breaker_state: BreakerState

    @property
    def dropped_total(self) -> int:
        """All dropped events, whatever the reason."""
        return sum(self.dropped.values())


@dataclass(kw_only=True, slots=True)
class Counters:
    """The mutable counters behind ``LoggerStats`` (owned by one logger)."""

    queued: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    spilled: int = 0
    spilled_live: int = 0
    replayed: int = 0
    truncated_fields: int = 0
    hook_errors: int = 0
    dropped: dict[DropReason, int] = field(default_factory=dict)
    dropped_after_queue: int = 0

    def drop(self, reason: DropReason, count: int) -> None:
        """Count ``count`` events dropped for ``reason``."""
        self.dropped[reason] = self.dropped.get(reason, 0) + count

    def frozen_drops(self) -> Mapping[DropReason, int]:
        """A read-only copy of the drops by reason."""
        return MappingProxyType(dict(self.dropped))


Hook = Callable[..., Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class LoggerHooks:
    """Optional callbacks; each runs in the logger's task and may not block.

    A hook that raises is contained: the exception is logged (``eventlog_sdk`` logger)
    and counted in ``hook_errors``; the logger carries on.
    """

    on_batch_sent: Callable[[int], Any] | None = None
    """``(count)`` after the API confirmed ``count`` events (live or replayed)."""
    on_batch_failed: Callable[[int, str], Any] | None = None
    """``(count, error)`` after a send attempt of ``count`` events failed."""
    on_circuit_open: Callable[[], Any] | None = None
    on_circuit_close: Callable[[], Any] | None = None
    on_spill: Callable[[int, str], Any] | None = None
    """``(count, why)`` after ``count`` events were written to spillover."""
    on_drop: Callable[[int, DropReason, str], Any] | None = None
    """``(count, reason, detail)`` after ``count`` events were dropped."""


def call_hook(hook: Hook | None, counters: Counters, *args: Any) -> None:
    """Run ``hook(*args)``; an exception is logged and counted, never propagated."""
    if hook is None:
        return
    try:
        hook(*args)
    except Exception:
        counters.hook_errors += 1
        log.exception("eventlog_sdk hook %r raised; ignored", getattr(hook, "__name__", hook))
