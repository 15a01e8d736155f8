"""The installed version of ``eventlog-api``."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version


@cache
def api_version() -> str:
    """The package version (``0.0.0`` when running from a source tree without metadata)."""
    try:
        return version("eventlog-api")
    except PackageNotFoundError:  # pragma: no cover - source tree without metadata
        return "0.0.0"
