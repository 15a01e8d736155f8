"""Exponential backoff with full jitter, and the ``Retry-After`` header."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from .settings import DEFAULT_RETRY_BASE_S, DEFAULT_RETRY_CAP_S, DEFAULT_RETRY_MAX_ATTEMPTS


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryPolicy:
    """How often and how long to wait before trying a request again.

    The n-th retry (0-based) waits a uniformly random time in
    ``[0, min(cap_s, base_s * 2**n)]`` ("full jitter"), so that many clients that
    failed together do not come back together. A ``Retry-After`` from the server
    replaces the computed wait; when it exceeds ``cap_s`` the request is not retried
    (the caller gets the error and its ``retry_after``) rather than waiting less than
    the server asked.
    """

    base_s: float = DEFAULT_RETRY_BASE_S
    cap_s: float = DEFAULT_RETRY_CAP_S
    max_attempts: int = DEFAULT_RETRY_MAX_ATTEMPTS

    def __post_init__(self) -> None:
        if self.base_s < 0 or self.cap_s < 0:
            raise ValueError("retry base and cap must be >= 0")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")

    def backoff(self, retry_index: int, rng: random.Random | None = None) -> float:
        """The full-jitter wait before retry number ``retry_index`` (0-based)."""
        # 2**64 is already far beyond any cap; bounding the exponent avoids huge ints.
        ceiling = min(self.cap_s, self.base_s * (2 ** min(retry_index, 64)))
        return (rng or random).uniform(0.0, ceiling)

    def delay(
        self, retry_index: int, retry_after: float | None, rng: random.Random | None = None
    ) -> float | None:
        """The wait before the next attempt, or ``None`` when the server asked too much."""
        if retry_after is not None:
            return retry_after if retry_after <= self.cap_s else None
        return self.backoff(retry_index, rng)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date); ``None`` if absent.

    A malformed value counts as absent (the normal backoff applies); a date in the
    past means "now" (0 s).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
