"""W3C trace-context ids: validation rules, generators and ``traceparent`` parse/format."""

from __future__ import annotations

import re
import secrets
import string
from datetime import UTC, datetime
from typing import Final

import msgspec

TRACE_ID_PATTERN: Final = "^(?!0{32}$)[0-9a-f]{32}$"
SPAN_ID_PATTERN: Final = "^(?!0{16}$)[0-9a-f]{16}$"
# parentSpanId also admits the all-zero "no parent" sentinel, which is normalised to None.
PARENT_SPAN_ID_PATTERN: Final = "^[0-9a-f]{16}$"
NO_PARENT_SPAN_ID: Final = "0" * 16
NO_TRACE_ID: Final = "0" * 32
TRACE_ID_RULE: Final = "Expected a W3C trace id: 32 lowercase hex characters, not all zeros"
SPAN_ID_RULE: Final = "Expected a W3C span id: 16 lowercase hex characters, not all zeros"
PARENT_SPAN_ID_RULE: Final = "Expected a W3C span id: 16 lowercase hex characters"

# fullmatch, never match: "$" also matches before a trailing newline.
_TRACE_ID_RE: Final = re.compile(TRACE_ID_PATTERN)
_SPAN_ID_RE: Final = re.compile(SPAN_ID_PATTERN)
_HEX2: Final = re.compile("^[0-9a-f]{2}$")
_BATCH_ALPHABET: Final = string.ascii_lowercase + string.digits
_SOURCE_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_.]+")
# "batch-" + YYYYMMDD + "-" + source + "-" + 6 random must fit the contract's 200 chars.
_BATCH_SOURCE_MAX: Final = 200 - len("batch-YYYYMMDD--abcdef")


def is_trace_id(value: str) -> bool:
    """True when ``value`` is a valid W3C trace id (32 lowercase hex, not all zeros)."""
    return bool(_TRACE_ID_RE.fullmatch(value))


def is_span_id(value: str) -> bool:
    """True when ``value`` is a valid W3C span id (16 lowercase hex, not all zeros)."""
    return bool(_SPAN_ID_RE.fullmatch(value))


def new_trace_id() -> str:
    """A random W3C trace id."""
    while True:
        value = secrets.token_hex(16)
        if value != "0" * 32:
            return value


def new_span_id() -> str:
    """A random W3C span id."""
    while True:
        value = secrets.token_hex(8)
        if value != NO_PARENT_SPAN_ID:
            return value


def new_batch_id(source: str, *, now: datetime | None = None) -> str:
    """A batch id of the form ``batch-YYYYMMDD-<source>-<6 random>``.

    ``source`` is reduced to letters, digits, ``_`` and ``.`` (other runs become ``-``)
    so that the id stays readable in URLs and logs, and shortened so that the whole id
    stays within the contract's 200 characters for ``batchId``.
    """
    day = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d")
    clean = _SOURCE_UNSAFE.sub("-", source)[:_BATCH_SOURCE_MAX].strip("-") or "unknown"
    suffix = "".join(secrets.choice(_BATCH_ALPHABET) for _ in range(6))
    return f"batch-{day}-{clean}-{suffix}"


class TraceParent(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed W3C ``traceparent`` header."""

    trace_id: str
    parent_id: str
    flags: int = 1
    version: int = 0

    @property
    def sampled(self) -> bool:
        """The ``sampled`` bit of the trace flags."""
        return bool(self.flags & 0x01)


def parse_traceparent(header: str | None) -> TraceParent | None:
    """Parse a ``traceparent`` header; ``None`` when it is absent or invalid.

    Follows W3C Trace Context level 1: version ``ff`` is invalid; version ``00`` must
    have exactly four fields; a higher (future) version is parsed by its first four
    fields and may carry more after a ``-``.
    """
    if header is None:
        return None
    value = header.strip()
    if len(value) < 55:
        return None
    parts = value.split("-")
    if len(parts) < 4:
        return None
    version, trace_id, parent_id, flags = parts[0], parts[1], parts[2], parts[3]
    if not _HEX2.fullmatch(version) or version == "ff":
        return None
    if version == "00" and (len(parts) != 4 or len(value) != 55):
        return None
    # A future version may append fields, but the first four keep their sizes.
    if version != "00" and len(value) > 55 and value[55] != "-":
        return None
    if not (is_trace_id(trace_id) and is_span_id(parent_id) and _HEX2.fullmatch(flags)):
        return None
    return TraceParent(
        trace_id=trace_id, parent_id=parent_id, flags=int(flags, 16), version=int(version, 16)
    )


def format_traceparent(trace_id: str, span_id: str, *, flags: int = 1) -> str:
    """Format a version-00 ``traceparent`` header (we always emit the version we speak)."""
    if not is_trace_id(trace_id):
        raise ValueError(f"invalid trace id: {trace_id!r}")
    if not is_span_id(span_id):
        raise ValueError(f"invalid span id: {span_id!r}")
    if not 0 <= flags <= 0xFF:
        raise ValueError(f"trace flags out of range: {flags}")
    return f"00-{trace_id}-{span_id}-{flags:02x}"
