"""Health, version, maintenance and the error envelope."""

from __future__ import annotations

from typing import Literal

import msgspec

from .base import UtcTimestamp, WireResponse


class HealthResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/healthcheck``: liveness only."""

    status: str = "ok"


class ReadinessResponse(WireResponse, frozen=True, kw_only=True, omit_defaults=True):
    """``GET /v1/healthcheck/ready``: 200 ready or 503 not_ready with ``error``."""

    status: Literal["ready", "not_ready"]
    database: Literal["connected", "error"]
    timestamp: UtcTimestamp
    error: str | None = None


class VersionResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/version``."""

    version: str


class ClearRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``POST /v1/debug/events/clear``: must be exactly ``{"confirm": true}``."""

    confirm: Literal[True]


class ErrorDetail(WireResponse, frozen=True, kw_only=True):
    """One failed field of a validation error; ``field`` is a dotted path."""

    field: str
    message: str


class ErrorResponse(WireResponse, frozen=True, kw_only=True, omit_defaults=True):
    """The envelope of every non-2xx response."""

    error: str
    message: str
    details: list[ErrorDetail] | None = None
