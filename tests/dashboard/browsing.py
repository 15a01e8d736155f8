"""Helpers of the browser tests (imported as ``dashboard.browsing``): waiting for data,
reading the trace table, screenshots."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, TypeVar

from support.api_server import ApiServer, free_port, http_status

from dashboard.scenarios import DataSet

T = TypeVar("T")

REPO: Final = Path(__file__).resolve().parents[2]
ARTIFACTS: Final = REPO / "artifacts" / "dashboard"
WAIT_S: Final = 15.0
BUILD_TIMEOUT_S: Final = 300.0
"""Generous: the first build on a fresh machine installs the frontend packages."""
REFRESH_S: Final = 2
"""Auto-refresh period of the test dashboard (the default, 15 s, would slow the test)."""


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from a test that drives Playwright's sync API.

    Playwright's sync API keeps an event loop running in this thread, so ``asyncio.run``
    would refuse; a helper thread has none.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of the page under ``artifacts/dashboard/``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def trace_ids_on_page(page: Any) -> list[str]:
    """The trace ids of the trace table's rows, in order."""
    ids: list[str] = page.eval_on_selector_all(
        ".trace-row", "rows => rows.map(r => r.getAttribute('data-trace-id'))"
    )
    return ids


def wait_for_rows(
    page: Any, expected: set[str] | None = None, *, limit_s: float = WAIT_S
) -> list[str]:
    """Wait until the trace list has loaded (and shows exactly ``expected``, if given).

    A list that is loading keeps its old rows on screen, so "loaded" means the results
    panel says it is not loading and the rows are the expected ones.
    """
    deadline = time.monotonic() + limit_s
    last: list[str] = []
    while time.monotonic() < deadline:
        loading = page.get_attribute("#trace-results", "data-loading")
        if loading == "false":
            last = trace_ids_on_page(page)
            empty = page.locator(".empty-state").count() > 0
            if expected is None and (last or empty):
                return last
            if expected is not None and set(last) == expected and (last or empty):
                return last
        time.sleep(0.05)
    raise AssertionError(
        f"the trace list did not show the expected rows within {limit_s:g} s\n"
        f"expected: {sorted(expected) if expected is not None else 'any'}\nshown: {sorted(last)}\n"
        f"url: {page.url}"
    )


def wait_loaded(page: Any, selector: str, *, limit_s: float = WAIT_S) -> None:
    """Wait until the page is not loading and ``selector`` is on it."""
    page.wait_for_selector(f"[data-loading='false'] {selector}", timeout=limit_s * 1000)


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
        env = {**os.environ, "EVENTLOG_DASHBOARD_REFRESH_S": str(REFRESH_S)}
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
            env=env,
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
