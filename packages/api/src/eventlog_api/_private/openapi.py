"""The OpenAPI 3.1 document, generated from the eventlog_schemas structs.

Handlers decode their bodies themselves (once, with cached msgspec decoders), so they
take no typed ``data`` parameter. Litestar also reads the ``data`` parameter of a
handler's declared dependencies when it builds the document; ``body_schema(T)`` declares
such a dependency, which no handler ever requests (so it never runs): the document shows
``T`` as the request body and the request is never decoded twice.
"""

from __future__ import annotations

from typing import Any, Final

from eventlog_schemas import ErrorResponse
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Tag

from .version import api_version

_ERROR_DESCRIPTIONS: Final = {
    400: "Validation Error: the body or a query parameter failed validation (with details)",
    404: "NOT_FOUND",
    409: "CONFLICT: a unique constraint, such as a duplicate processName",
    413: "Payload Too Large: the body (inflated, when gzip) exceeds the configured limit",
    415: "Unsupported Media Type: not JSON, or a Content-Encoding other than gzip",
    500: "Internal Server Error (never a stack trace)",
    503: "UNAVAILABLE: the database is unreachable; retry after Retry-After seconds",
}


def body_schema(body_type: type[Any]) -> dict[str, Provide]:
    """``dependencies`` for a route whose request body is ``body_type`` (document only)."""

    def document_body(data: Any) -> None:  # pragma: no cover - never called
        del data

    document_body.__annotations__ = {"data": body_type, "return": None}
    return {"document_body": Provide(document_body, sync_to_thread=False)}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """``responses`` documenting the contract's error envelope for ``codes``."""
    return {
        code: ResponseSpec(
            data_container=ErrorResponse,
            description=_ERROR_DESCRIPTIONS.get(code, "Error"),
            generate_examples=False,
        )
        for code in codes
    }


def openapi_config() -> OpenAPIConfig:
    """Served at ``/schema/openapi.json``, with interactive UIs under ``/schema``."""
    return OpenAPIConfig(
        title="Event Log API",
        version=api_version(),
        description=(
            "Centralised business-event logging with distributed tracing, v1 contract. "
            "Every non-2xx answer is {error, message, details?}."
        ),
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(path="/swagger"), ScalarRenderPlugin(path="/")],
        tags=[
            Tag(name="health", description="Liveness, readiness, version"),
            Tag(name="ingestion", description="Recording events"),
            Tag(name="correlation-links", description="Attaching correlation ids to accounts"),
            Tag(name="processes", description="Process definitions"),
            Tag(name="maintenance", description="Debug and maintenance"),
        ],
        use_handler_docstrings=True,
    )
