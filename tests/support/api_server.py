"""The real API as a subprocess (``python -m eventlog_api serve``) on a loopback port.

For SDK, dashboard and fault tests: a real hypercorn process over a real database.

    async with ApiServer("sqlite:////tmp/x/eventlog.db") as api:
        ... api.base_url ...
        await api.kill()      # SIGKILL, for fault tests
        await api.start()     # same port again

The server's output goes to a log file (``api.log_path``); ``api.log_tail()`` returns its
end, and a failed start raises with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Final

START_TIMEOUT_S: Final = 40.0
STOP_TIMEOUT_S: Final = 15.0
_POLL_S: Final = 0.05


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def http_status(host: str, port: int, path: str, limit_s: float = 2.0) -> int | None:
    """The status of ``GET path`` on ``host:port`` (``None`` when nothing answers)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), limit_s)
    except (OSError, TimeoutError):
        return None
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), limit_s)
        parts = line.split()
        return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None
    except (OSError, TimeoutError, ValueError):
        return None
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


class ApiServer:
    """The real API as a subprocess (`python -m eventlog_api serve`) on a loopback port."""

    def __init__(
        self,
        database_url: str,
        *,
        port: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.env = dict(env or {})
        self._process: subprocess.Popen[bytes] | None = None
        self._log_dir = Path(tempfile.mkdtemp(prefix="eventlog-api-"))
        self.log_path = self._log_dir / "api.log"
        self._log_file: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        """The process id while running."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        """True while the process is alive."""
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines the server wrote."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    async def start(self) -> None:
        """Spawn the server and wait (bounded) until ``/v1/healthcheck`` answers 200."""
        if self.running:
            return
        env = {
            **os.environ,
            "EVENTLOG_DATABASE_URL": self.database_url,
            "EVENTLOG_LOG_FORMAT": "json",
            **self.env,
        }
        self._log_file = self.log_path.open("ab")
        # Popen returns at once; a plain Popen (not asyncio's) works from any event loop.
        self._process = subprocess.Popen(  # noqa: ASYNC220
            [
                sys.executable,
                "-m",
                "eventlog_api",
                "serve",
                "--host",
                self.host,
                "--port",
                str(self.port),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                self._close_log()
                self._process = None
                raise RuntimeError(
                    f"the API exited with status {code} while starting:\n{self.log_tail()}"
                )
            if await http_status(self.host, self.port, "/v1/healthcheck") == 200:
                return
            await asyncio.sleep(_POLL_S)
        await self.kill()
        raise TimeoutError(
            f"the API did not answer /v1/healthcheck within {START_TIMEOUT_S:g} s:\n"
            f"{self.log_tail()}"
        )

    async def stop(self) -> None:
        """SIGTERM, then wait (bounded) for a graceful exit; SIGKILL if it hangs."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            if not await self._wait(process, STOP_TIMEOUT_S):
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await self._wait(process, STOP_TIMEOUT_S)
        self._process = None
        self._close_log()

    async def kill(self) -> None:
        """SIGKILL at once (for fault tests) and reap the process."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await self._wait(process, STOP_TIMEOUT_S)
        self._process = None
        self._close_log()

    async def restart(self) -> None:
        """Stop and start again on the same port."""
        await self.stop()
        await self.start()

    async def __aenter__(self) -> ApiServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @staticmethod
    async def _wait(process: subprocess.Popen[bytes], limit_s: float) -> bool:
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return True
            await asyncio.sleep(_POLL_S)
        return process.poll() is not None

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
