"""A throw-away PostgreSQL database per test session, so parallel runs never collide."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    """The PostgreSQL server the tests may use (``EVENTLOG_TEST_POSTGRES_URL``)."""
    return os.environ.get("EVENTLOG_TEST_POSTGRES_URL", DEFAULT_SERVER_URL)


async def server_reachable() -> str | None:
    """``None`` when the server answers, else why not."""
    try:
        conn = await asyncpg.connect(server_url(), timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {server_url()} is not reachable: {exc}"
    await conn.close()
    return None


def with_database(url: str, database: str) -> str:
    """``url`` with its database name replaced."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@asynccontextmanager
async def scratch_database(prefix: str = "eventlog_test") -> AsyncIterator[str]:
    """Create a fresh database, yield its URL, drop it afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(server_url(), timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield with_database(server_url(), name)
    finally:
        admin = await asyncpg.connect(server_url(), timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
