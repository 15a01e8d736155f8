"""The shared fixtures themselves work: a scratch database is real and empty."""

from __future__ import annotations

import asyncpg
import pytest


@pytest.mark.postgres
async def test_scratch_database_is_fresh(postgres_database: str) -> None:
    conn = await asyncpg.connect(postgres_database)
    try:
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
    finally:
        await conn.close()
    assert tables == 0
