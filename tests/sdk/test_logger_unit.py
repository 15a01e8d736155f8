"""AsyncEventLogger against the in-memory transport: batching, retries, accounting, shutdown."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import msgspec
from eventlog_sdk import (
    AsyncEventLogger,
    BreakerState,
    DropReason,
    InMemoryTransport,
    LoggerHooks,
    LoggerStats,
)

from sdk.helpers import fast_config, make_event


def balanced(stats: LoggerStats, logger: AsyncEventLogger) -> bool:
    """Every queued event is accounted for: sent, spilled, dropped, or still held."""
    c = logger.counters
    return stats.queued == (
        stats.sent + c.spilled_live + c.dropped_after_queue + stats.queue_depth + stats.in_flight
    )


async def test_log_returns_at_once_and_batches_by_count(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    async with AsyncEventLogger(
        fast_config(spill_dir, batch_size=10, linger_s=0.05), transport=transport
    ) as logger:
        for i in range(35):
            assert await logger.log(make_event(i))
        assert transport.requests == []  # nothing sent synchronously inside log()
        assert await logger.flush(2)
        stats = logger.stats()
    assert sum(transport.requests) == 35
    assert max(transport.requests) == 10
    assert stats.sent == 35
    assert stats.dropped_total == 0
    assert len(transport.stored) == 35


async def test_every_event_gets_an_idempotency_key_and_a_given_one_is_kept(
    spill_dir: Path,
) -> None:
    transport = InMemoryTransport()
    async with AsyncEventLogger(fast_config(spill_dir), transport=transport) as logger:
        await logger.log(make_event(1, idempotency_key="mine"))
        for i in range(5):
            await logger.log(make_event(i))
    keys = [e.idempotency_key for e in transport.events]
    assert "mine" in keys
    assert all(keys)
    assert len(set(keys)) == 6


async def test_linger_sends_a_lone_event_soon(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    async with AsyncEventLogger(
        fast_config(spill_dir, linger_s=0.05, batch_size=100), transport=transport
    ) as logger:
        start = time.monotonic()
        await logger.log(make_event())
        for _ in range(100):
            if transport.requests:
                break
            await asyncio.sleep(0.01)
        waited = transport.request_times[0] - start
    assert 0.04 <= waited < 0.5


async def test_batches_stay_under_the_byte_cap(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    cap = 4000
    async with AsyncEventLogger(
        fast_config(spill_dir, batch_max_bytes=cap, batch_size=100), transport=transport
    ) as logger:
        for i in range(60):
            await logger.log(make_event(i, metadata={"pad": "x" * 300}))
        assert await logger.flush(2)
    assert len(transport.stored) == 60
    assert all(len(body) <= cap for body in transport.bodies)
    assert len(transport.bodies) > 5


async def test_partial_success_resends_only_the_retryable_entries(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    events = [make_event(i, idempotency_key=f"key-{i}") for i in range(10)]
    transport.transient_entries({"key-3": 1, "key-7": 2})
    async with AsyncEventLogger(
        fast_config(spill_dir, batch_size=10, linger_s=0.05), transport=transport
    ) as logger:
        for event in events:
            await logger.log(event)
        assert await logger.flush(2)
        stats = logger.stats()
    assert transport.requests == [10, 2, 1]
    assert len(transport.stored) == 10
    assert stats.sent == 10
    assert stats.retried == 3
    assert stats.failed == 0  # a partial success is not a failed attempt


async def test_invalid_entries_are_counted_and_never_resent(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    drops: list[tuple[int, DropReason, str]] = []
    hooks = LoggerHooks(on_drop=lambda n, reason, detail: drops.append((n, reason, detail)))
    async with AsyncEventLogger(
        fast_config(spill_dir, batch_size=5, linger_s=0.05), transport=transport, hooks=hooks
    ) as logger:
        for i in range(4):
            await logger.log(make_event(i))
        await logger.log(make_event(99, summary=""))  # refused by validation
        assert await logger.flush(2)
        stats = logger.stats()
    assert transport.requests == [5]
    assert len(transport.stored) == 4
    assert stats.dropped == {DropReason.INVALID_EVENT: 1}
    assert drops[0][:2] == (1, DropReason.INVALID_EVENT)
    assert balanced(stats, logger)


async def test_a_400_is_never_retried(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transport.fail_next(400, error="Validation Error")
    async with AsyncEventLogger(
        fast_config(spill_dir, batch_size=3), transport=transport
    ) as logger:
        for i in range(3):
            await logger.log(make_event(i))
        assert await logger.flush(2)
        stats = logger.stats()
    assert transport.requests == [3]
    assert stats.dropped == {DropReason.INVALID_EVENT: 3}
    assert stats.spilled == 0
    assert stats.breaker_state is BreakerState.CLOSED


async def test_413_splits_the_batch_until_it_fits(spill_dir: Path) -> None:
    one = len(msgspec.json.encode(make_event(0, idempotency_key="k" * 32)))
    transport = InMemoryTransport(max_body_bytes=one * 3)
    async with AsyncEventLogger(
        fast_config(spill_dir, batch_size=8, linger_s=0.05), transport=transport
    ) as logger:
        for i in range(8):
            await logger.log(make_event(i))
        assert await logger.flush(2)
        stats = logger.stats()
    assert transport.requests[0] == 8
    assert len(transport.stored) == 8
    assert stats.sent == 8
    assert stats.dropped_total == 0


async def test_an_event_too_large_alone_is_dropped_as_invalid(spill_dir: Path) -> None:
    transport = InMemoryTransport(max_body_bytes=2000)
    async with AsyncEventLogger(
        fast_config(spill_dir, batch_size=2), transport=transport
    ) as logger:
        await logger.log(make_event(0))
        await logger.log(make_event(1, metadata={"blob": "x" * 5000}))
        assert await logger.flush(2)
        stats = logger.stats()
    assert transport.requests == [2, 1, 1]
    assert len(transport.stored) == 1
    assert stats.dropped == {DropReason.INVALID_EVENT: 1}


async def test_429_retry_after_is_honoured(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transport.fail_next(429, retry_after=0.3, error="RATE_LIMITED")
    async with AsyncEventLogger(
        fast_config(spill_dir, retry_cap_s=1.0), transport=transport
    ) as logger:
        await logger.log(make_event())
        assert await logger.flush(3)
        stats = logger.stats()
    assert len(transport.request_times) == 2
    assert transport.request_times[1] - transport.request_times[0] >= 0.29
    assert stats.sent == 1
    assert stats.failed == 1


async def test_retry_after_beyond_the_cap_spills_instead_of_waiting(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transport.fail_next(503, retry_after=120)
    async with AsyncEventLogger(fast_config(spill_dir), transport=transport) as logger:
        await logger.log(make_event())
        assert await logger.flush(2)
        stats = logger.stats()
    assert transport.requests == [1]
    assert stats.spilled == 1


async def test_breaker_opens_spills_then_half_open_probe_closes_it(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transitions: list[str] = []
    spills: list[tuple[int, str]] = []
    failures: list[int] = []
    hooks = LoggerHooks(
        on_circuit_open=lambda: transitions.append("open"),
        on_circuit_close=lambda: transitions.append("close"),
        on_spill=lambda n, why: spills.append((n, why)),
        on_batch_failed=lambda n, _error: failures.append(n),
    )
    config = fast_config(
        spill_dir,
        retry_max_attempts=2,
        breaker_failure_threshold=3,
        breaker_reset_s=1.0,
        batch_size=1,
        # One batch at a time: a request already in flight when the circuit opens may
        # still succeed (and close it), which would make the sequence below a race.
        max_concurrent_batches=1,
    )
    transport.disconnect_next(times=3)
    async with AsyncEventLogger(config, transport=transport, hooks=hooks) as logger:
        await logger.log(make_event(0))  # two failed attempts
        await logger.log(make_event(1))  # third failure opens the circuit
        assert await logger.flush(2)
        assert logger.breaker_state is BreakerState.OPEN
        requests_when_open = len(transport.requests)
        await logger.log(make_event(2))  # no request while open: straight to spillover
        assert await logger.flush(2)
        assert len(transport.requests) == requests_when_open
        assert logger.stats().spilled == 3
        await asyncio.sleep(1.05)
        assert logger.breaker_state is BreakerState.HALF_OPEN
        await logger.log(make_event(3))  # the probe succeeds and closes the circuit
        assert await logger.flush(2)
        assert logger.breaker_state is BreakerState.CLOSED
        # Closing the circuit wakes the replay: the three spilled events follow.
        for _ in range(100):
            if len(transport.stored) == 4:
                break
            await asyncio.sleep(0.02)
        stats = logger.stats()
    assert transitions == ["open", "close"]
    assert failures == [1, 1, 1]
    assert spills == [(1, "retries_exhausted"), (1, "circuit_open"), (1, "circuit_open")]
    assert len(transport.stored) == 4
    assert stats.replayed == 3
    assert stats.spill_pending == 0


async def test_failed_probe_reopens_the_circuit(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    config = fast_config(
        spill_dir, retry_max_attempts=1, breaker_failure_threshold=1, breaker_reset_s=0.6
    )
    transport.disconnect_next(times=2)
    async with AsyncEventLogger(config, transport=transport) as logger:
        await logger.log(make_event(0))
        assert await logger.flush(2)
        assert logger.breaker_state is BreakerState.OPEN
        await asyncio.sleep(0.65)
        await logger.log(make_event(1))  # the probe fails
        assert await logger.flush(2)
        assert logger.breaker_state is BreakerState.OPEN
        stats = logger.stats()
    assert stats.spilled == 2
    assert stats.failed == 2


async def test_spillover_caps_count_their_drops(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transport.disconnect_next(times=1000)
    config = fast_config(
        spill_dir,
        retry_max_attempts=1,
        breaker_failure_threshold=1,
        breaker_reset_s=60,
        spillover_max_events=25,
        batch_size=10,
    )
    dropped: list[int] = []
    hooks = LoggerHooks(
        on_drop=lambda n, reason, _d: dropped.append(n) if reason == "spillover_full" else None
    )
    async with AsyncEventLogger(config, transport=transport, hooks=hooks) as logger:
        for i in range(40):
            await logger.log(make_event(i))
        assert await logger.flush(2)
        stats = logger.stats()
    assert stats.spilled == 25
    assert stats.dropped == {DropReason.SPILLOVER_FULL: 15}
    assert sum(dropped) == 15
    assert stats.spill_pending == 25


async def test_queue_full_without_spillover_is_counted() -> None:
    transport = InMemoryTransport()
    transport.hang_next()
    config = fast_config(None, queue_capacity=10, batch_size=5, linger_s=0)
    logger = AsyncEventLogger(config, transport=transport)
    logger.start()
    await logger.log(make_event(0))
    await asyncio.sleep(0.05)  # the first batch is now hanging in flight
    results = [await logger.log(make_event(i)) for i in range(1, 16)]
    assert results.count(False) == 5
    assert logger.stats().dropped == {DropReason.QUEUE_FULL: 5}
    transport.release()  # the hung batch fails, is retried; the queue drains
    await logger.aclose(timeout=2)
    stats = logger.stats()
    assert stats.dropped == {DropReason.QUEUE_FULL: 5}
    assert stats.sent == 11
    assert len(transport.stored) == 11


async def test_queue_full_spills_with_spillover_on(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transport.hang_next()
    config = fast_config(spill_dir, queue_capacity=10, batch_size=5, linger_s=0)
    logger = AsyncEventLogger(config, transport=transport)
    logger.start()
    await logger.log(make_event(0))
    await asyncio.sleep(0.05)
    for i in range(1, 16):
        assert await logger.log(make_event(i))
    assert logger.stats().spilled == 5
    assert logger.stats().dropped_total == 0
    transport.release()
    await logger.aclose(timeout=2)
    stats = logger.stats()
    assert (stats.sent, stats.spilled, stats.dropped_total) == (11, 5, 0)


async def test_retries_exhausted_without_spillover_is_counted() -> None:
    transport = InMemoryTransport()
    transport.fail_next(503, times=3)
    config = fast_config(None, retry_max_attempts=3, breaker_failure_threshold=10)
    async with AsyncEventLogger(config, transport=transport) as logger:
        await logger.log(make_event())
        assert await logger.flush(2)
        stats = logger.stats()
    assert transport.requests == [1, 1, 1]
    assert stats.dropped == {DropReason.RETRIES_EXHAUSTED: 1}
    assert balanced(stats, logger)


async def test_aclose_is_bounded_while_the_api_hangs(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transport.hang_next()
    logger = AsyncEventLogger(fast_config(spill_dir, batch_size=5), transport=transport)
    logger.start()
    for i in range(12):
        await logger.log(make_event(i))
    await asyncio.sleep(0.05)
    start = time.monotonic()
    await logger.aclose(timeout=0.3)
    elapsed = time.monotonic() - start
    assert elapsed < 1.5  # the 0.3 s budget plus spilling, on a busy machine
    stats = logger.stats()
    # The other batches went past the hung one; the hung batch went to disk.
    assert (stats.sent, stats.spilled, stats.dropped_total) == (7, 5, 0)
    # A later logger replays it.
    fresh = InMemoryTransport()
    async with AsyncEventLogger(fast_config(spill_dir), transport=fresh) as later:
        assert await later.replay_now() == 5
    assert len(fresh.stored) + len(transport.stored) == 12


async def test_aclose_spills_queued_events_behind_a_hung_batch(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transport.hang_next()
    config = fast_config(spill_dir, batch_size=5, max_concurrent_batches=1)
    logger = AsyncEventLogger(config, transport=transport)
    logger.start()
    for i in range(12):
        await logger.log(make_event(i))
    await asyncio.sleep(0.05)
    await logger.aclose(timeout=0.3)
    stats = logger.stats()
    assert (stats.sent, stats.spilled, stats.dropped_total) == (0, 12, 0)


async def test_aclose_without_spillover_counts_shutdown_timeout() -> None:
    transport = InMemoryTransport()
    transport.hang_next()
    logger = AsyncEventLogger(fast_config(None, batch_size=5), transport=transport)
    logger.start()
    for i in range(7):
        await logger.log(make_event(i))
    await asyncio.sleep(0.05)
    await logger.aclose(timeout=0.2)
    stats = logger.stats()
    assert stats.dropped == {DropReason.SHUTDOWN_TIMEOUT: 5}  # the hung batch
    assert stats.sent == 2  # the batch behind it went past


async def test_flush_reports_a_timeout(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transport.hang_next()
    logger = AsyncEventLogger(fast_config(spill_dir), transport=transport)
    await logger.log(make_event())
    assert await logger.flush(0.1) is False
    transport.release()
    await logger.aclose(timeout=1)
    assert logger.stats().sent == 1


async def test_a_raising_hook_is_contained(spill_dir: Path) -> None:
    def boom(*_args: Any) -> None:
        raise RuntimeError("hook bug")

    transport = InMemoryTransport()
    hooks = LoggerHooks(on_batch_sent=boom)
    async with AsyncEventLogger(fast_config(spill_dir), transport=transport, hooks=hooks) as lg:
        for i in range(3):
            await lg.log(make_event(i))
        assert await lg.flush(2)
        await lg.log(make_event(9))
        assert await lg.flush(2)
        stats = lg.stats()
    assert len(transport.stored) == 4
    assert stats.hook_errors >= 1


async def test_log_never_raises_for_garbage(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    async with AsyncEventLogger(fast_config(spill_dir), transport=transport) as logger:
        assert await logger.log({"not": "an event"}) is False  # type: ignore[arg-type]
        bad_metadata = make_event(1, metadata={"obj": object()})
        assert await logger.log(bad_metadata)  # accepted; fails to encode in the sender
        await logger.log(make_event(2))
        assert await logger.flush(2)
        stats = logger.stats()
    assert stats.dropped == {DropReason.INVALID_EVENT: 2}
    assert len(transport.stored) == 1


async def test_long_payloads_are_truncated_and_counted(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    config = fast_config(spill_dir, max_payload_chars=100)
    async with AsyncEventLogger(config, transport=transport) as logger:
        await logger.log(make_event(0, request_payload="a" * 500, error_message="e" * 3000))
        assert await logger.flush(2)
        stats = logger.stats()
    (event,) = transport.events
    assert event.request_payload is not None
    assert len(event.request_payload) == 100
    assert "truncated 4" in event.request_payload
    assert event.error_message is not None
    assert len(event.error_message) == 2048
    assert stats.truncated_fields == 2


async def test_log_nowait_from_another_thread(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    async with AsyncEventLogger(fast_config(spill_dir), transport=transport) as logger:
        await logger.log(make_event(0))

        def worker() -> None:
            for i in range(1, 51):
                logger.log_nowait(make_event(i))

        thread = threading.Thread(target=worker)
        thread.start()
        await asyncio.to_thread(thread.join)
        await asyncio.sleep(0.05)
        assert await logger.flush(2)
    assert len(transport.stored) == 51


async def test_logged_after_close_goes_to_spillover(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    logger = AsyncEventLogger(fast_config(spill_dir), transport=transport)
    await logger.aclose()
    assert await logger.log(make_event())
    assert logger.stats().spilled == 1
    no_spill = AsyncEventLogger(fast_config(None), transport=InMemoryTransport())
    await no_spill.aclose()
    assert not no_spill.log_nowait(make_event())
    assert no_spill.stats().dropped == {DropReason.CLOSED: 1}


async def test_replay_skips_a_torn_line_and_counts_it(spill_dir: Path) -> None:
    # Write spillover through a logger whose API is down, then tear the file's end.
    down = InMemoryTransport()
    down.disconnect_next(times=100)
    config = fast_config(spill_dir, retry_max_attempts=1, breaker_failure_threshold=1)
    async with AsyncEventLogger(config, transport=down) as logger:
        for i in range(5):
            await logger.log(make_event(i))
        assert await logger.flush(2)
        assert logger.stats().spilled == 5
    (segment,) = list(spill_dir.iterdir())  # noqa: ASYNC240
    with segment.open("ab") as handle:
        handle.write(b'{"traceId":"0af7651916cd43dd8448eb211c80319c","correl')
    up = InMemoryTransport()
    async with AsyncEventLogger(fast_config(spill_dir), transport=up) as replayer:
        assert replayer.stats().spill_pending == 6
        assert await replayer.replay_now() == 5
        stats = replayer.stats()
    assert len(up.stored) == 5
    assert stats.dropped == {DropReason.SPILLOVER_CORRUPT: 1}
    assert list(spill_dir.iterdir()) == []  # noqa: ASYNC240


async def test_replay_stops_at_a_failure_and_keeps_the_rest(spill_dir: Path) -> None:
    class FailsSecondRequest(InMemoryTransport):
        async def send_batch(self, body: bytes) -> Any:
            if len(self.requests) == 1:
                self.disconnect_next()
            return await super().send_batch(body)

    down = InMemoryTransport()
    down.disconnect_next(times=100)
    config = fast_config(spill_dir, retry_max_attempts=1, breaker_failure_threshold=1)
    async with AsyncEventLogger(config, transport=down) as logger:
        for i in range(30):
            logger.log_nowait(make_event(i))
        assert await logger.flush(2)
        assert logger.stats().spilled == 30

    flaky = FailsSecondRequest()
    replay_config = fast_config(
        spill_dir, batch_size=10, retry_max_attempts=1, breaker_failure_threshold=100
    )
    replayer = AsyncEventLogger(replay_config, transport=flaky)
    assert await replayer.replay_now() == 10  # the second batch failed: replay stops
    assert replayer.stats().spill_pending == 20
    assert await replayer.replay_now() == 20
    await replayer.aclose()
    assert len(flaky.stored) == 30
    assert flaky.requests == [10, 10, 10, 10]
    assert list(spill_dir.iterdir()) == []  # noqa: ASYNC240


async def test_accounting_balances_under_mixed_faults(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transport.fail_next(503, times=2)
    transport.disconnect_next(times=2)
    transport.fail_next(400)
    config = fast_config(spill_dir, batch_size=7, breaker_failure_threshold=50)
    async with AsyncEventLogger(config, transport=transport) as logger:
        for i in range(100):
            await logger.log(make_event(i))
            if i % 10 == 0:
                await asyncio.sleep(0)
        assert await logger.flush(3)
        stats = logger.stats()
        assert balanced(stats, logger)
    assert stats.sent + stats.spilled + stats.dropped_total == 100
    assert stats.sent == len(transport.stored)


def test_a_logger_outlives_its_event_loop(spill_dir: Path) -> None:
    """asyncio.run() twice with one logger: the second loop gets a new sender."""
    transport = InMemoryTransport()
    logger = AsyncEventLogger(fast_config(spill_dir, linger_s=30.0), transport=transport)

    async def first() -> None:
        for i in range(10):
            await logger.log(make_event(i))
        # Ends with the events still queued (long linger): asyncio.run cancels the sender.

    async def second() -> None:
        for i in range(10, 15):
            await logger.log(make_event(i))
        await logger.aclose()

    asyncio.run(first())
    assert logger.stats().queue_depth == 10
    asyncio.run(second())
    stats = logger.stats()
    assert len(transport.stored) == 15
    assert (stats.sent, stats.dropped_total, stats.spilled) == (15, 0, 0)


def test_a_batch_cut_off_by_the_end_of_its_loop_is_sent_by_the_next(spill_dir: Path) -> None:
    transport = InMemoryTransport()
    transport.hang_next()
    logger = AsyncEventLogger(
        fast_config(spill_dir, batch_size=4, max_concurrent_batches=1), transport=transport
    )

    async def first() -> None:
        for i in range(6):
            await logger.log(make_event(i, idempotency_key=f"loop-{i}"))
        await asyncio.sleep(0.05)  # the first batch of 4 hangs in flight

    async def second() -> None:
        await logger.log(make_event(6, idempotency_key="loop-6"))
        await logger.aclose()

    asyncio.run(first())
    assert logger.stats().in_flight == 4
    asyncio.run(second())
    stats = logger.stats()
    assert sorted(transport.stored) == [f"loop-{i}" for i in range(7)]
    assert (stats.sent, stats.dropped_total, stats.spilled) == (7, 0, 0)
