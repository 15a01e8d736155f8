"""The contract's error envelope for every non-2xx answer, Litestar's own errors included.

``{"error": "<short name>", "message": "<sentence>", "details"?: [...]}``. A 500 never
carries a stack trace or SQL text: the exception is logged with the request id, and the
client gets a generic sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import msgspec
import structlog
from eventlog_schemas import ErrorDetail, ErrorResponse, encode, validation_details
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from .storage.errors import DatabaseUnavailable, UniqueViolation

log = structlog.get_logger("eventlog_api.errors")

JSON: Final = "application/json"

VALIDATION_ERROR: Final = "Validation Error"
NOT_FOUND: Final = "NOT_FOUND"
CONFLICT: Final = "CONFLICT"
PAYLOAD_TOO_LARGE: Final = "Payload Too Large"
UNSUPPORTED_MEDIA_TYPE: Final = "Unsupported Media Type"
UNAVAILABLE: Final = "UNAVAILABLE"
INTERNAL: Final = "Internal Server Error"

# Names for statuses Litestar raises itself that the contract's table does not list.
_STATUS_NAMES: Final = {
    400: VALIDATION_ERROR,
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: NOT_FOUND,
    409: CONFLICT,
    413: PAYLOAD_TOO_LARGE,
    415: UNSUPPORTED_MEDIA_TYPE,
    429: "RATE_LIMITED",
    503: UNAVAILABLE,
}


class ApiError(Exception):
    """An error the API answers with the contract's envelope."""

    def __init__(
        self,
        status_code: int,
        error: str,
        message: str,
        *,
        details: Sequence[ErrorDetail] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error = error
        self.message = message
        self.details = list(details) if details else None
        self.headers = dict(headers) if headers else None

    def response(self) -> Response[bytes]:
        """The envelope as a response."""
        body = ErrorResponse(error=self.error, message=self.message, details=self.details)
        return Response(
            content=encode(body),
            status_code=self.status_code,
            media_type=JSON,
            headers=self.headers,
        )


def validation_failed(message: str, details: Sequence[ErrorDetail] | None = None) -> ApiError:
    """A 400 ``Validation Error``."""
    return ApiError(400, VALIDATION_ERROR, message, details=details)


def invalid_body(exc: msgspec.ValidationError | msgspec.DecodeError) -> ApiError:
    """A 400 for a body msgspec rejected, with the field paths in ``details``."""
    if isinstance(exc, msgspec.ValidationError):
        return validation_failed("The request body failed validation.", validation_details(exc))
    return validation_failed(
        "The request body is not valid JSON.",
        [ErrorDetail(field="", message=str(exc))],
    )


def not_found(message: str) -> ApiError:
    """A 404 ``NOT_FOUND``."""
    return ApiError(404, NOT_FOUND, message)


def unavailable(message: str, retry_after_s: int) -> ApiError:
    """A 503 ``UNAVAILABLE`` with ``Retry-After``."""
    return ApiError(503, UNAVAILABLE, message, headers={"Retry-After": str(retry_after_s)})


def _handle_api_error(request: Request[Any, Any, Any], exc: ApiError) -> Response[bytes]:
    return exc.response()


def _handle_validation(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[bytes]:
    details: list[ErrorDetail] = []
    extra = exc.extra
    if isinstance(extra, list):
        for item in extra:
            if isinstance(item, Mapping):
                details.append(
                    ErrorDetail(
                        field=_camel(str(item.get("key", ""))),
                        message=str(item.get("message", "")),
                    )
                )
    message = "The request failed validation."
    return validation_failed(message, details or None).response()


def _handle_not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    # The established API answered an unknown method on a known path with 404 as well
    # (the contract: "There is no DELETE /v1/events (404)").
    method = request.scope.get("method", "")
    return not_found(f"No route for {method} {request.scope.get('path', '')}.").response()


def _handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if status >= 500:
        return _handle_unexpected(request, exc)
    error = _STATUS_NAMES.get(status, str(exc.detail or "Error"))
    message = _sentence(exc.detail) if exc.detail else error
    if status == 413:
        message = "The request body is larger than the server accepts."
    headers = dict(exc.headers) if exc.headers else None
    return ApiError(status, error, message, headers=headers).response()


def _handle_unavailable(
    request: Request[Any, Any, Any], exc: DatabaseUnavailable
) -> Response[bytes]:
    retry_after = getattr(request.app.state, "retry_after_s", 1)
    log.warning("database unavailable", error=str(exc)[:300])
    return unavailable("The database is unavailable; retry shortly.", retry_after).response()


def _handle_conflict(request: Request[Any, Any, Any], exc: UniqueViolation) -> Response[bytes]:
    return ApiError(409, CONFLICT, str(exc)).response()


def _handle_msgspec(
    request: Request[Any, Any, Any], exc: msgspec.ValidationError | msgspec.DecodeError
) -> Response[bytes]:
    return invalid_body(exc).response()


def _handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.error("unhandled error", exc_info=exc)
    return ApiError(
        HTTP_500_INTERNAL_SERVER_ERROR, INTERNAL, "An unexpected error occurred."
    ).response()


def _camel(name: str) -> str:
    # Litestar reports a query parameter by its Python name; the wire name is camelCase.
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(".") else f"{text}."


EXCEPTION_HANDLERS: Final[dict[type[Exception] | int, Any]] = {
    ApiError: _handle_api_error,
    ValidationException: _handle_validation,
    NotFoundException: _handle_not_found,
    MethodNotAllowedException: _handle_not_found,
    HTTPException: _handle_http,
    DatabaseUnavailable: _handle_unavailable,
    UniqueViolation: _handle_conflict,
    msgspec.ValidationError: _handle_msgspec,
    msgspec.DecodeError: _handle_msgspec,
    Exception: _handle_unexpected,
}
"""Litestar's ``exception_handlers`` for the app."""
