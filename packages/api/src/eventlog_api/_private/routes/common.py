"""What every route module needs: the storage and settings of the app, JSON responses."""

from __future__ import annotations

from typing import Any, Final

from eventlog_schemas import encode
from litestar import Request, Response

from eventlog_api._private.settings import Settings
from eventlog_api._private.storage.reads import Reads
from eventlog_api._private.storage.repository import Storage

JSON: Final = "application/json"


def storage_of(request: Request[Any, Any, Any]) -> Storage:
    """The app's ``Storage`` (opened by the lifespan)."""
    storage: Storage = request.app.state.storage
    return storage


def reads_of(request: Request[Any, Any, Any]) -> Reads:
    """The storage's read queries, once the schema is ready (a 503 until then)."""
    storage = storage_of(request)
    storage.require_schema()
    return storage.reads


def settings_of(request: Request[Any, Any, Any]) -> Settings:
    """The app's ``Settings``."""
    settings: Settings = request.app.state.settings
    return settings


def json_response(body: object, status_code: int = 200) -> Response[Any]:
    """``body`` (a wire struct) encoded once with the shared encoder."""
    return Response(content=encode(body), status_code=status_code, media_type=JSON)
