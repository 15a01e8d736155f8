"""``AsyncEventLogger``: fire-and-forget event logging that never blocks or crashes its host."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Self

import msgspec
from eventlog_schemas import EventLogEntry, encode

from . import lifecycle
from .accounting import (
    BreakerState,
    Counters,
    DropReason,
    LoggerHooks,
    LoggerStats,
    call_hook,
)
from .breaker import CircuitBreaker
from .delivery import BATCH_OVERHEAD, Delivery, Spiller, Why, drop
from .process import ProcessLogger
from .retry import RetryPolicy
from .settings import LoggerConfig
from .spillover import SpilloverStore
from .transport import AiohttpTransport, Transport

log = logging.getLogger("eventlog_sdk")

CONTRACT_TEXT_MAX = 2048
"""``errorMessage`` and ``result`` longer than this are refused by the API."""

_NEW = "new"
_RUNNING = "running"
_CLOSING = "closing"
_CLOSED = "closed"


def _is_event(value: object) -> bool:
    # Typed callers always pass an EventLogEntry; untyped ones may not, and must not crash.
    return isinstance(value, EventLogEntry)


def _truncate(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, saying how much was cut (inside the limit)."""
    cut = len(value) - limit
    marker = f"…[truncated {cut + 40} chars]"
    keep = max(0, limit - len(marker))
    marker = f"…[truncated {len(value) - keep} chars]"
    return value[:keep] + marker[: limit - keep]


class AsyncEventLogger:
    """Fire-and-forget logger for asyncio applications.

    ``await logger.log(event)`` (or ``logger.log_nowait(event)`` in sync code) returns as
    soon as the event is queued. A sender task drains the bounded queue in batches (by
    count, by bytes, or after ``linger_s``) through a transport; failures are retried
    with full jitter, a circuit breaker stops hammering a failing API, and events that
    cannot be delivered go to spillover files that a replay task resends once the API is
    healthy. Every event gets an ``idempotencyKey`` (if it has none) before it is first
    sent, so retries and replays never store it twice. Nothing is dropped without a
    ``DropReason`` counter (``stats()``) and an ``on_drop`` hook call.

    Use as ``async with AsyncEventLogger(config) as logger:`` or call ``aclose()``;
    after ``os.fork()`` the child gets a fresh sender on its first ``log``, and at
    interpreter exit a logger that was not closed flushes (or spills) what it holds.
    """

    def __init__(
        self,
        config: LoggerConfig | None = None,
        *,
        transport: Transport | None = None,
        hooks: LoggerHooks | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config if config is not None else LoggerConfig.from_env()
        self.hooks = hooks or LoggerHooks()
        self._user_transport = transport
        self._clock = clock
        self._rng = rng or random.Random()
        self._policy = RetryPolicy(
            base_s=self.config.retry_base_s,
            cap_s=self.config.retry_cap_s,
            max_attempts=self.config.retry_max_attempts,
        )
        self._capacity = self.config.queue_capacity
        self._batch_size = self.config.batch_size
        self._state = _NEW
        self._queue: deque[EventLogEntry] = deque()
        self._set_up_process_state()
        lifecycle.register(self)

    def _set_up_process_state(self) -> None:
        """Everything that belongs to one process (re-created in a forked child)."""
        cfg = self.config
        self._counters = Counters()
        self._breaker = CircuitBreaker(
            threshold=cfg.breaker_failure_threshold,
            reset_s=cfg.breaker_reset_s,
            clock=self._clock,
            on_open=self._on_circuit_open,
            on_close=self._on_circuit_close,
        )
        self._transport: Transport = self._user_transport or AiohttpTransport(cfg)
        self._store = (
            SpilloverStore(
                cfg.resolved_spillover_dir,
                max_bytes=cfg.spillover_max_bytes,
                max_events=cfg.spillover_max_events,
                segment_bytes=cfg.spillover_segment_bytes,
            )
            if cfg.spillover_enabled
            else None
        )
        self._spiller = Spiller(self._store, self._counters, self.hooks)
        self._delivery = Delivery(
            transport=self._transport,
            breaker=self._breaker,
            policy=self._policy,
            counters=self._counters,
            hooks=self.hooks,
            rng=self._rng,
        )
        # Batches being sent, by number: their lines leave as the API settles them.
        self._in_flight: dict[int, list[bytes]] = {}
        self._batch_number = 0
        self._dispatches: set[asyncio.Task[None]] = set()
        # Encoded events that go first into the next batch: the one that did not fit the
        # last batch, and batches cut off when the event loop they ran on went away.
        self._carry: deque[bytes] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._sender: asyncio.Task[None] | None = None
        self._replayer: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._replay_wake: asyncio.Event | None = None
        self._replay_lock: asyncio.Lock | None = None
        self._closed_event = asyncio.Event()
        self._hurry = 0
        self._spilled_at_last_wake = 0
        # The queue length at which log() wakes the sender (1 when it is idle, the batch
        # size while it lingers, never while it sends).
        self._wake_at = 1

    # --- logging ---------------------------------------------------------------------

    async def log(self, event: EventLogEntry) -> bool:
        """Queue ``event``; returns at once. ``False`` when it could only be counted dropped.

        Never raises because of the API and never waits on the network. An event that
        does not fit in the full queue goes to spillover (or is counted dropped).
        """
        return self.log_nowait(event)

    def log_nowait(self, event: EventLogEntry) -> bool:
        """``log`` for synchronous code (any thread); same guarantees."""
        if self._state is not _RUNNING or threading.get_ident() != self._loop_thread:
            return self._log_slow(event)
        queue = self._queue
        if len(queue) >= self._capacity:
            return self._overflow(event)
        if not _is_event(event):
            return self._invalid(event)
        queue.append(event)
        self._counters.queued += 1
        if len(queue) >= self._wake_at:
            self._wakeup.set()  # type: ignore[union-attr]
        return True

    def _log_slow(self, event: EventLogEntry) -> bool:
        if self._state in (_CLOSING, _CLOSED):
            if not _is_event(event):
                return self._invalid(event)
            line = self._encode(event, live=False)
            if line is None:
                return False
            stored = self._spiller.spill(
                [line], "logged after aclose()", no_spill_reason=DropReason.CLOSED, live=False
            )
            return stored == 1
        if self._state is _RUNNING:
            # Another thread: hand the event to the loop's thread.
            loop = self._loop
            assert loop is not None
            if not loop.is_running():  # nobody would run the hand-over: keep it on disk
                return self._overflow(event)
            try:
                loop.call_soon_threadsafe(self.log_nowait, event)
            except RuntimeError:  # the loop closed meanwhile
                return self._overflow(event)
            return True
        # Not started: start on the running loop, or hold the event until start().
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            if len(self._queue) >= self._capacity:
                return self._overflow(event)
            if not _is_event(event):
                return self._invalid(event)
            self._queue.append(event)
            self._counters.queued += 1
            return True
        self.start()
        return self.log_nowait(event)

    def _invalid(self, event: object) -> bool:
        drop(
            self._counters,
            self.hooks,
            DropReason.INVALID_EVENT,
            1,
            f"not an EventLogEntry: {type(event).__name__}",
            live=False,
        )
        return False

    def _overflow(self, event: EventLogEntry) -> bool:
        """The queue is full: straight to spillover (or counted as dropped)."""
        if not _is_event(event):
            return self._invalid(event)
        if self._store is None:
            drop(
                self._counters,
                self.hooks,
                DropReason.QUEUE_FULL,
                1,
                f"queue full ({self._capacity})",
                live=False,
            )
            return False
        line = self._encode(event, live=False)
        if line is None:
            return False
        return (
            self._spiller.spill(
                [line], "queue full", no_spill_reason=DropReason.QUEUE_FULL, live=False
            )
            == 1
        )

    def _encode(self, event: EventLogEntry, *, live: bool) -> bytes | None:
        """The event's wire bytes with an idempotencyKey and over-long fields cut."""
        changes: dict[str, Any] = {}
        if event.idempotency_key is None:
            changes["idempotency_key"] = os.urandom(16).hex()
        limit = self.config.max_payload_chars
        for name, value, cap in (
            ("request_payload", event.request_payload, limit),
            ("response_payload", event.response_payload, limit),
            ("error_message", event.error_message, CONTRACT_TEXT_MAX),
            ("result", event.result, CONTRACT_TEXT_MAX),
        ):
            if value is not None and len(value) > cap:
                changes[name] = _truncate(value, cap)
                self._counters.truncated_fields += 1
        try:
            if changes:
                event = msgspec.structs.replace(event, **changes)
            return encode(event)
        except (TypeError, ValueError, OverflowError, msgspec.EncodeError) as exc:
            drop(
                self._counters,
                self.hooks,
                DropReason.INVALID_EVENT,
                1,
                f"cannot encode: {exc}",
                live=live,
            )
            return None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start the sender (and replay) tasks on the running loop; idempotent.

        ``log`` and ``async with`` call it; call it yourself only to start replaying
        spillover left by an earlier run before the first event is logged.
        """
        if self._state is not _NEW:
            return
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._replay_wake = asyncio.Event()
        self._replay_lock = asyncio.Lock()
        self._closed_event = asyncio.Event()
        # Batches cut off when an earlier event loop went away are sent first.
        for number in sorted(self._in_flight):
            self._carry.extend(self._in_flight.pop(number))
        if self._store is not None:
            try:
                self._store.open()
            except OSError as exc:
                log.warning("eventlog_sdk: spillover folder unusable: %s", exc)
        self._state = _RUNNING
        self._sender = loop.create_task(self._sender_loop(), name="eventlog-sdk-sender")
        self._sender.add_done_callback(self._on_sender_done)
        if self._store is not None:
            self._replayer = loop.create_task(self._replay_loop(), name="eventlog-sdk-replay")
            self._replay_wake.set()  # replay what an earlier run left, right away
        if self._queue or self._carry:
            self._wakeup.set()

    def _on_sender_done(self, task: asyncio.Task[None]) -> None:
        """The sender ended while the logger is open: its event loop is shutting down.

        (``asyncio.run`` cancels every task at its end.) The queue and the unsettled
        batches are kept; the next ``log`` on a new loop starts a new sender that sends
        them first, and the exit handler flushes them if none comes.
        """
        if self._state is not _RUNNING or self._sender is not task:
            return
        if not task.cancelled() and task.exception() is not None:
            log.error("eventlog_sdk sender ended unexpectedly", exc_info=task.exception())
        replayer = self._replayer
        if replayer is not None and not replayer.done():
            replayer.cancel()
        self._sender = self._replayer = None
        self._wakeup = self._idle = self._replay_wake = None
        self._replay_lock = None
        self._loop = None
        self._loop_thread = 0
        if isinstance(self._transport, AiohttpTransport):
            self._transport.abandon()  # its session belongs to the loop that ends
        self._state = _NEW

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def flush(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until every queued event was delivered, spilled or dropped.

        Returns ``False`` when ``timeout`` (seconds; ``None`` waits as long as it takes)
        ran out first. Does not replay spillover (see ``replay_now``).
        """
        if self._state is _NEW:
            if not self._queue:
                return True
            self.start()
        if self._state is not _RUNNING:
            return not self._queue and not self._in_flight
        if not self._queue and not self._dispatches and not self._carry:
            return True
        idle = self._idle
        assert idle is not None
        assert self._wakeup is not None
        self._hurry += 1
        try:
            idle.clear()
            self._wakeup.set()
            try:
                async with asyncio.timeout(timeout):
                    await idle.wait()
            except TimeoutError:
                return False
            return True
        finally:
            self._hurry -= 1

    async def aclose(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Deliver what is queued within ``timeout`` (default ``shutdown_timeout_s``), then stop.

        Bounded even when the API hangs: at the deadline the sender is cancelled and the
        queued and in-flight events go to spillover (or are counted as
        ``shutdown_timeout`` drops). Idempotent.
        """
        if self._state is _CLOSED:
            return
        if self._state is _NEW:
            if self._queue:
                self.start()
            else:
                self._state = _CLOSED
                lifecycle.unregister(self)
                self._close_store()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._transport.aclose(), 1.0)
                return
        if self._state is _CLOSING:
            await self._closed_event.wait()  # another aclose() is at work
            return
        budget = self.config.shutdown_timeout_s if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget
        self._state = _CLOSING
        try:
            assert self._wakeup is not None
            self._hurry += 1
            self._wakeup.set()
            sender = self._sender
            if sender is not None and not sender.done():
                await asyncio.wait({sender}, timeout=max(0.0, deadline - loop.time()))
                if not sender.done():
                    sender.cancel()
                    await asyncio.gather(sender, return_exceptions=True)
            replayer = self._replayer
            if replayer is not None and not replayer.done():
                replayer.cancel()
                await asyncio.gather(replayer, return_exceptions=True)
            self._rescue_leftovers(why="shutdown", reason=DropReason.SHUTDOWN_TIMEOUT)
            self._close_store()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    self._transport.aclose(), max(0.05, min(1.0, deadline - loop.time()))
                )
        finally:
            self._state = _CLOSED
            self._closed_event.set()
            lifecycle.unregister(self)

    def _close_store(self) -> None:
        if self._store is not None:
            try:
                self._store.close()
            except OSError as exc:
                log.warning("eventlog_sdk: closing spillover failed: %s", exc)

    def _take_leftovers(self) -> list[bytes]:
        """Every event still in memory (in flight, carried, queued), encoded."""
        lines = [line for batch in self._in_flight.values() for line in batch]
        self._in_flight = {}
        lines.extend(self._carry)
        self._carry.clear()
        while self._queue:
            line = self._encode(self._queue.popleft(), live=True)
            if line is not None:
                lines.append(line)
        return lines

    def _rescue_leftovers(self, *, why: str, reason: DropReason) -> None:
        """Spill (or count as dropped) everything still in memory."""
        lines = self._take_leftovers()
        if lines:
            self._spiller.spill(lines, why, no_spill_reason=reason, live=True)

    @property
    def closed(self) -> bool:
        """True once ``aclose()`` finished."""
        return self._state is _CLOSED

    # --- accounting ------------------------------------------------------------------

    def stats(self) -> LoggerStats:
        """A snapshot of every counter, the queue depth and the breaker state."""
        c = self._counters
        return LoggerStats(
            queued=c.queued,
            sent=c.sent,
            failed=c.failed,
            retried=c.retried,
            spilled=c.spilled,
            replayed=c.replayed,
            dropped=c.frozen_drops(),
            truncated_fields=c.truncated_fields,
            hook_errors=c.hook_errors,
            queue_depth=len(self._queue),
            in_flight=sum(map(len, self._in_flight.values())) + len(self._carry),
            spill_pending=self._store.pending_events if self._store is not None else 0,
            breaker_state=self._breaker.state,
        )

    @property
    def counters(self) -> Counters:
        """The live counters (prefer ``stats()`` for a consistent snapshot)."""
        return self._counters

    @property
    def breaker_state(self) -> BreakerState:
        """The circuit breaker's state now."""
        return self._breaker.state

    def _on_circuit_open(self) -> None:
        log.warning("eventlog_sdk: circuit opened after repeated failures")
        call_hook(self.hooks.on_circuit_open, self._counters)

    def _on_circuit_close(self) -> None:
        log.info("eventlog_sdk: circuit closed, the API answers again")
        call_hook(self.hooks.on_circuit_close, self._counters)
        if self._replay_wake is not None:
            self._replay_wake.set()  # healthy again: replay spillover now, not in 10 s

    # --- the sender ------------------------------------------------------------------

    async def _sender_loop(self) -> None:
        queue = self._queue
        wakeup = self._wakeup
        idle = self._idle
        assert wakeup is not None
        assert idle is not None
        cfg = self.config
        dispatches = self._dispatches
        limit = cfg.max_concurrent_batches
        try:
            while True:
                if not queue and not self._carry:
                    if not dispatches:
                        idle.set()
                        if self._state is not _RUNNING:
                            return
                        self._maybe_wake_replay()
                    self._wake_at = 1
                    wakeup.clear()
                    await wakeup.wait()  # an event, or a batch finished
                    continue
                idle.clear()
                if len(dispatches) >= limit:
                    self._wake_at = sys.maxsize  # a finishing batch wakes us
                    wakeup.clear()
                    await wakeup.wait()
                    continue
                if len(queue) < self._batch_size and not self._hurry and cfg.linger_s > 0:
                    self._wake_at = self._batch_size
                    wakeup.clear()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(cfg.linger_s):
                            await wakeup.wait()
                self._wake_at = sys.maxsize
                lines = self._take_batch()
                if not lines:
                    continue
                self._batch_number += 1
                number = self._batch_number
                self._in_flight[number] = list(lines)
                task = asyncio.create_task(self._dispatch(number, lines))
                dispatches.add(task)
                task.add_done_callback(self._dispatch_done)
        finally:
            # Cancelled (shutdown ran out of time): stop the batches in flight too; their
            # events stay in _in_flight for the caller to spill.
            for task in list(dispatches):
                task.cancel()
            if dispatches:
                await asyncio.gather(*dispatches, return_exceptions=True)

    def _dispatch_done(self, task: asyncio.Task[None]) -> None:
        self._dispatches.discard(task)
        if self._wakeup is not None:
            self._wakeup.set()

    def _maybe_wake_replay(self) -> None:
        """The queue just drained: a healthy API has room for spilled events now."""
        store = self._store
        if (
            store is not None
            and store.pending_events
            and self._replay_wake is not None
            and self._breaker.state is BreakerState.CLOSED
            and self._counters.spilled != self._spilled_at_last_wake
        ):
            self._spilled_at_last_wake = self._counters.spilled
            self._replay_wake.set()

    def _take_batch(self) -> list[bytes]:
        queue = self._queue
        limit = self.config.batch_max_bytes - BATCH_OVERHEAD
        lines: list[bytes] = []
        size = 0
        carry = self._carry
        while carry and len(lines) < self._batch_size:
            if lines and size + len(carry[0]) + 1 > limit:
                return lines
            carried = carry.popleft()
            lines.append(carried)
            size += len(carried) + 1
        while queue and len(lines) < self._batch_size:
            line = self._encode(queue.popleft(), live=True)
            if line is None:
                continue
            if lines and size + len(line) + 1 > limit:
                carry.append(line)  # starts the next batch
                break
            lines.append(line)
            size += len(line) + 1
        return lines

    async def _dispatch(self, number: int, lines: list[bytes]) -> None:
        """Deliver one live batch; spill or drop what cannot be delivered."""
        pending = lines

        def settled(done: list[bytes]) -> None:
            batch = self._in_flight.get(number)
            if batch is not None:
                gone = {id(line) for line in done}
                self._in_flight[number] = [line for line in batch if id(line) not in gone]

        try:
            while True:
                outcome = await self._delivery.send(pending, replay=False, on_settled=settled)
                if outcome is None:
                    break
                if outcome.why == Why.CIRCUIT_OPEN and self._store is None:
                    # No spillover: hold the batch until a probe may go out; the queue
                    # absorbs new events meanwhile (and counts queue_full when full).
                    pending = outcome.lines
                    await asyncio.sleep(max(0.05, self._breaker.seconds_until_probe()))
                    continue
                self._in_flight.pop(number, None)
                self._spiller.spill(
                    outcome.lines,
                    outcome.why,
                    no_spill_reason=DropReason.RETRIES_EXHAUSTED,
                    live=True,
                )
                break
        except asyncio.CancelledError:
            raise  # the events stay in _in_flight: whoever cancelled spills them
        except Exception:
            # A bug here must not lose the batch or end the sender.
            log.exception("eventlog_sdk sender failed on a batch; spilling it")
            left = self._in_flight.pop(number, [])
            if left:
                self._spiller.spill(
                    left, "sender error", no_spill_reason=DropReason.RETRIES_EXHAUSTED, live=True
                )
        self._in_flight.pop(number, None)

    # --- replay ----------------------------------------------------------------------

    async def _replay_loop(self) -> None:
        wake = self._replay_wake
        assert wake is not None
        while self._state is _RUNNING:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.config.replay_interval_s):
                    await wake.wait()
            wake.clear()
            if self._state is not _RUNNING:
                return
            if self._breaker.state is BreakerState.OPEN:
                continue
            try:
                await self.replay_now()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("eventlog_sdk replay failed; will try again")

    async def replay_now(self) -> int:
        """Resend spilled events now, oldest first; returns how many the API confirmed.

        Stops at the first batch that cannot be delivered (its segment keeps the rest).
        The replay task calls this every ``replay_interval_s`` and whenever the circuit
        closes; call it yourself to drain spillover at a moment of your choosing.
        """
        store = self._store
        if store is None or self._state in (_CLOSED,):
            return 0
        if self._replay_lock is None:
            self._replay_lock = asyncio.Lock()
        async with self._replay_lock:
            before = self._counters.replayed
            try:
                with self._spiller_lock():
                    store.open()
                    store.seal()
            except OSError as exc:
                log.warning("eventlog_sdk: spillover folder unusable: %s", exc)
                return 0
            for path in store.replayable():
                if not await self._replay_segment(store, path):
                    break
            return self._counters.replayed - before

    @contextlib.contextmanager
    def _spiller_lock(self) -> Any:
        with self._spiller._lock:
            yield

    async def _replay_segment(self, store: SpilloverStore, path: Any) -> bool:
        segment = store.claim(path)
        if segment is None:
            return True
        try:
            contents = segment.read()
        except OSError as exc:
            segment.release()
            log.warning("eventlog_sdk: cannot read spillover %s: %s", path, exc)
            return True
        lines = contents.lines
        batches = list(self._replay_batches(lines))
        done = 0
        try:
            for batch in batches:
                outcome = await self._delivery.send(batch, replay=True)
                if outcome is not None:
                    segment.keep(outcome.lines + lines[done + len(batch) :])
                    self._count_unreadable(contents, path)
                    return False
                done += len(batch)
        except BaseException:
            # Cancelled (shutdown) or failed midway: keep what is left; a batch cut off
            # in flight is resent next time and deduplicated by its idempotencyKey.
            if done:
                segment.keep(lines[done:])
                self._count_unreadable(contents, path)
            else:
                segment.release()
            raise
        segment.finish()
        self._count_unreadable(contents, path)
        return True

    def _count_unreadable(self, contents: Any, path: Any) -> None:
        if contents.torn or contents.corrupt:
            drop(
                self._counters,
                self.hooks,
                DropReason.SPILLOVER_CORRUPT,
                contents.torn + contents.corrupt,
                f"unreadable line(s) in {path} (torn last line: {contents.torn})",
                live=False,
            )
        if contents.invalid:
            drop(
                self._counters,
                self.hooks,
                DropReason.INVALID_EVENT,
                contents.invalid,
                f"invalid event(s) in {path}",
                live=False,
            )

    def _replay_batches(self, lines: list[bytes]) -> Iterable[list[bytes]]:
        limit = self.config.batch_max_bytes - BATCH_OVERHEAD
        batch: list[bytes] = []
        size = 0
        for line in lines:
            if batch and (len(batch) >= self._batch_size or size + len(line) + 1 > limit):
                yield batch
                batch, size = [], 0
            batch.append(line)
            size += len(line) + 1
        if batch:
            yield batch

    # --- process helpers -------------------------------------------------------------

    def process(self, process_name: str, **kwargs: Any) -> ProcessLogger:
        """A ``ProcessLogger`` for one instance of ``process_name`` (see its docs)."""
        return ProcessLogger(self, process_name, **kwargs)

    # --- fork and exit ---------------------------------------------------------------

    def _after_fork_in_child(self) -> None:
        """In a forked child: a fresh sender, queue and counters on the first ``log``.

        Events queued in the parent stay the parent's to deliver (sending them from the
        child too would duplicate those not yet keyed), so the child starts empty.
        """
        if isinstance(self._transport, AiohttpTransport):
            self._transport.abandon()
        if self._store is not None:
            self._store.abandon_after_fork()
        self._queue = deque()
        self._set_up_process_state()
        if self._state is not _CLOSED:
            self._state = _NEW

    def _flush_at_exit(self) -> None:
        """Interpreter exit without ``aclose``: a short last attempt, then spill the rest.

        Runs from ``atexit``, after the application's event loop is gone, so it sends on
        a fresh loop with a fresh transport, bounded by ``atexit_timeout_s``.
        """
        if self._state is _CLOSED:
            return
        lines = self._take_leftovers()
        self._state = _CLOSED
        if isinstance(self._transport, AiohttpTransport):
            self._transport.abandon()  # its event loop is gone
        if lines and self._breaker.state is not BreakerState.OPEN:
            try:
                lines = asyncio.run(self._send_at_exit(lines))
            except Exception:
                log.exception("eventlog_sdk: last-chance send at exit failed")
        if lines:
            self._spiller.spill(
                lines, "exit", no_spill_reason=DropReason.SHUTDOWN_TIMEOUT, live=True
            )
        self._close_store()

    async def _send_at_exit(self, lines: list[bytes]) -> list[bytes]:
        """Send ``lines`` within the exit budget; return those that are still unsettled."""
        transport: Transport = self._user_transport or AiohttpTransport(self.config)
        delivery = Delivery(
            transport=transport,
            breaker=self._breaker,
            policy=RetryPolicy(base_s=0.05, cap_s=0.5, max_attempts=2),
            counters=self._counters,
            hooks=self.hooks,
            rng=self._rng,
        )
        batches = list(self._replay_batches(lines))
        unsettled: list[bytes] = []
        delivered: set[int] = set()
        index = 0
        try:
            async with asyncio.timeout(self.config.atexit_timeout_s):
                while index < len(batches):
                    outcome = await delivery.send(
                        batches[index],
                        replay=False,
                        on_settled=lambda done: delivered.update(map(id, done)),
                    )
                    if outcome is not None:
                        unsettled.extend(outcome.lines)
                    index += 1
        except TimeoutError:
            if index < len(batches):
                unsettled.extend(line for line in batches[index] if id(line) not in delivered)
                for batch in batches[index + 1 :]:
                    unsettled.extend(batch)
        finally:
            if self._user_transport is None:
                with contextlib.suppress(Exception):
                    await transport.aclose()
        return unsettled
