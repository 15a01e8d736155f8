"""Converting values between the drivers and the wire."""

from __future__ import annotations

from datetime import UTC, datetime

from eventlog_schemas import format_timestamp


def to_wire_timestamp(value: object) -> str | None:
    """A stored timestamp in the wire format (UTC, ``Z``, milliseconds).

    SQLite stores the wire text already; PostgreSQL (session time zone UTC) and SQL
    Server (datetime2 in UTC) come back as naive datetimes meaning UTC.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return format_timestamp(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
    raise TypeError(f"not a timestamp: {value!r}")


def to_bool(value: object) -> bool:
    """A stored boolean (SQLite 0/1, PostgreSQL bool, SQL Server bit) as ``bool``."""
    return bool(value)
