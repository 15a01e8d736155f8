"""Turning msgspec validation errors into the contract's ``details`` list."""

from __future__ import annotations

import re
from typing import Final

import msgspec

from .ids import (
    PARENT_SPAN_ID_PATTERN,
    PARENT_SPAN_ID_RULE,
    SPAN_ID_PATTERN,
    SPAN_ID_RULE,
    TRACE_ID_PATTERN,
    TRACE_ID_RULE,
)
from .system import ErrorDetail

# Regex messages read badly to people; say what the pattern means instead.
_PATTERN_MEANINGS: Final = {
    TRACE_ID_PATTERN: TRACE_ID_RULE,
    SPAN_ID_PATTERN: SPAN_ID_RULE,
    PARENT_SPAN_ID_PATTERN: PARENT_SPAN_ID_RULE,
}

_AT: Final = " - at `"
_SEGMENT: Final = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
# msgspec reports an error raised in __post_init__ at the struct's path; field_error
# puts the field's own (relative, dotted) path in front of the message, in backticks.
_FIELD_MESSAGE: Final = re.compile(r"`(?P<field>[^`]+)`: (?P<message>.*)", re.DOTALL)


def field_error(field: str, message: str) -> ValueError:
    """An error for a struct's ``__post_init__`` that ``validation_details`` reports at ``field``.

    ``field`` is the dotted wire path inside the struct (``traceId``, ``spanLinks.2``).
    """
    return ValueError(f"`{field}`: {message}")


def json_path_to_dotted(path: str) -> str:
    """``$.events[3].traceId`` → ``events.3.traceId`` (``$`` alone → ``""``)."""
    if not path.startswith("$"):
        return path
    parts = [name or index for name, index in _SEGMENT.findall(path[1:])]
    return ".".join(parts)


def validation_details(
    error: msgspec.ValidationError | msgspec.DecodeError, *, prefix: str = ""
) -> list[ErrorDetail]:
    """The ``details`` entries for one msgspec error.

    ``prefix`` is prepended to the field path, for errors raised while decoding a part
    of a larger body (``events.3`` for the fourth entry of a batch).
    """
    text = str(error)
    message, _, tail = text.partition(_AT)
    field = json_path_to_dotted(tail.rstrip("`")) if tail else ""
    for pattern, meaning in _PATTERN_MEANINGS.items():
        if message.endswith(f"matching regex '{pattern}'"):
            message = meaning
    if own_field := _FIELD_MESSAGE.fullmatch(message):
        message = own_field["message"]
        field = f"{field}.{own_field['field']}" if field else own_field["field"]
    elif "Object missing required field" in message or "Object contains unknown field" in message:
        # The path names the object; the field itself is the one in backticks.
        named = message.rsplit("`", 2)[-2]
        field = f"{field}.{named}" if field else named
    if prefix:
        field = f"{prefix}.{field}" if field else prefix
    return [ErrorDetail(field=field, message=message)]
