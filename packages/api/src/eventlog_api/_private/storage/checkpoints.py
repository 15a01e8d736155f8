"""SQLite WAL checkpoints off the writer's path.

In WAL mode every commit appends pages to the ``-wal`` file, and a checkpoint copies
them back into the database file. SQLite's own automatic checkpoint runs inside the
committing writer once the WAL holds ``wal_autocheckpoint`` pages: the one writer
connection then copies and syncs while every request of its group waits (about a third
of the write path's time under batch load, measured with the API's group writes).

Here a task checkpoints from a reader connection instead, shortly after writes, in
``PASSIVE`` mode (it never waits for, nor blocks, the writer or the readers), so the
copying overlaps the writer's next group. The writer's own automatic checkpoint stays as
the backstop at a higher threshold: it is what lets the WAL start over from its
beginning under continuous writes (a passive checkpoint racing the writer rarely
catches up completely), and by then it finds the pages already copied, so it is cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Final

import pyodbc
import structlog

log = structlog.get_logger("eventlog_api.storage")

WRITER_AUTOCHECKPOINT_PAGES: Final = 10_000
"""The writer's backstop: the WAL grows to about 40 MB (4 KiB pages) before the writer
checkpoints by itself (SQLite's default is 1,000 pages)."""

INTERVAL_S: Final = 0.1
"""The least time between two background checkpoints while writes go on."""

Run = Callable[[Callable[[pyodbc.Connection], Any]], Awaitable[Any]]
"""Runs a unit of work on a connection other than the writer's (``Database.read``)."""


def _checkpoint(conn: pyodbc.Connection) -> None:
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


class WalCheckpointer:
    """Checkpoints after writes; open with ``start``, close with ``stop``."""

    def __init__(self, run: Run, *, interval_s: float = INTERVAL_S) -> None:
        self._run = run
        self._interval_s = interval_s
        self._written = asyncio.Event()
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the background task (once)."""
        if self._task is None:
            self._stopped.clear()
            self._task = asyncio.get_running_loop().create_task(
                self._loop(), name="sqlite-wal-checkpoints"
            )

    async def stop(self, timeout_s: float) -> None:
        """Stop the task, letting a checkpoint in flight finish (within ``timeout_s``).

        Cancelling one mid-way would leave its reader connection to be closed after the
        pool is gone.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopped.set()
        self._written.set()
        try:
            await asyncio.wait_for(task, timeout_s)
        except TimeoutError:
            log.warning("background WAL checkpoint still running at close")

    def note_write(self) -> None:
        """A write transaction committed: its pages are in the WAL."""
        self._written.set()

    async def _loop(self) -> None:
        while True:
            await self._written.wait()
            if self._stopped.is_set():
                return
            self._written.clear()
            try:
                await self._run(_checkpoint)
            except Exception as exc:  # the writer's backstop still checkpoints
                log.debug("background WAL checkpoint failed", error=str(exc))
            # A pause between checkpoints that a stop cuts short.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), self._interval_s)
