"""The browser harness: the real API and the real dashboard on loopback ports, Chromium.

One API (a fresh SQLite file) and one dashboard build serve the whole session: the
frontend build takes seconds, so it is done once and shared. The dashboard builds into
its own folder, never the app folder's ``.web`` (a running ``make run`` may own that).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

import pytest
from eventlog_schemas import CreateProcessRequest
from eventlog_sdk import EventLogClient
from support.api_server import ApiServer, free_port, http_status
from support.requirements import require

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
BUILD_TIMEOUT_S: Final = 300.0
"""Generous: the first build on a fresh machine installs the frontend packages."""


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


class DashboardServer:
    """``eventlog-dashboard serve`` as a subprocess: builds the frontend, then serves it."""

    def __init__(self, api_url: str, web_dir: Path, log_path: Path) -> None:
        self.api_url = api_url
        self.web_dir = web_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.ready_s: float | None = None

    def start(self) -> None:
        """Spawn the server (returns at once; ``wait_ready`` waits for the build)."""
        self._log = self.log_path.open("ab")
        self.started_at = time.monotonic()
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "eventlog_dashboard",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--api-url",
                self.api_url,
                "--web-dir",
                str(self.web_dir),
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's output."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def wait_ready(self) -> float:
        """Wait (bounded) until the built frontend is served; returns seconds since start."""
        assert self._process is not None
        deadline = self.started_at + BUILD_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the dashboard exited while starting:\n{self.log_tail()}")
            if asyncio.run(http_status("127.0.0.1", self.port, "/ping")) == 200:
                self.ready_s = time.monotonic() - self.started_at
                return self.ready_s
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(
            f"the dashboard was not up within {BUILD_TIMEOUT_S:g} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """SIGTERM the whole process group, then SIGKILL if it lingers."""
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


@dataclass
class Stack:
    """The running API and dashboard, and the data they were given."""

    api: ApiServer
    dashboard: DashboardServer
    data: DataSet

    @property
    def url(self) -> str:
        """The dashboard's base URL."""
        return self.dashboard.url


async def _seed(base_url: str, data: DataSet) -> None:
    async with EventLogClient(base_url) as client:
        for definition in DEFINITIONS:
            await client.create_process(CreateProcessRequest(**definition))
        for part in chunks(data.entries(), 250):
            answer = await client.create_events(part)
            assert answer.success, answer.errors


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
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
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
