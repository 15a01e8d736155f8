"""Time buckets and rates shared by the statistics and the charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from eventlog_schemas import TimeBucket

HOUR: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)
MS: Final = timedelta(milliseconds=1)


def rate(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, two decimals; ``None`` for an empty whole."""
    if whole <= 0:
        return None
    return round(part * 100.0 / whole, 2)


def floor_bucket(value: datetime, bucket: TimeBucket) -> datetime:
    """The start of the hour or UTC day ``value`` falls in."""
    value = value.astimezone(UTC)
    if bucket is TimeBucket.HOUR:
        return value.replace(minute=0, second=0, microsecond=0)
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def bucket_width(bucket: TimeBucket) -> timedelta:
    """How long one bucket is."""
    return HOUR if bucket is TimeBucket.HOUR else DAY


def bucket_starts(start: datetime, end: datetime, bucket: TimeBucket) -> list[datetime]:
    """Every bucket start from the one holding ``start`` up to (excluding) ``end``."""
    out: list[datetime] = []
    at = floor_bucket(start, bucket)
    step = bucket_width(bucket)
    while at < end:
        out.append(at)
        at += step
    return out
