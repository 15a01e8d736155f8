"""Every route of the API, by module."""

from __future__ import annotations

from typing import Any

from . import health, ingest, links, maintenance, processes, reads


def route_handlers() -> list[Any]:
    """The shipped route handlers."""
    return [
        *health.ROUTES,
        *ingest.ROUTES,
        *links.ROUTES,
        *processes.ROUTES,
        *maintenance.ROUTES,
        *reads.ROUTES,
    ]
