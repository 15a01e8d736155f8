"""Fixtures shared by every test package."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from support import postgres
from support.requirements import require


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of a reachable PostgreSQL server (skips, or fails in CI, without one)."""
    problem = asyncio.run(postgres.server_reachable())
    require("postgres", problem is None, problem or "")
    return postgres.server_url()


@pytest.fixture
async def postgres_database(postgres_server: str) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    async with postgres.scratch_database() as url:
        yield url
