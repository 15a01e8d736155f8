"""Retry, Retry-After and breaker behaviour over real HTTP, against the scripted fault server.

The real API cannot be told to answer 429, 502 or 504, or to fail one batch entry
retryably, on demand; these tests use ``FaultServer`` for exactly that.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from eventlog_sdk import (
    AsyncEventLogger,
    BreakerState,
    EventLogApiError,
    EventLogClient,
    LoggerHooks,
    RetryPolicy,
)

from sdk.fault_server import FaultServer, Reply
from sdk.helpers import fast_config, make_event

FAST = RetryPolicy(base_s=0.01, cap_s=2.0, max_attempts=4)


async def test_client_honours_retry_after_on_429() -> None:
    async with FaultServer() as server, EventLogClient(server.base_url, retry=FAST) as client:
        server.push(Reply(429, retry_after="1"))
        assert (await client.healthcheck()).status == "ok"
    first, second = server.received
    assert second.at - first.at >= 0.95


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_client_retries_gateway_and_unavailable_answers(status: int) -> None:
    async with FaultServer() as server, EventLogClient(server.base_url, retry=FAST) as client:
        server.push(Reply(status), Reply(status), Reply(status))
        assert (await client.healthcheck()).status == "ok"
    assert len(server.received) == 4


@pytest.mark.parametrize("status", [401, 403, 404, 409, 415, 500])
async def test_client_does_not_retry_other_statuses(status: int) -> None:
    async with FaultServer() as server, EventLogClient(server.base_url, retry=FAST) as client:
        server.push(Reply(status, body={"error": "NOPE", "message": "scripted"}))
        with pytest.raises(EventLogApiError) as caught:
            await client.healthcheck()
    assert len(server.received) == 1
    assert caught.value.status == status
    assert caught.value.error.error == "NOPE"
    assert caught.value.error.message == "scripted"


async def test_client_gives_up_after_max_attempts_with_the_last_answer() -> None:
    async with FaultServer() as server, EventLogClient(server.base_url, retry=FAST) as client:
        server.push(*[Reply(503, retry_after="0") for _ in range(10)])
        with pytest.raises(EventLogApiError) as caught:
            await client.healthcheck()
    assert len(server.received) == FAST.max_attempts
    assert caught.value.status == 503
    assert caught.value.retry_after == 0.0
    assert caught.value.retryable


async def test_client_does_not_wait_longer_than_its_cap() -> None:
    async with FaultServer() as server, EventLogClient(server.base_url, retry=FAST) as client:
        server.push(Reply(429, retry_after="3600"))
        start = time.monotonic()
        with pytest.raises(EventLogApiError) as caught:
            await client.healthcheck()
    assert time.monotonic() - start < 1.0
    assert caught.value.retry_after == 3600.0
    assert len(server.received) == 1


async def test_client_sends_key_and_application_headers() -> None:
    async with (
        FaultServer() as server,
        EventLogClient(server.base_url, api_key="k-123", application_id="billing") as client,
    ):
        await client.healthcheck()
    headers = server.received[0].headers
    assert headers["Authorization"] == "Bearer k-123"
    assert headers["X-Application-Id"] == "billing"


async def test_client_readiness_returns_not_ready_without_retrying() -> None:
    body = {
        "status": "not_ready",
        "database": "error",
        "error": "timeout",
        "timestamp": "2026-01-01T00:00:00.000Z",
    }
    async with FaultServer() as server, EventLogClient(server.base_url, retry=FAST) as client:
        server.push(Reply(503, body=body))
        ready = await client.readiness()
    assert (ready.status, ready.database, ready.error) == ("not_ready", "error", "timeout")
    assert len(server.received) == 1


async def test_logger_honours_retry_after_on_429(spill_dir: Path) -> None:
    async with FaultServer() as server:
        server.push(Reply(429, retry_after="1"))
        config = fast_config(spill_dir, base_url=server.base_url, retry_cap_s=5.0)
        async with AsyncEventLogger(config) as logger:
            await logger.log(make_event())
            assert await logger.flush(5)
            stats = logger.stats()
        first, second = server.batch_requests()
    assert second.at - first.at >= 0.95
    assert stats.sent == 1
    assert len(server.stored) == 1


async def test_logger_partial_success_resends_only_retryable_entries(spill_dir: Path) -> None:
    async with FaultServer() as server:
        events = [make_event(i, idempotency_key=f"k-{i}") for i in range(8)]
        server.transient = {"k-2": 1, "k-5": 1}
        config = fast_config(spill_dir, base_url=server.base_url, batch_size=8, linger_s=0.1)
        async with AsyncEventLogger(config) as logger:
            for event in events:
                await logger.log(event)
            assert await logger.flush(5)
            stats = logger.stats()
        sizes = [r.entries for r in server.batch_requests()]
    assert sizes == [8, 2]
    assert len(server.stored) == 8
    assert stats.sent == 8
    assert stats.retried == 2


async def test_logger_breaker_opens_half_opens_and_closes_over_http(spill_dir: Path) -> None:
    transitions: list[str] = []
    hooks = LoggerHooks(
        on_circuit_open=lambda: transitions.append("open"),
        on_circuit_close=lambda: transitions.append("close"),
    )
    async with FaultServer() as server:
        server.push(*[Reply(503) for _ in range(3)])
        config = fast_config(
            spill_dir,
            base_url=server.base_url,
            retry_max_attempts=3,
            breaker_failure_threshold=3,
            breaker_reset_s=1.0,
        )
        async with AsyncEventLogger(config, hooks=hooks) as logger:
            await logger.log(make_event(0))
            assert await logger.flush(5)
            assert logger.breaker_state is BreakerState.OPEN
            assert logger.stats().spilled == 1
            requests = len(server.received)
            await logger.log(make_event(1))
            assert await logger.flush(5)
            assert len(server.received) == requests  # open: nothing sent
            await asyncio.sleep(1.05)
            assert logger.breaker_state is BreakerState.HALF_OPEN
            await logger.log(make_event(2))  # the probe
            assert await logger.flush(5)
            assert logger.breaker_state is BreakerState.CLOSED
            for _ in range(100):  # closing wakes the replay of the two spilled events
                if len(server.stored) == 3:
                    break
                await asyncio.sleep(0.02)
            stats = logger.stats()
    assert transitions == ["open", "close"]
    assert len(server.stored) == 3
    assert (stats.sent, stats.spilled, stats.replayed) == (1, 2, 2)
