"""SQLite: the WAL is checkpointed in the background, not by the committing writer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgspec
import pytest
from eventlog_api import Settings
from eventlog_api._private.storage.checkpoints import WRITER_AUTOCHECKPOINT_PAGES
from eventlog_api._private.storage.repository import Storage
from eventlog_api._private.storage.rows import event_row
from eventlog_schemas import decode_event
from support.api_events import event


@pytest.fixture
def backend() -> str:
    """SQLite only: the other databases checkpoint on their own."""
    return "sqlite"


def _database_file(settings: Settings) -> Path:
    return settings.data_dir.parent / "eventlog.db"  # the conftest's database_url


async def _size(path: Path) -> int:
    return (await asyncio.to_thread(path.stat)).st_size


async def _store(storage: Storage, count: int) -> None:
    rows = [
        event_row(
            decode_event(
                msgspec.json.encode(event(summary=f"checkpoint test event {n} " + "x" * 200))
            )
        )
        for n in range(count)
    ]
    for start in range(0, count, 200):
        await storage.insert_events(rows[start : start + 200])


async def test_pages_reach_the_database_file_without_the_writer_checkpointing(
    storage: Storage, settings: Settings
) -> None:
    path = _database_file(settings)
    before = await _size(path)
    await _store(storage, 1000)
    # Below the writer's own threshold: only the background task copies pages back.
    assert await _size(Path(f"{path}-wal")) < WRITER_AUTOCHECKPOINT_PAGES * 4096
    for _ in range(100):
        if await _size(path) > before:
            break
        await asyncio.sleep(0.05)
    assert await _size(path) > before, "no checkpoint moved the new pages into the file"
    # Every event is readable, from the file and the WAL alike.
    assert await storage.database.fetchval("SELECT count(*) FROM event_log") == 1000


async def test_every_connection_leaves_checkpoints_to_the_backstop(storage: Storage) -> None:
    pages = await storage.database.fetchval("PRAGMA wal_autocheckpoint")
    assert pages == WRITER_AUTOCHECKPOINT_PAGES


async def test_closing_stops_the_checkpoints(settings: Settings) -> None:
    async with Storage(settings) as opened:
        await _store(opened, 200)
    names = {task.get_name() for task in asyncio.all_tasks()}
    assert "sqlite-wal-checkpoints" not in names
    assert await _size(_database_file(settings)) > 0
