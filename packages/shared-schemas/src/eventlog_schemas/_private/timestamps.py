"""Timestamp rules of the wire: offsets required on input, UTC milliseconds on output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

import msgspec

# Subtracting a ready-made timedelta is several times cheaper than datetime.replace(),
# and every event a Java client sends (nanosecond fractions) goes through here.
_SUB_MILLISECOND: Final = tuple(timedelta(microseconds=n) for n in range(1000))


def to_utc_millis(value: datetime) -> datetime:
    """Convert an aware datetime to UTC and truncate it to millisecond precision.

    Raises ``ValueError`` for a naive datetime, or one whose UTC form falls outside the
    years 1-9999 (``0001-01-01T00:30:00+01:00``).
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry an offset or Z")
    try:
        utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"timestamp {value.isoformat()} is out of range once converted to UTC"
        ) from None
    return utc - _SUB_MILLISECOND[utc.microsecond % 1000]


def format_timestamp(value: datetime) -> str:
    """The wire form of a timestamp: UTC, ``Z``, exactly three fraction digits.

    A naive ``value`` is taken to be UTC already (database drivers drop the offset).
    """
    utc = value if value.tzinfo is None else to_utc_millis(value)
    # Not strftime: glibc's %Y leaves years before 1000 unpadded ("999-12-31T...").
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


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
