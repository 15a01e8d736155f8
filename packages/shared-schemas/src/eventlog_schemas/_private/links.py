"""Correlation links: attach events logged before an account existed to that account."""

from __future__ import annotations

from typing import Annotated

import msgspec

from .base import UtcTimestamp, WireRequest, WireResponse
from .events import CorrelationId

LinkAccountId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
ShortText = Annotated[str, msgspec.Meta(max_length=100)]
CardLast4 = Annotated[str, msgspec.Meta(min_length=4, max_length=4)]


class CorrelationLinkRequest(WireRequest, frozen=True, kw_only=True):
    """``POST /v1/correlation-links``: upsert keyed by ``correlationId``."""

    correlation_id: CorrelationId
    account_id: LinkAccountId
    application_id: ShortText | None = None
    customer_id: ShortText | None = None
    card_number_last4: CardLast4 | None = None


class CorrelationLinkCreated(WireResponse, frozen=True, kw_only=True):
    """201 answer to ``POST /v1/correlation-links``."""

    success: bool
    correlation_id: str
    account_id: str
    linked_at: UtcTimestamp


class CorrelationLink(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/correlation-links/{correlationId}``."""

    correlation_id: str
    account_id: str
    application_id: str | None
    customer_id: str | None
    card_number_last4: str | None
    linked_at: UtcTimestamp
