"""The circuit breaker: closed → open → half-open (one probe) → closed or open again."""

from __future__ import annotations

from eventlog_sdk import BreakerState, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_cycle() -> None:
    clock = Clock()
    transitions: list[str] = []
    breaker = CircuitBreaker(
        threshold=3,
        reset_s=30.0,
        clock=clock,
        on_open=lambda: transitions.append("open"),
        on_close=lambda: transitions.append("close"),
    )
    assert breaker.state is BreakerState.CLOSED
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.allow()
    breaker.record_success()  # a success resets the consecutive count
    assert breaker.consecutive_failures == 0
    for _ in range(3):
        breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    assert breaker.seconds_until_probe() == 30.0

    clock.now += 29.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one probe at a time
    breaker.record_failure()  # the probe failed: open again, for a new window
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()

    clock.now += 30.0
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()
    assert transitions == ["open", "open", "close"]


def test_cancelled_probe_lets_another_probe_go() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, reset_s=1.0, clock=clock)
    breaker.record_failure()
    clock.now += 1.0
    assert breaker.allow()
    breaker.release_probe()
    assert breaker.allow()
