"""Liveness, readiness and version."""

from __future__ import annotations

from typing import Any

from eventlog_schemas import HealthResponse, ReadinessResponse, VersionResponse, format_timestamp
from eventlog_schemas import utc_now as _utc_now
from litestar import Request, Response, get

from eventlog_api._private.storage.errors import DatabaseUnavailable
from eventlog_api._private.version import api_version

from .common import json_response, storage_of

_HEALTH = HealthResponse(status="ok")


@get(["/v1/healthcheck"], summary="Liveness", tags=["health"], sync_to_thread=False)
def healthcheck() -> Response[HealthResponse]:
    """200 while the process serves requests; never touches the database."""
    return json_response(_HEALTH)


@get(["/v1/healthcheck/ready"], summary="Readiness", tags=["health"])
async def readiness(request: Request[Any, Any, Any]) -> Response[ReadinessResponse]:
    """200 when the database answers within 3 s and the schema is current, else 503."""
    storage = storage_of(request)
    now = format_timestamp(_utc_now())
    try:
        await storage.ping()
    except DatabaseUnavailable as exc:
        body = ReadinessResponse(
            status="not_ready", database="error", timestamp=now, error=str(exc)
        )
        return json_response(body, status_code=503)
    return json_response(ReadinessResponse(status="ready", database="connected", timestamp=now))


@get(["/v1/version"], summary="Version", tags=["health"], sync_to_thread=False)
def version() -> Response[VersionResponse]:
    """The package version of the running API."""
    return json_response(VersionResponse(version=api_version()))


ROUTES = [healthcheck, readiness, version]
