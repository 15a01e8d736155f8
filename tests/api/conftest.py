"""Fixtures of the API suite: one parametrised backend (SQLite, PostgreSQL, SQL Server).

Every storage and endpoint test runs against the real SQLite ODBC driver and the real
PostgreSQL server (a scratch database per test); SQL Server joins only when
``EVENTLOG_TEST_MSSQL_URL`` is set (its database is shared, so it is cleared first).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from eventlog_api import Settings, create_app, load_settings
from eventlog_api._private.storage.repository import Storage
from litestar import Litestar
from support import postgres

MSSQL_URL_VARIABLE = "EVENTLOG_TEST_MSSQL_URL"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
# SQL Server joins only when a server is configured (test_mssql_configured says so when
# it is not, once, instead of a skip per test).
if os.environ.get(MSSQL_URL_VARIABLE):
    BACKENDS.append(pytest.param("mssql", id="mssql", marks=pytest.mark.mssql))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database kind under test (skips PostgreSQL/SQL Server when unavailable)."""
    name: str = request.param
    if name == "postgres":
        request.getfixturevalue("postgres_server")
    return name


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database of the backend's kind."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'eventlog.db'}"
    elif backend == "postgres":
        async with postgres.scratch_database("eventlog_api_test") as url:
            yield url
    else:
        yield os.environ[MSSQL_URL_VARIABLE]


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    """Extra ``EVENTLOG_*`` settings for one test (override the fixture to change them)."""
    return {}


@pytest.fixture
def settings(database_url: str, settings_overrides: dict[str, str], tmp_path: Path) -> Settings:
    """Settings for the database under test."""
    env = {
        "EVENTLOG_DATABASE_URL": database_url,
        "EVENTLOG_DATA_DIR": str(tmp_path / "data"),
        "EVENTLOG_POOL_SIZE": "4",
        **settings_overrides,
    }
    return load_settings(env)


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    """An open ``Storage`` (migrated; SQL Server's shared database emptied first)."""
    async with Storage(settings) as opened:
        assert opened.migrated, "migrations did not finish"
        if settings.database.dialect.value == "mssql":
            await opened.clear()
        yield opened


@pytest.fixture
def app_factory(settings: Settings) -> Callable[..., Litestar]:
    """Build the app for the settings under test (with changes, if given)."""

    def build(**changes: object) -> Litestar:
        return create_app(replace(settings, **changes), configure_logs=False)

    return build


class AppClient(httpx.AsyncClient):
    """An HTTP client bound to one in-process app (same event loop as the test)."""

    def __init__(self, app: Litestar) -> None:
        super().__init__(transport=httpx.ASGITransport(app=app), base_url="http://eventlog.local")
        self.app = app

    @property
    def storage(self) -> Storage:
        """The app's storage (for checking what was stored)."""
        storage: Storage = self.app.state.storage
        return storage


@pytest.fixture
async def client(app_factory: Callable[..., Litestar]) -> AsyncIterator[AppClient]:
    """An HTTP client on the in-process app (lifespan run: pools open, schema migrated)."""
    app = app_factory()
    async with running(app), AppClient(app) as http:
        assert http.storage.migrated, "migrations did not finish"
        if http.storage.dialect.value == "mssql":
            await http.storage.clear()
        yield http


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """Run the app's lifespan in a task of its own.

    Litestar's lifespan holds an anyio cancel scope, which must be left by the task that
    entered it, while pytest-asyncio sets a fixture up and tears it down in different
    tasks.
    """
    started = asyncio.Event()
    stop = asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED, timeout=60)
    if not started.is_set():
        waiter.cancel()
        await task  # raises what made the start-up fail
        raise RuntimeError("the app did not start")
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=60)
