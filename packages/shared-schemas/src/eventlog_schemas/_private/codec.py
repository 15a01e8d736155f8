"""Cached JSON encoder and decoders: building a msgspec decoder is the slow part."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from .events import EventLogEntry
from .ingest import BatchRequest

T = TypeVar("T")

_ENCODER = msgspec.json.Encoder()
_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}
_EVENT_DECODER = msgspec.json.Decoder(EventLogEntry)
_BATCH_DECODER = msgspec.json.Decoder(BatchRequest)


def encode(value: Any) -> bytes:
    """Encode a wire struct (or any msgspec-supported value) as JSON bytes."""
    return _ENCODER.encode(value)


def decoder_for(type_: type[T]) -> msgspec.json.Decoder[T]:
    """A decoder for ``type_``, built once per type and reused."""
    decoder = _DECODERS.get(type_)
    if decoder is None:
        decoder = _DECODERS[type_] = msgspec.json.Decoder(type_)
    return decoder


def decode(data: bytes | str, type_: type[T]) -> T:
    """Decode and validate JSON into ``type_`` with the cached decoder."""
    return decoder_for(type_).decode(data)


def decode_event(data: bytes | str) -> EventLogEntry:
    """Decode and validate one event."""
    return _EVENT_DECODER.decode(data)


def decode_batch(data: bytes | str) -> BatchRequest:
    """Decode and validate a whole batch request (every entry must be valid)."""
    return _BATCH_DECODER.decode(data)
