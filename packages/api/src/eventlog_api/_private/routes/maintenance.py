"""``POST /v1/debug/events/clear``: delete everything, in one transaction."""

from __future__ import annotations

from typing import Any

import msgspec
from eventlog_schemas import ClearRequest, decoder_for, validation_details
from litestar import Request, Response, post

from eventlog_api._private.body import read_json_body
from eventlog_api._private.errors import invalid_body, not_found, validation_failed
from eventlog_api._private.openapi import body_schema, error_responses

from .common import settings_of, storage_of


@post(
    ["/v1/debug/events/clear"],
    status_code=204,
    summary="Delete every event, link and definition",
    tags=["maintenance"],
    dependencies=body_schema(ClearRequest),
    responses=error_responses(400, 404, 413, 415, 500, 503),
)
async def clear_events(request: Request[Any, Any, Any]) -> Response[None]:
    """Body must be exactly ``{"confirm": true}``; 404 when EVENTLOG_ALLOW_PURGE=false."""
    settings = settings_of(request)
    if not settings.allow_purge:
        raise not_found("Purging is disabled on this server (EVENTLOG_ALLOW_PURGE=false).")
    body = await read_json_body(request, settings.max_body_bytes)
    try:
        decoder_for(ClearRequest).decode(body)
    except msgspec.ValidationError as exc:
        raise validation_failed(
            'The body must be exactly {"confirm": true}.', validation_details(exc)
        ) from None
    except msgspec.DecodeError as exc:
        raise invalid_body(exc) from None
    await storage_of(request).clear()
    return Response(content=None, status_code=204)


ROUTES = [clear_events]
