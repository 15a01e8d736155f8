"""The browser harness: the real API and the real dashboard on loopback ports, Chromium.

One API (a fresh SQLite file) and one dashboard build serve the whole session: the
frontend build takes seconds, so it is done once and shared. The dashboard builds into
its own folder, never the app folder's ``.web`` (a running ``make run`` may own that).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pytest
from eventlog_schemas import CorrelationLinkRequest, CreateProcessRequest
from eventlog_sdk import EventLogClient
from support.api_server import ApiServer
from support.requirements import require

from dashboard.browsing import DashboardServer, Stack
from dashboard.scenarios import DEFINITIONS, DataSet, chunks

REPO: Final = Path(__file__).resolve().parents[2]
CHROMIUM: Final = Path(os.environ.get("EVENTLOG_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS: Final = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
BUN: Final = REPO / ".tools/bun/node_modules/@oven/bun-linux-x64/bin/bun"


def _missing_parts() -> str | None:
    problems = []
    if not os.access(CHROMIUM, os.X_OK):
        problems.append(f"Chromium not found at {CHROMIUM} (make browser-deps installs it)")
    if not os.access(BUN, os.X_OK):
        problems.append(f"bun not found at {BUN} (make browser-deps installs it)")
    try:
        import playwright.sync_api  # noqa: F401, PLC0415 - only needed here
    except ImportError:
        problems.append("the playwright package is not installed")
    return "; ".join(problems) or None


async def _seed(base_url: str, data: DataSet) -> None:
    async with EventLogClient(base_url) as client:
        for definition in DEFINITIONS:
            await client.create_process(CreateProcessRequest(**definition))
        for part in chunks(data.entries(), 250):
            answer = await client.create_events(part)
            assert answer.success, answer.errors
        await client.create_correlation_link(
            CorrelationLinkRequest(
                correlation_id=data.LINKED_CORRELATION, account_id=data.LINKED_ACCOUNT
            )
        )


# Module scope, not session: Playwright's sync API keeps an event loop running in this
# thread while it is open, which breaks every asyncio test that runs after it.
@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The API on a fresh SQLite file with the known data set, and the dashboard on it."""
    problem = _missing_parts()
    require("browser", problem is None, problem or "")
    root = tmp_path_factory.mktemp("dashboard-stack")
    api = ApiServer(f"sqlite:///{root / 'eventlog.db'}")
    asyncio.run(api.start())
    dashboard = DashboardServer(api.base_url, root / "build", root / "dashboard.log")
    try:
        dashboard.start()  # builds while the data goes in
        data = DataSet(datetime.now(UTC))
        asyncio.run(_seed(api.base_url, data))
        ready_s = dashboard.wait_ready()
        print(f"\n[dashboard] frontend build + start: {ready_s:.1f} s")
        yield Stack(api=api, dashboard=dashboard, data=data)
    finally:
        dashboard.stop()
        asyncio.run(api.stop())


@pytest.fixture(scope="module")
def browser(stack: Stack) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - optional dependency

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, stack: Stack) -> Iterator[Any]:
    """A fresh browser context (no cache, no storage) at 1280 × 900."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=stack.url, color_scheme="light"
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()
    # The API-down test provokes no console error either: the page shows the failure.
    assert not errors, f"JavaScript errors on the page: {errors}"
