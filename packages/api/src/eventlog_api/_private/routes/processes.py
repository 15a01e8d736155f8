"""Process definitions: list, register, and (extension) get and partially update by name."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from eventlog_schemas import (
    CreateProcessRequest,
    ProcessDefinition,
    ProcessListResponse,
    UpdateProcessRequest,
    decoder_for,
)
from litestar import Request, Response, get, patch, post
from litestar.params import FromPath, QueryParameter

from eventlog_api._private.body import read_json_body
from eventlog_api._private.errors import invalid_body, not_found
from eventlog_api._private.openapi import body_schema, error_responses
from eventlog_api._private.storage.dialects.base import ProcessRow

from .common import json_response, settings_of, storage_of


def _definition(row: ProcessRow) -> ProcessDefinition:
    return ProcessDefinition(
        process_id=row.process_id,
        process_name=row.process_name,
        display_name=row.display_name,
        description=row.description,
        owning_team=row.owning_team,
        expected_steps=row.expected_steps,
        sla_ms=row.sla_ms,
        is_active=row.is_active,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@get(
    ["/v1/processes"],
    summary="List process definitions",
    tags=["processes"],
    responses=error_responses(400, 500, 503),
)
async def list_processes(
    request: Request[Any, Any, Any],
    is_active: Annotated[bool | None, QueryParameter(name="isActive")] = None,
) -> Response[ProcessListResponse]:
    """Every definition by name; ``isActive`` filters."""
    rows = await storage_of(request).list_processes(is_active)
    return json_response(ProcessListResponse(processes=[_definition(row) for row in rows]))


@post(
    ["/v1/processes"],
    status_code=201,
    summary="Register a process",
    tags=["processes"],
    dependencies=body_schema(CreateProcessRequest),
    responses=error_responses(400, 409, 413, 415, 500, 503),
)
async def create_process(request: Request[Any, Any, Any]) -> Response[ProcessDefinition]:
    """201 with the record; a duplicate processName is a 409."""
    body = await read_json_body(request, settings_of(request).max_body_bytes)
    try:
        create = decoder_for(CreateProcessRequest).decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise invalid_body(exc) from None
    row = await storage_of(request).create_process(create)
    return json_response(_definition(row), status_code=201)


@get(
    ["/v1/processes/{processName:str}"],
    summary="Get a process definition",
    tags=["processes"],
    responses=error_responses(404, 500, 503),
)
async def get_process(
    request: Request[Any, Any, Any], processName: FromPath[str]
) -> Response[ProcessDefinition]:
    """The definition, or 404."""
    row = await storage_of(request).get_process(processName)
    if row is None:
        raise not_found(f"No process named {processName!r}.")
    return json_response(_definition(row))


@patch(
    ["/v1/processes/{processName:str}"],
    summary="Update a process definition",
    tags=["processes"],
    dependencies=body_schema(UpdateProcessRequest),
    responses=error_responses(400, 404, 413, 415, 500, 503),
)
async def update_process(
    request: Request[Any, Any, Any], processName: FromPath[str]
) -> Response[ProcessDefinition]:
    """Change the fields present (``null`` clears expectedSteps/slaMs); bumps updatedAt."""
    body = await read_json_body(request, settings_of(request).max_body_bytes)
    try:
        update = decoder_for(UpdateProcessRequest).decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise invalid_body(exc) from None
    row = await storage_of(request).update_process(processName, update)
    if row is None:
        raise not_found(f"No process named {processName!r}.")
    return json_response(_definition(row))


ROUTES = [list_processes, create_process, get_process, update_process]
