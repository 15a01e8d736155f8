"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import structlog
from litestar import Litestar
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware

from .errors import EXCEPTION_HANDLERS
from .logging import RequestLogMiddleware, configure_logging
from .openapi import openapi_config
from .paths import DecodeKeptEscapes, with_kept_escapes
from .routes import route_handlers
from .settings import Settings, load_settings
from .storage.repository import Storage

log = structlog.get_logger("eventlog_api.app")


class EventLogApp(Litestar):
    """The Litestar app, routing ids that hold an encoded "/" as one segment (``paths``)."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await super().__call__(with_kept_escapes(scope), receive, send)  # type: ignore[arg-type]


def create_app(
    settings: Settings | None = None,
    *,
    extra_route_handlers: Sequence[Any] = (),
    configure_logs: bool = True,
) -> Litestar:
    """Build the API for ``settings`` (default: from the environment).

    The database pool opens in the app's lifespan and closes with it. ``extra_route_handlers``
    lets a benchmark or a test mount routes of its own next to the shipped ones.
    """
    settings = settings or load_settings()
    if configure_logs:
        configure_logging(settings.log_format, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        storage = Storage(settings)
        app.state.storage = storage
        log.info("starting", **settings.describe())
        await storage.open(migrate_now=settings.migrate_on_start)
        if not storage.migrated:
            log.warning("serving before the database is ready; readiness answers 503")
        try:
            yield
        finally:
            await storage.close()
            log.info("stopped")

    return EventLogApp(
        route_handlers=[*route_handlers(), *extra_route_handlers],
        lifespan=[lifespan],
        state=State({"settings": settings, "retry_after_s": settings.retry_after_s}),
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[DefineMiddleware(RequestLogMiddleware), DecodeKeptEscapes()],
        openapi_config=openapi_config(),
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,
        debug=False,
    )


def create_app_from_env() -> Litestar:
    """The app configured from ``EVENTLOG_*`` (for ASGI servers that take a factory)."""
    return create_app(load_settings())
