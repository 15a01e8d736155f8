"""Fixtures shared by every test package."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support import postgres
from support.api_server import ApiServer
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


@pytest.fixture
async def sqlite_api(tmp_path: Path) -> AsyncIterator[ApiServer]:
    """The real API (subprocess, loopback port) on a fresh SQLite file."""
    async with ApiServer(f"sqlite:///{tmp_path / 'eventlog.db'}") as server:
        yield server


@pytest.fixture
async def postgres_api(postgres_database: str) -> AsyncIterator[ApiServer]:
    """The real API (subprocess, loopback port) on a fresh PostgreSQL database."""
    async with ApiServer(postgres_database) as server:
        yield server
