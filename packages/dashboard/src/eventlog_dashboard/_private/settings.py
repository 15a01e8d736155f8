"""Every default of the dashboard, named once, and the ``EVENTLOG_DASHBOARD_*`` parsing."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Final

from eventlog_schemas import STANDARD_PAGE

ENV_PREFIX: Final = "EVENTLOG_DASHBOARD_"

DEFAULT_API_URL: Final = "http://127.0.0.1:8080"
"""Where ``eventlog-api serve`` listens by default."""
DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 3000
DEFAULT_REQUEST_TIMEOUT_S: Final = 10.0
DEFAULT_REFRESH_INTERVAL_S: Final = 15
"""Period of the trace list's auto-refresh when it is switched on."""
DEFAULT_MAX_TRACE_EVENTS: Final = 5_000
"""Events of one trace the detail page loads at most; beyond it the page says so."""
DEFAULT_PAGE_SIZE: Final = STANDARD_PAGE.default
"""Rows per page of the trace list (the API's standard page)."""

APP_DIR: Final = Path(__file__).resolve().parents[3]
"""The Reflex app folder (``packages/dashboard``: ``rxconfig.py``, ``reflex.lock/``)."""
REPO_ROOT: Final = APP_DIR.parents[1]
DEFAULT_BUN_PATH: Final = REPO_ROOT / ".tools/bun/node_modules/@oven/bun-linux-x64/bin/bun"
"""bun from the npm registry (``scripts/install-bun.sh``); Reflex's own download cannot work."""


def _str(raw: str) -> str:
    return raw


def _url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// URL")
    return raw.rstrip("/")


def _port(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 65535:
        raise ValueError("expected a TCP port 1-65535")
    return value


def _positive_int(raw: str) -> int:
    value = int(raw.replace("_", ""))
    if value <= 0:
        raise ValueError("expected an integer > 0")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError("expected a number > 0")
    return value


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


@dataclass(frozen=True, kw_only=True, slots=True)
class DashboardSettings:
    """What the dashboard reads from ``EVENTLOG_DASHBOARD_*`` variables (see ``ENVIRONMENT``).

    The dashboard reads everything through the API at ``api_url`` with the SDK's
    ``EventLogClient``; it never opens the database.
    """

    api_url: str = DEFAULT_API_URL
    api_key: str | None = None
    request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    refresh_interval_s: int = DEFAULT_REFRESH_INTERVAL_S
    max_trace_events: int = DEFAULT_MAX_TRACE_EVENTS
    page_size: int = DEFAULT_PAGE_SIZE
    bun_path: Path = DEFAULT_BUN_PATH
    public_url: str | None = None
    """The URL browsers use to reach the dashboard (behind a proxy, or from other
    machines); the frontend calls its state websocket there. Unset: this machine's
    ``http://host:port``."""
    web_dir: Path | None = None
    """Where Reflex builds the frontend (``.web`` in the app folder when unset).

    Two builds must never share one folder: each server gets its own.
    """

    def __post_init__(self) -> None:
        if self.page_size > STANDARD_PAGE.maximum:
            raise ValueError(
                f"page_size must be <= {STANDARD_PAGE.maximum} (the API's maximum), "
                f"got {self.page_size}"
            )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> DashboardSettings:
        """Defaults, then ``EVENTLOG_DASHBOARD_*`` variables, then ``overrides``.

        A variable that does not parse raises ``ValueError`` naming it.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for var, (name, parse) in ENVIRONMENT.items():
            raw = env.get(var)
            if raw is None or raw.strip() == "":
                continue
            try:
                values[name] = parse(raw.strip())
            except ValueError as exc:
                raise ValueError(f"{var}={raw!r}: {exc}") from None
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"unknown DashboardSettings field(s): {sorted(unknown)}")
        values.update(overrides)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """These settings as ``EVENTLOG_DASHBOARD_*`` variables (for a child process)."""
        out: dict[str, str] = {}
        for var, (name, _parse) in ENVIRONMENT.items():
            value = getattr(self, name)
            if value is not None:
                out[var] = str(value)
        return out


ENVIRONMENT: Final[dict[str, tuple[str, Callable[[str], Any]]]] = {
    f"{ENV_PREFIX}API_URL": ("api_url", _url),
    f"{ENV_PREFIX}API_KEY": ("api_key", _str),
    f"{ENV_PREFIX}API_TIMEOUT_S": ("request_timeout_s", _positive_float),
    f"{ENV_PREFIX}HOST": ("host", _str),
    f"{ENV_PREFIX}PORT": ("port", _port),
    f"{ENV_PREFIX}REFRESH_S": ("refresh_interval_s", _positive_int),
    f"{ENV_PREFIX}MAX_TRACE_EVENTS": ("max_trace_events", _positive_int),
    f"{ENV_PREFIX}PAGE_SIZE": ("page_size", _positive_int),
    f"{ENV_PREFIX}BUN": ("bun_path", _path),
    f"{ENV_PREFIX}PUBLIC_URL": ("public_url", _url),
    f"{ENV_PREFIX}WEB_DIR": ("web_dir", _path),
}
"""``EVENTLOG_DASHBOARD_*`` variable → (``DashboardSettings`` field, parser)."""

REFLEX_OFFLINE_ENV: Final[dict[str, str]] = {
    # Both would call hosts our machines cannot reach (and slow every start down).
    "REFLEX_TELEMETRY_ENABLED": "false",
    "REFLEX_CHECK_LATEST_VERSION": "false",
    # Reflex otherwise probes a mirror registry before choosing one.
    "NPM_CONFIG_REGISTRY": "https://registry.npmjs.org",
}
"""Environment every Reflex command of this project runs with."""
