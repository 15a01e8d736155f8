"""Exceptions the SDK raises: an API answer that is not a success, or no answer at all."""

from __future__ import annotations

import msgspec
from eventlog_schemas import ErrorResponse, decode


class EventLogError(Exception):
    """Base class of every error the SDK raises."""


class EventLogApiError(EventLogError):
    """The API answered with a non-2xx status.

    ``error`` is the decoded contract envelope (``{"error", "message", "details"?}``);
    when the body was not an envelope (a proxy's HTML page, say), ``error`` is built
    from the status and the start of the body so callers can always read it.
    """

    def __init__(
        self,
        *,
        status: int,
        error: ErrorResponse,
        method: str,
        url: str,
        retry_after: float | None = None,
        body: bytes = b"",
    ) -> None:
        self.status = status
        self.error = error
        self.method = method
        self.url = url
        self.retry_after = retry_after
        self.body = body
        super().__init__(f"{method} {url} -> {status} {error.error}: {error.message}")

    @property
    def retryable(self) -> bool:
        """True for the statuses a client may retry (429, 502, 503, 504)."""
        return self.status in RETRYABLE_STATUSES


class EventLogConnectionError(EventLogError):
    """The API could not be reached (connection refused or reset, timeout) after retries."""

    def __init__(self, message: str, *, method: str, url: str, attempts: int) -> None:
        self.method = method
        self.url = url
        self.attempts = attempts
        super().__init__(f"{method} {url}: {message} (after {attempts} attempt(s))")


RETRYABLE_STATUSES: frozenset[int] = frozenset({429, 502, 503, 504})
"""Statuses that mean "try again later"; every other 4xx/5xx is final."""


def error_envelope(status: int, reason: str | None, body: bytes) -> ErrorResponse:
    """Decode the contract's error envelope, or synthesise one from a foreign body."""
    if body:
        try:
            return decode(body, ErrorResponse)
        except (msgspec.DecodeError, msgspec.ValidationError):
            pass
    text = body[:500].decode("utf-8", "replace").strip()
    return ErrorResponse(error=reason or f"HTTP {status}", message=text or f"HTTP {status}")
