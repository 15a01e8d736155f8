"""Timestamp rules of the wire: offsets required on input, UTC milliseconds on output."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec


def to_utc_millis(value: datetime) -> datetime:
    """Convert an aware datetime to UTC and truncate it to millisecond precision."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry an offset or Z")
    utc = value.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def format_timestamp(value: datetime) -> str:
    """The wire form of a timestamp: UTC, ``Z``, exactly three fraction digits."""
    utc = to_utc_millis(value) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO-8601 timestamp that carries an offset or ``Z`` into UTC milliseconds.

    Accepts any number of fraction digits (Java clients send nanoseconds).
    Raises ``ValueError`` for a timestamp without an offset.
    """
    try:
        parsed = msgspec.json.decode(msgspec.json.encode(value), type=datetime)
    except msgspec.ValidationError as exc:
        raise ValueError(f"invalid timestamp {value!r}: {exc}") from None
    return to_utc_millis(parsed)


def utc_now() -> datetime:
    """The current time in UTC at millisecond precision."""
    return to_utc_millis(datetime.now(UTC))
