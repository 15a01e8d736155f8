"""Correlation links: attach events logged before an account existed to that account."""

from __future__ import annotations

from typing import Any

import msgspec
from eventlog_schemas import (
    CorrelationLink,
    CorrelationLinkCreated,
    CorrelationLinkRequest,
    decoder_for,
)
from litestar import Request, Response, get, post
from litestar.params import FromPath

from eventlog_api._private.body import read_json_body
from eventlog_api._private.errors import invalid_body, not_found
from eventlog_api._private.openapi import body_schema, error_responses

from .common import json_response, settings_of, storage_of


@post(
    ["/v1/correlation-links"],
    status_code=201,
    summary="Link a correlation id to an account",
    tags=["correlation-links"],
    dependencies=body_schema(CorrelationLinkRequest),
    responses=error_responses(400, 413, 415, 500, 503),
)
async def upsert_link(request: Request[Any, Any, Any]) -> Response[CorrelationLinkCreated]:
    """Upsert keyed by correlationId; an update keeps the original linkedAt."""
    body = await read_json_body(request, settings_of(request).max_body_bytes)
    try:
        link = decoder_for(CorrelationLinkRequest).decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise invalid_body(exc) from None
    linked_at = await storage_of(request).upsert_link(link)
    return json_response(
        CorrelationLinkCreated(
            success=True,
            correlation_id=link.correlation_id,
            account_id=link.account_id,
            linked_at=linked_at,
        ),
        status_code=201,
    )


@get(
    ["/v1/correlation-links/{correlationId:str}"],
    summary="Get the link of a correlation id",
    tags=["correlation-links"],
    responses=error_responses(404, 500, 503),
)
async def get_link(
    request: Request[Any, Any, Any], correlationId: FromPath[str]
) -> Response[CorrelationLink]:
    """The link, or 404."""
    row = await storage_of(request).get_link(correlationId)
    if row is None:
        raise not_found(f"No correlation link for {correlationId!r}.")
    return json_response(
        CorrelationLink(
            correlation_id=row.correlation_id,
            account_id=row.account_id,
            application_id=row.application_id,
            customer_id=row.customer_id,
            card_number_last4=row.card_number_last4,
            linked_at=row.linked_at,
        )
    )


ROUTES = [upsert_link, get_link]
