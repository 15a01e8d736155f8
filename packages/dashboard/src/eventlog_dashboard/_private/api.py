"""The dashboard's only way to data: the Event Log API through the SDK's ``EventLogClient``.

One client per server process, opened on first use and closed by the app's lifespan.
Process display names change rarely and are wanted by every page, so they are cached
for a few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Final

from eventlog_schemas import (
    ProcessDefinition,
    ProcessStatsResponse,
    SlaComplianceResponse,
    TimeBucket,
    TimeSeriesResponse,
)
from eventlog_sdk import (
    EventLogApiError,
    EventLogClient,
    EventLogConnectionError,
    EventLogError,
    RetryPolicy,
)

from .formatting import humanize_name
from .settings import DashboardSettings

DEFINITIONS_TTL_S: Final = 10.0
"""How long a fetched list of process definitions is reused."""

# A page waits for the API: fail fast and say so rather than retry for half a minute.
_RETRY: Final = RetryPolicy(base_s=0.2, cap_s=1.0, max_attempts=2)

_client: EventLogClient | None = None
_settings: DashboardSettings | None = None
_definitions: tuple[float, list[ProcessDefinition]] | None = None
_definitions_lock: asyncio.Lock | None = None
_seen_processes: tuple[float, dict[str, str]] | None = None
_log = logging.getLogger(__name__)


def settings() -> DashboardSettings:
    """The dashboard's settings (read from the environment once)."""
    global _settings  # noqa: PLW0603 - one settings object per process
    if _settings is None:
        _settings = DashboardSettings.from_env()
    return _settings


def client() -> EventLogClient:
    """The process's ``EventLogClient`` (created on first use, in the running loop)."""
    global _client  # noqa: PLW0603 - one client per process, closed by the lifespan
    if _client is None or _client.closed:
        config = settings()
        _client = EventLogClient(
            config.api_url,
            api_key=config.api_key,
            application_id="eventlog-dashboard",
            request_timeout_s=config.request_timeout_s,
            retry=_RETRY,
        )
    return _client


@asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """The app's lifespan task: close the client when the server stops."""
    try:
        yield
    finally:
        global _client  # noqa: PLW0603
        if _client is not None:
            await _client.aclose()
            _client = None


def error_text(exc: BaseException) -> str:
    """An API failure in one sentence for the page."""
    if isinstance(exc, EventLogApiError):
        return f"The API answered {exc.status} {exc.error.error}: {exc.error.message}"
    if isinstance(exc, EventLogConnectionError):
        return (
            f"The API at {settings().api_url} cannot be reached "
            f"(no answer after {exc.attempts} attempts). Is eventlog-api running?"
        )
    if isinstance(exc, EventLogError):
        return f"The API request failed: {exc}"
    return f"Unexpected error: {type(exc).__name__}: {exc}"


async def process_definitions(*, fresh: bool = False) -> list[ProcessDefinition]:
    """Every process definition (cached for ``DEFINITIONS_TTL_S`` unless ``fresh``)."""
    global _definitions, _definitions_lock  # noqa: PLW0603 - a per-process cache
    now = time.monotonic()
    if not fresh and _definitions is not None and now - _definitions[0] < DEFINITIONS_TTL_S:
        return _definitions[1]
    if _definitions_lock is None:
        _definitions_lock = asyncio.Lock()
    async with _definitions_lock:
        if not fresh and _definitions is not None and now - _definitions[0] < DEFINITIONS_TTL_S:
            return _definitions[1]
        answer = await client().list_processes()
        _definitions = (time.monotonic(), list(answer.processes))
        return _definitions[1]


def forget_definitions() -> None:
    """Drop the cached definitions (after registering or editing one)."""
    global _definitions  # noqa: PLW0603
    _definitions = None


async def display_names() -> dict[str, str]:
    """Process name → display name, from the registered definitions."""
    return {d.process_name: d.display_name for d in await process_definitions()}


async def process_choices() -> list[dict[str, str]]:
    """The process filter's choices (``value``/``label``), sorted by label.

    The registered processes and those that ran in the last 30 days (cached for
    ``DEFINITIONS_TTL_S``). When the statistics cannot be read the registered ones
    still are offered, and the reason is logged.
    """
    global _seen_processes  # noqa: PLW0603 - a per-process cache
    options = await display_names()
    now = time.monotonic()
    if _seen_processes is None or now - _seen_processes[0] >= DEFINITIONS_TTL_S:
        try:
            end = datetime.now(UTC)
            answer = await client().dashboard_processes(
                start_date=end - timedelta(days=30), end_date=end
            )
        except EventLogError as exc:
            _log.warning("process choices without recent processes: %s", exc)
        else:
            seen = {
                p.process_name: p.display_name or humanize_name(p.process_name)
                for p in answer.processes
            }
            _seen_processes = (now, seen)
    for name, label in (_seen_processes[1] if _seen_processes else {}).items():
        options.setdefault(name, label)
    return [
        {"value": name, "label": label}
        for name, label in sorted(options.items(), key=lambda kv: kv[1].lower())
    ]


async def time_series(
    *,
    start: datetime | None,
    end: datetime | None,
    bucket: TimeBucket,
    process_name: str | None = None,
) -> TimeSeriesResponse:
    """Traces per time bucket (rates, counts, p50/p95 durations)."""
    return await client().dashboard_timeseries(
        start_date=start, end_date=end, bucket=bucket, process_name=process_name
    )


async def process_stats(*, start: datetime | None, end: datetime | None) -> ProcessStatsResponse:
    """Per-process success, durations and SLA figures, busiest first."""
    return await client().dashboard_processes(start_date=start, end_date=end)


async def sla_compliance(*, start: datetime | None, end: datetime | None) -> SlaComplianceResponse:
    """SLA compliance of the processes that have an SLA, worst first."""
    return await client().dashboard_sla(start_date=start, end_date=end)
