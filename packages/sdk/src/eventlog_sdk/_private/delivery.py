"""Getting encoded events to the API: one batch at a time, with every failure accounted for.

``Delivery.send`` owns the rules of one batch: retry with full jitter (honouring
``Retry-After``), keep only the retryable entries of a partial success, split a batch
answered with 413, never resend after a 400, and feed the circuit breaker. What it
could not deliver it hands back with a reason; the caller spills or drops it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import msgspec
from eventlog_schemas import BatchResponse, decoder_for

from .accounting import Counters, DropReason, LoggerHooks, call_hook
from .breaker import CircuitBreaker
from .errors import RETRYABLE_STATUSES
from .retry import RetryPolicy
from .spillover import SpilloverStore
from .transport import Transport, TransportError

log = logging.getLogger("eventlog_sdk")

BATCH_PREFIX = b'{"events":['
BATCH_SUFFIX = b"]}"
BATCH_OVERHEAD = len(BATCH_PREFIX) + len(BATCH_SUFFIX)


def batch_body(lines: Sequence[bytes]) -> bytes:
    """The ``POST /v1/events/batch`` body for already-encoded events."""
    return BATCH_PREFIX + b",".join(lines) + BATCH_SUFFIX


class Why:
    """Reasons ``Delivery.send`` hands events back (used in hooks and logs)."""

    CIRCUIT_OPEN = "circuit_open"
    RETRIES_EXHAUSTED = "retries_exhausted"
    RETRY_AFTER_TOO_LONG = "retry_after_exceeds_cap"
    REFUSED = "refused"  # 401/403/404/415 ...: a configuration problem, keep the events


@dataclass(slots=True)
class Undelivered:
    """Events ``Delivery.send`` could not deliver, and why."""

    lines: list[bytes]
    why: str


class Delivery:
    """Sends batches through a transport; shared by the live sender and replay."""

    def __init__(
        self,
        *,
        transport: Transport,
        breaker: CircuitBreaker,
        policy: RetryPolicy,
        counters: Counters,
        hooks: LoggerHooks,
        rng: random.Random,
    ) -> None:
        self.transport = transport
        self.breaker = breaker
        self.policy = policy
        self.counters = counters
        self.hooks = hooks
        self.rng = rng

    async def send(
        self,
        lines: list[bytes],
        *,
        replay: bool,
        on_settled: Callable[[list[bytes]], None] | None = None,
    ) -> Undelivered | None:
        """Deliver ``lines``; ``None`` when every event was stored or dropped as invalid.

        ``on_settled`` gets the lines that are dealt with for good after each answer
        (stored, or dropped as invalid), so a caller that is cancelled midway knows
        which events still need a home.
        """
        pending = lines
        attempt = 0
        while pending:
            if not self.breaker.allow():
                return Undelivered(pending, Why.CIRCUIT_OPEN)
            attempt += 1
            retry_after: float | None = None
            try:
                response = await self.transport.send_batch(batch_body(pending))
            except asyncio.CancelledError:
                self.breaker.release_probe()
                raise
            except TransportError as exc:
                self._failed(len(pending), str(exc))
            except Exception as exc:  # a transport bug must not kill the sender
                log.exception("eventlog_sdk transport raised unexpectedly")
                self._failed(len(pending), f"{type(exc).__name__}: {exc}")
            else:
                status = response.status
                retry_after = response.retry_after
                if 200 <= status < 300:
                    self.breaker.record_success()
                    pending = self._accepted(pending, response.body, replay, on_settled)
                    if not pending:
                        return None
                    # Only the retryable entries are left: resend them after a pause.
                elif status == 413:
                    self.breaker.record_success()  # alive; the body is the problem
                    return await self._split(pending, replay, on_settled)
                elif status == 400:
                    self.breaker.record_success()
                    self._drop(
                        DropReason.INVALID_EVENT,
                        len(pending),
                        _detail(response.body),
                        replay=replay,
                    )
                    if on_settled is not None:
                        on_settled(pending)
                    return None
                elif status in RETRYABLE_STATUSES or status >= 500 or status == 408:
                    self._failed(len(pending), f"HTTP {status} {_detail(response.body)}")
                else:
                    # 401/403/404/415...: retrying now will not help, but the events are
                    # fine; the caller keeps them (spillover) for when this is fixed.
                    self._failed(len(pending), f"HTTP {status} {_detail(response.body)}")
                    return Undelivered(pending, Why.REFUSED)
            if attempt >= self.policy.max_attempts:
                return Undelivered(pending, Why.RETRIES_EXHAUSTED)
            delay = self.policy.delay(attempt - 1, retry_after, self.rng)
            if delay is None:
                return Undelivered(pending, Why.RETRY_AFTER_TOO_LONG)
            await asyncio.sleep(delay)
            self.counters.retried += len(pending)
        return None

    async def _split(
        self,
        pending: list[bytes],
        replay: bool,
        on_settled: Callable[[list[bytes]], None] | None,
    ) -> Undelivered | None:
        if len(pending) == 1:
            self._drop(
                DropReason.INVALID_EVENT,
                1,
                "a single event exceeds the server's body limit",
                replay=replay,
            )
            if on_settled is not None:
                on_settled(pending)
            return None
        middle = len(pending) // 2
        left = await self.send(pending[:middle], replay=replay, on_settled=on_settled)
        right = await self.send(pending[middle:], replay=replay, on_settled=on_settled)
        if left is None:
            return right
        if right is None:
            return left
        return Undelivered(left.lines + right.lines, left.why)

    def _accepted(
        self,
        pending: list[bytes],
        body: bytes,
        replay: bool,
        on_settled: Callable[[list[bytes]], None] | None,
    ) -> list[bytes]:
        """Count a 2xx answer; return the entries to resend (the retryable errors)."""
        errors = None
        try:
            errors = decoder_for(BatchResponse).decode(body).errors
        except (msgspec.DecodeError, msgspec.ValidationError):
            # A 2xx means every entry not listed in errors is committed; an answer we
            # cannot read lists none, so all of them are.
            log.warning("eventlog_sdk: unreadable 2xx batch answer; counting all as stored")
        retry: list[bytes] = []
        retry_index: set[int] = set()
        failed_index: set[int] = set()
        invalid = 0
        first_invalid = ""
        for error in errors or ():
            if not 0 <= error.index < len(pending) or error.index in failed_index:
                continue
            failed_index.add(error.index)
            if error.retryable:
                retry.append(pending[error.index])
                retry_index.add(error.index)
            else:
                invalid += 1
                first_invalid = first_invalid or error.error
        delivered = (
            [line for i, line in enumerate(pending) if i not in failed_index]
            if failed_index
            else pending
        )
        if delivered:
            if replay:
                self.counters.replayed += len(delivered)
            else:
                self.counters.sent += len(delivered)
            call_hook(self.hooks.on_batch_sent, self.counters, len(delivered))
        if invalid:
            self._drop(DropReason.INVALID_EVENT, invalid, first_invalid, replay=replay)
        if on_settled is not None:
            on_settled(
                [line for i, line in enumerate(pending) if i not in retry_index]
                if retry_index
                else pending
            )
        return retry

    def _failed(self, count: int, error: str) -> None:
        self.breaker.record_failure()
        self.counters.failed += 1
        call_hook(self.hooks.on_batch_failed, self.counters, count, error)

    def _drop(self, reason: DropReason, count: int, detail: str, *, replay: bool) -> None:
        drop(self.counters, self.hooks, reason, count, detail, live=not replay)


def drop(
    counters: Counters,
    hooks: LoggerHooks,
    reason: DropReason,
    count: int,
    detail: str,
    *,
    live: bool,
) -> None:
    """Count ``count`` dropped events, tell the hook, and log it (loss is never silent).

    ``live`` marks events that had been queued (they leave the queue's balance).
    """
    if count <= 0:
        return
    counters.drop(reason, count)
    if live:
        counters.dropped_after_queue += count
    _warn_drop(reason, count, detail)
    call_hook(hooks.on_drop, counters, count, reason, detail)


_DROP_LOG_INTERVAL_S = 1.0
_drop_log_state: dict[DropReason, tuple[float, int]] = {}


def _warn_drop(reason: DropReason, count: int, detail: str) -> None:
    """Log drops, at most once a second per reason (the counters stay exact).

    A flood of identical warnings (queue full at thousands of events per second) would
    cost the host more than the events themselves.
    """
    now = time.monotonic()
    last, held = _drop_log_state.get(reason, (0.0, 0))
    held += count
    if now - last < _DROP_LOG_INTERVAL_S:
        _drop_log_state[reason] = (last, held)
        return
    _drop_log_state[reason] = (now, 0)
    log.warning(
        "eventlog_sdk dropped %d event(s) since the last report: %s %s", held, reason.value, detail
    )


class Spiller:
    """Writes events to spillover, or counts them dropped when that is off or full."""

    def __init__(
        self,
        store: SpilloverStore | None,
        counters: Counters,
        hooks: LoggerHooks,
    ) -> None:
        self.store = store
        self.counters = counters
        self.hooks = hooks
        # log_nowait may be called from another thread; the file append must not interleave.
        self._lock = threading.Lock()

    def spill(
        self, lines: Sequence[bytes], why: str, *, no_spill_reason: DropReason, live: bool
    ) -> int:
        """Spill ``lines``; returns how many were stored. The rest are counted as drops."""
        if not lines:
            return 0
        store = self.store
        if store is None:
            drop(self.counters, self.hooks, no_spill_reason, len(lines), why, live=live)
            return 0
        try:
            with self._lock:
                result = store.append(lines)
        except OSError as exc:
            drop(
                self.counters,
                self.hooks,
                DropReason.SPILLOVER_ERROR,
                len(lines),
                str(exc),
                live=live,
            )
            return 0
        if result.stored:
            self.counters.spilled += result.stored
            if live:
                self.counters.spilled_live += result.stored
            call_hook(self.hooks.on_spill, self.counters, result.stored, why)
        if result.over_cap:
            drop(
                self.counters,
                self.hooks,
                DropReason.SPILLOVER_FULL,
                result.over_cap,
                f"spillover cap reached ({store.max_events} events / {store.max_bytes} bytes)",
                live=live,
            )
        return result.stored


def _detail(body: bytes) -> str:
    return body[:300].decode("utf-8", "replace")
