"""A circuit breaker: stop calling an API that keeps failing, probe it after a pause."""

from __future__ import annotations

import time
from collections.abc import Callable

from .accounting import BreakerState


class CircuitBreaker:
    """Closed → open after ``threshold`` consecutive failures → half-open after ``reset_s``.

    In half-open exactly one caller gets ``allow() == True`` (the probe); its success
    closes the circuit, its failure opens it again for another ``reset_s``.
    ``on_open``/``on_close`` run on the transitions (half-open → closed included).
    """

    def __init__(
        self,
        *,
        threshold: int,
        reset_s: float,
        clock: Callable[[], float] = time.monotonic,
        on_open: Callable[[], None] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.threshold = threshold
        self.reset_s = reset_s
        self._clock = clock
        self._on_open = on_open
        self._on_close = on_close
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_out = False

    @property
    def state(self) -> BreakerState:
        """The current state (an open circuit past its reset time reports half-open)."""
        if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self.reset_s:
            return BreakerState.HALF_OPEN
        return self._state

    @property
    def consecutive_failures(self) -> int:
        """Failures since the last success."""
        return self._failures

    def seconds_until_probe(self) -> float:
        """How long until a probe may go out (0 when closed or a probe is allowed)."""
        if self._state is BreakerState.CLOSED:
            return 0.0
        return max(0.0, self._opened_at + self.reset_s - self._clock())

    def allow(self) -> bool:
        """May a request go out now? In half-open, only the first caller (the probe) may."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN:
            return False
        if self._probe_out:
            return False
        self._state = BreakerState.HALF_OPEN
        self._probe_out = True
        return True

    def record_success(self) -> None:
        """A request got a (non-failure) answer."""
        was = self._state
        self._failures = 0
        self._probe_out = False
        self._state = BreakerState.CLOSED
        if was is not BreakerState.CLOSED and self._on_close is not None:
            self._on_close()

    def record_failure(self) -> None:
        """A request failed (no answer, or a retryable/5xx status)."""
        self._failures += 1
        if self._state is BreakerState.HALF_OPEN or (
            self._state is BreakerState.CLOSED and self._failures >= self.threshold
        ):
            self._open()
        # Already open: a request that was in flight when the circuit opened failed too;
        # the reset window is not restarted for it.

    def release_probe(self) -> None:
        """The probe ended without a verdict (cancelled): let another probe go out."""
        if self._state is BreakerState.HALF_OPEN:
            self._probe_out = False

    def _open(self) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()
        self._probe_out = False
        if self._on_open is not None:
            self._on_open()
