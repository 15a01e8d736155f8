"""Bodies of the ingestion endpoints."""

from __future__ import annotations

from typing import Annotated

import msgspec

from .base import WireRequest, WireResponse
from .events import EventLogEntry

BatchIdParam = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class BatchRequest(WireRequest, frozen=True, kw_only=True):
    """``POST /v1/events/batch``: at least one event; a ``batchId`` is stamped on all."""

    events: Annotated[list[EventLogEntry], msgspec.Meta(min_length=1)]
    batch_id: BatchIdParam | None = None


class CreateEventResponse(WireResponse, frozen=True, kw_only=True):
    """201 answer to ``POST /v1/events``."""

    success: bool
    execution_ids: list[str]
    correlation_id: str


class BatchError(WireResponse, frozen=True, kw_only=True):
    """One entry of a batch that was not stored, by its index in the request."""

    index: int
    error: str
    retryable: bool = False


class BatchResponse(WireResponse, frozen=True, kw_only=True, omit_defaults=True):
    """201 answer to ``POST /v1/events/batch``; ``errors`` only when non-empty."""

    success: bool
    total_received: int
    total_inserted: int
    execution_ids: list[str]
    correlation_ids: list[str]
    batch_id: str | None = None
    errors: list[BatchError] | None = None
