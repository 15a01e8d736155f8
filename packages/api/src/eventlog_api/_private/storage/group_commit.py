"""Group commit: concurrent event writes coalesced into one transaction per writer.

Each request hands its rows to ``submit`` and waits. One task per writer connection
takes everything queued (up to ``max_rows``), writes it as one group and commits, then
answers every request of the group. While a group commits, the next one gathers, so
the batch size follows the load by itself, with no timer. A response is sent only after
its rows are committed.

A writer joins in while other groups are in flight only once the queue holds at least
as many rows as the smallest of them: below that, the rows wait for the next free
writer and go in with whatever else arrives meanwhile. Every group statement has costs
of its own (the statement-level triggers of the read side on ``event_log`` and
``trace_summary`` cost PostgreSQL about 2 ms each), so many small concurrent groups
cost more in all than fewer larger ones, while a real backlog still gets every writer.

Failures stay with their owners: a group that fails for a reason other than the
database being unreachable is retried one request at a time, so one bad request cannot
sink the others. Deadlocks and busy errors are retried a few times first.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

import structlog

from .errors import DatabaseUnavailable, is_dead_connection, is_transient, is_unique_violation
from .rows import Row, dedupe_keys

log = structlog.get_logger("eventlog_api.group_commit")

WriteFn = Callable[[Sequence[Row]], Awaitable[list[str]]]
"""Stores one group of rows in one transaction; returns one execution id per row."""

_TRANSIENT_ATTEMPTS: Final = 4


@dataclass(slots=True)
class _Pending:
    rows: list[Row]
    future: asyncio.Future[list[str]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommitter:
    """Coalesces concurrent writes; open with ``start``, close with ``stop``."""

    def __init__(self, write: WriteFn, *, writers: int, max_rows: int) -> None:
        self._write = write
        self._writers = writers
        self._max_rows = max_rows
        self._queue: collections.deque[_Pending] = collections.deque()
        self._queued_rows = 0
        self._in_flight: list[int] = []  # the row count of each group being written
        self._wakeup = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.groups_committed = 0
        self.rows_committed = 0

    def start(self) -> None:
        """Start one worker per writer connection."""
        if self._tasks:
            return
        self._stopping = False
        self._tasks = [
            asyncio.create_task(self._worker(), name=f"group-commit-{n}")
            for n in range(self._writers)
        ]

    async def stop(self) -> None:
        """Finish what is queued, then stop the workers."""
        self._stopping = True
        self._wakeup.set()
        tasks, self._tasks = self._tasks, []
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        while self._queue:
            pending = self._queue.popleft()
            if not pending.future.done():
                pending.future.set_exception(DatabaseUnavailable("the server is shutting down"))

    async def submit(self, rows: list[Row]) -> list[str]:
        """Store ``rows`` (one request's worth) and return their execution ids in order."""
        if self._stopping or not self._tasks:
            raise DatabaseUnavailable("the server is shutting down")
        pending = _Pending(rows)
        self._queue.append(pending)
        self._queued_rows += len(rows)
        self._wakeup.set()
        return await pending.future

    def _take(self) -> list[_Pending]:
        group: list[_Pending] = []
        count = 0
        while self._queue:
            size = len(self._queue[0].rows)
            if group and count + size > self._max_rows:
                break
            pending = self._queue.popleft()
            self._queued_rows -= size
            if pending.future.done():  # its request was cancelled; nothing to store
                continue
            group.append(pending)
            count += size
        return group

    def _may_start(self) -> bool:
        """True when a free writer should take a group now (see the module docstring)."""
        return (
            not self._in_flight
            or self._stopping
            or self._queued_rows >= min(self._max_rows, *self._in_flight)
        )

    async def _worker(self) -> None:
        while True:
            if not self._queue or not self._may_start():
                if not self._queue and self._stopping:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            group = self._take()
            if not group:
                continue
            if self._queue:
                # More is waiting: let another writer look at it right away.
                self._wakeup.set()
            size = sum(len(p.rows) for p in group)
            self._in_flight.append(size)
            try:
                await self._commit(group)
            finally:
                self._in_flight.remove(size)
                # A writer waiting for a backlog may start now.
                self._wakeup.set()

    async def _commit(self, group: list[_Pending]) -> None:
        try:
            answers = await self._write_with_retries([p.rows for p in group])
        except Exception as exc:
            if len(group) > 1 and not is_dead_connection(exc):
                log.warning("group write failed, retrying its requests one by one", error=str(exc))
                for pending in group:
                    await self._commit([pending])
                return
            for pending in group:
                if not pending.future.done():
                    pending.future.set_exception(exc)
            return
        for pending, answer in zip(group, answers, strict=True):
            if not pending.future.done():
                pending.future.set_result(answer)
        self.groups_committed += 1
        self.rows_committed += sum(len(p.rows) for p in group)

    async def _write_with_retries(self, parts: list[list[Row]]) -> list[list[str]]:
        flat = [row for part in parts for row in part]
        unique, alias = dedupe_keys(flat)
        for attempt in range(_TRANSIENT_ATTEMPTS):
            try:
                stored = await self._write(unique)
                break
            except Exception as exc:
                # A lost race on a unique key (SQL Server) resolves on the next attempt:
                # the write is idempotent, so repeating it is safe.
                retryable = is_transient(exc) or is_unique_violation(exc)
                if attempt + 1 < _TRANSIENT_ATTEMPTS and retryable:
                    await asyncio.sleep(0.01 * 2**attempt)
                    continue
                raise
        else:  # pragma: no cover - the loop always breaks or raises
            raise AssertionError("unreachable")
        answers_flat: list[str] = []
        position = 0
        for index in range(len(flat)):
            if index in alias:
                answers_flat.append(answers_flat[alias[index]])
            else:
                answers_flat.append(stored[position])
                position += 1
        result: list[list[str]] = []
        start = 0
        for part in parts:
            result.append(answers_flat[start : start + len(part)])
            start += len(part)
        return result


async def cancel_quietly(task: asyncio.Task[object]) -> None:
    """Cancel ``task`` and wait for it, swallowing its cancellation."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
