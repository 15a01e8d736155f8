"""Spillover: append-only JSONL segment files that hold events the API could not take.

Layout: one folder per API URL; files named ``spill-<ns time>-<pid>-<rand>.jsonl`` so
that sorting by name replays the oldest first. Each line is one encoded event (with
its ``idempotencyKey``), written with a single ``write`` per call; a failed write is
truncated away so a segment never holds half an event written by a live process.

A crash can still leave a torn last line (the process died inside ``write``). The
reader skips a line without its newline and any line that does not decode, and reports
how many, so the loss is counted.

Ownership between processes sharing the folder: the writer holds an exclusive
``flock`` on its open segment, and a replayer claims a segment with a non-blocking
``flock`` before reading it, so nobody replays a segment that is still being written
or that another process is replaying. The byte and event caps are tracked per process
(seeded by a scan of the folder at open), so with several writers they are approximate.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
from eventlog_schemas import EventLogEntry, decoder_for

RESCAN_INTERVAL_S = 1.0
"""At most this often, a full store recounts the folder before refusing events."""
SEGMENT_PREFIX = "spill-"
SEGMENT_SUFFIX = ".jsonl"
_READ_CHUNK = 1024 * 1024


@dataclass(kw_only=True, slots=True)
class SegmentContents:
    """What reading one segment found."""

    lines: list[bytes] = field(default_factory=list)
    """Complete, decodable events, oldest first (without the newline)."""
    torn: int = 0
    """A last line without its newline (the writer died mid-write)."""
    corrupt: int = 0
    """Complete lines that are not JSON."""
    invalid: int = 0
    """JSON lines that are not a valid event."""


@dataclass(frozen=True, slots=True)
class AppendResult:
    """How many of the offered lines were stored, and why the rest were not."""

    stored: int
    over_cap: int


class ClaimedSegment:
    """A segment this process holds the lock of, for replay."""

    def __init__(self, store: SpilloverStore, path: Path, fd: int, size: int) -> None:
        self._store = store
        self.path = path
        self._fd = fd
        self._size = size
        self._events_at_claim = 0
        self._released = False

    def read(self) -> SegmentContents:
        """Read and check every line (see the module docstring for torn lines)."""
        os.lseek(self._fd, 0, os.SEEK_SET)
        chunks: list[bytes] = []
        while True:
            chunk = os.read(self._fd, _READ_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
        data = b"".join(chunks)
        contents = SegmentContents()
        pieces = data.split(b"\n")
        # The piece after the last newline is empty for a clean file, else a torn line.
        tail = pieces.pop()
        if tail.strip():
            contents.torn += 1
        decoder = decoder_for(EventLogEntry)
        for piece in pieces:
            line = piece.strip()
            if not line:
                continue
            try:
                decoder.decode(line)
            except msgspec.DecodeError:  # ValidationError is a DecodeError too
                # Validation can fail before the parser reaches broken syntax; tell a
                # damaged line from a well-formed but invalid event.
                if _is_json(line):
                    contents.invalid += 1
                else:
                    contents.corrupt += 1
                continue
            contents.lines.append(line)
        self._events_at_claim = len(pieces) + (1 if tail.strip() else 0)
        return contents

    def finish(self) -> None:
        """Every event of the segment is dealt with: delete it."""
        if self._released:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            self._close()
            self._store.forget(self._size, self._events_at_claim)

    def keep(self, remaining: Sequence[bytes]) -> None:
        """Only ``remaining`` is left to send: rewrite the segment with just those lines.

        Written to a temporary file and renamed over the segment, so a crash leaves
        either the old or the new contents, never a mix.
        """
        if self._released:
            return
        if not remaining:
            self.finish()
            return
        data = b"".join(line + b"\n" for line in remaining)
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)
            # The old contents stay; events already delivered will be sent again and
            # deduplicated by their idempotencyKey.
            self._close()
            raise
        self._close()
        self._store.forget(self._size - len(data), self._events_at_claim - len(remaining))

    def release(self) -> None:
        """Give the segment back untouched."""
        if not self._released:
            self._close()

    def _close(self) -> None:
        self._released = True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)


def _is_json(line: bytes) -> bool:
    try:
        msgspec.json.decode(line)
    except msgspec.DecodeError:
        return False
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class SpilloverStore:
    """The spillover folder of one logger: append, cap, claim, read, delete."""

    def __init__(
        self, directory: Path, *, max_bytes: int, max_events: int, segment_bytes: int
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.max_events = max_events
        self.segment_bytes = segment_bytes
        self._pending_bytes = 0
        self._pending_events = 0
        self._active_fd: int | None = None
        self._active_path: Path | None = None
        self._active_size = 0
        self._opened = False
        self._last_rescan = 0.0

    # --- totals ----------------------------------------------------------------------

    @property
    def pending_events(self) -> int:
        """Events waiting in the folder (as far as this process knows)."""
        return self._pending_events

    @property
    def pending_bytes(self) -> int:
        """Bytes waiting in the folder (as far as this process knows)."""
        return self._pending_bytes

    def forget(self, size: int, events: int) -> None:
        """A claimed segment shrank by ``size`` bytes and ``events`` lines."""
        # Another process may have replayed files this one counted: never go below zero.
        self._pending_bytes = max(0, self._pending_bytes - size)
        self._pending_events = max(0, self._pending_events - events)

    # --- lifecycle -------------------------------------------------------------------

    def open(self) -> None:
        """Create the folder and count what earlier runs left in it."""
        if self._opened:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rescan()
        self._opened = True

    def rescan(self) -> None:
        """Recount the folder's bytes and events from disk.

        Other processes sharing the folder replay (and delete) segments this process
        counted; the cap check recounts before it refuses anything.
        """
        total_bytes = 0
        total_events = 0
        for path in self._segment_paths():
            try:
                size, lines = _count_lines(path)
            except OSError:
                continue
            total_bytes += size
            total_events += lines
        self._pending_bytes = total_bytes
        self._pending_events = total_events
        self._last_rescan = time.monotonic()

    def close(self) -> None:
        """Seal the open segment (it becomes replayable by anyone)."""
        self.seal()

    def seal(self) -> None:
        """Close the segment being written; the next append starts a new one."""
        fd, self._active_fd = self._active_fd, None
        self._active_path = None
        self._active_size = 0
        if fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def abandon_after_fork(self) -> None:
        """In a forked child: drop the parent's open segment without touching its lock.

        The lock belongs to the open file the parent still holds; closing our copy of the
        descriptor does not release it, so the parent keeps writing undisturbed.
        """
        fd, self._active_fd = self._active_fd, None
        self._active_path = None
        self._active_size = 0
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    # --- writing ---------------------------------------------------------------------

    def room_for(self, count: int, size: int) -> bool:
        """Would ``count`` more lines of ``size`` bytes fit under both caps?"""
        return (
            self._pending_events + count <= self.max_events
            and self._pending_bytes + size <= self.max_bytes
        )

    def append(self, lines: Sequence[bytes]) -> AppendResult:
        """Append as many of ``lines`` as the caps allow, in order, in one write.

        Raises ``OSError`` when the write fails (nothing of this call is left on disk).
        """
        if not self._opened:
            self.open()
        if (
            lines
            and not self.room_for(1, len(lines[0]) + 1)
            and time.monotonic() - self._last_rescan >= RESCAN_INTERVAL_S
        ):
            self.rescan()
        chunks: list[bytes] = []
        size = 0
        events = self._pending_events
        total = self._pending_bytes
        for line in lines:
            entry = len(line) + 1
            if events + 1 > self.max_events or total + entry > self.max_bytes:
                break
            chunks.append(line)
            chunks.append(b"\n")
            events += 1
            total += entry
            size += entry
        stored = len(chunks) // 2
        if stored:
            fd = self._active()
            before = self._active_size
            try:
                _write_all(fd, b"".join(chunks))
            except OSError:
                # Leave no partial line behind: the events are counted as not stored.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, before)
                self.seal()
                raise
            self._active_size += size
            self._pending_bytes += size
            self._pending_events += stored
            if self._active_size >= self.segment_bytes:
                self.seal()
        return AppendResult(stored=stored, over_cap=len(lines) - stored)

    def _active(self) -> int:
        if self._active_fd is not None:
            return self._active_fd
        name = (
            f"{SEGMENT_PREFIX}{time.time_ns():020d}-{os.getpid()}-"
            f"{secrets.token_hex(3)}{SEGMENT_SUFFIX}"
        )
        path = self.directory / name
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL
        try:
            fd = os.open(path, flags, 0o600)
        except FileNotFoundError:  # the folder was removed while we ran: make it again
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, flags, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise
        self._active_fd = fd
        self._active_path = path
        self._active_size = 0
        return fd

    # --- replay ----------------------------------------------------------------------

    def _segment_paths(self) -> list[Path]:
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        return [
            self.directory / n
            for n in sorted(names)
            if n.startswith(SEGMENT_PREFIX) and n.endswith(SEGMENT_SUFFIX)
        ]

    def replayable(self) -> list[Path]:
        """Segments that are not being written by this process, oldest first."""
        return [p for p in self._segment_paths() if p != self._active_path]

    def claim(self, path: Path) -> ClaimedSegment | None:
        """Lock a segment for replay; ``None`` when it is gone or someone else holds it."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        stat = os.fstat(fd)
        if stat.st_nlink == 0:  # replayed and deleted by someone else meanwhile
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            return None
        return ClaimedSegment(self, path, fd, stat.st_size)


def _count_lines(path: Path) -> tuple[int, int]:
    size = 0
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_CHUNK):
            size += len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1  # a torn tail still counts until replay reads and reports it
    return size, lines
