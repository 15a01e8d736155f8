"""``Storage``: the one object the HTTP layer talks to for everything in the database.

It owns the connections (``Database``), the dialect's write SQL, the group committer and
the schema state (migrated or not). The read side hangs its queries off ``storage.reads``
(see ``reads.py``), built on ``storage.database``.

Open it once per process (the Litestar lifespan) and close it at exit. It opens even
when the database is down: migrations then run in the background until they succeed,
readiness answers 503 meanwhile, and every storage call raises ``DatabaseUnavailable``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import pyodbc
import structlog
from eventlog_schemas import (
    CorrelationLinkRequest,
    CreateProcessRequest,
    UpdateProcessRequest,
    format_timestamp,
    utc_now,
)
from msgspec import UNSET

from eventlog_api._private.settings import Dialect, Settings

from .database import Database
from .dialects.base import LinkRow, ProcessRow, WriteDialect
from .dialects.mssql import MssqlWrites
from .dialects.postgresql import PostgresWrites
from .dialects.sqlite import SqliteWrites
from .errors import DatabaseUnavailable, NotMigrated, UniqueViolation, is_unique_violation
from .group_commit import GroupCommitter
from .hooks import write_hooks
from .migrations import Migration, migrate, pending_migrations
from .reads import Reads, create_reads
from .rows import Row
from .writer import write_group, write_group_single_statement

log = structlog.get_logger("eventlog_api.storage")

_WRITES: dict[Dialect, type[WriteDialect]] = {
    Dialect.SQLITE: SqliteWrites,
    Dialect.POSTGRESQL: PostgresWrites,
    Dialect.MSSQL: MssqlWrites,
}
_MIGRATE_BACKOFF_S = (0.5, 1.0, 2.0, 5.0)
_CLOSE_TIMEOUT_S = 15.0


def write_dialect(dialect: Dialect) -> WriteDialect:
    """The write SQL of ``dialect``."""
    return _WRITES[dialect]()


class Storage:
    """The API's storage: connections, write path, schema state and the read side."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dialect = settings.database.dialect
        self.database = Database(
            settings.database,
            readers=settings.pool_size,
            writers=settings.writers,
            connect_timeout_s=settings.connect_timeout_s,
            work_timeout_s=settings.query_timeout_s,
        )
        self.sql = write_dialect(self.dialect)
        self.hooks = write_hooks(self.dialect)
        self.committer = GroupCommitter(
            self._write_group,
            writers=self.database.writers,
            max_rows=settings.group_commit_max_rows,
        )
        self.reads: Reads = create_reads(self.database)
        self._migrated = asyncio.Event()
        self._migration_error: str | None = "migrations have not run yet"
        self._migrator: asyncio.Task[None] | None = None
        self._first_attempt = asyncio.Event()

    # -- life cycle -------------------------------------------------------------------

    async def open(self, *, migrate_now: bool = True) -> None:
        """Open the pools and start the writers; migrate (in the background if need be)."""
        if self.dialect is Dialect.SQLITE and self.settings.database.sqlite_path is not None:
            self.settings.database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        await self.database.open()
        self.committer.start()
        if migrate_now:
            self._migrator = asyncio.create_task(self._migrate_until_done(), name="migrate")
            # A reachable database is migrated before the first request; an unreachable one
            # does not hold the start-up: the first attempt fails fast and the task retries.
            await self._first_attempt.wait()
        else:
            self._migrated.set()
            self._migration_error = None

    async def close(self) -> None:
        """Stop the writers (finishing queued writes) and close the connections."""
        if self._migrator is not None:
            self._migrator.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._migrator
            self._migrator = None
        try:
            await asyncio.wait_for(self.committer.stop(), timeout=_CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning("queued writes did not finish before shutdown")
        await self.database.close()

    async def __aenter__(self) -> Storage:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- schema -----------------------------------------------------------------------

    async def migrate(self) -> list[Migration]:
        """Apply pending migrations now; raises on failure."""
        applied = await self.database.session(
            lambda conn: migrate(conn, self.dialect), bounded=False
        )
        self._migration_error = None
        self._migrated.set()
        self._first_attempt.set()
        if applied:
            log.info("schema migrated", applied=[m.version for m in applied])
        return applied

    async def pending(self) -> list[Migration]:
        """Migrations not applied yet."""
        return await self.database.read(lambda conn: pending_migrations(conn, self.dialect))

    async def _migrate_until_done(self) -> None:
        attempt = 0
        while True:
            try:
                await self.migrate()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._migration_error = f"migrations failed: {exc}"[:500]
                self._first_attempt.set()
                delay = _MIGRATE_BACKOFF_S[min(attempt, len(_MIGRATE_BACKOFF_S) - 1)]
                log.warning("migrations failed, will retry", error=str(exc)[:500], retry_in_s=delay)
                attempt += 1
                await asyncio.sleep(delay)

    @property
    def migrated(self) -> bool:
        """True once the schema is up to date."""
        return self._migrated.is_set()

    def require_schema(self) -> None:
        """Raise ``NotMigrated`` (a 503) until the schema is up to date."""
        if not self._migrated.is_set():
            raise NotMigrated(self._migration_error or "the database schema is not ready")

    async def ping(self) -> None:
        """Raise ``DatabaseUnavailable`` unless the database answers within the ready timeout."""
        await self.database.ping(self.settings.ready_timeout_s)
        self.require_schema()

    # -- events -----------------------------------------------------------------------

    async def insert_events(self, rows: list[Row]) -> list[str]:
        """Store the rows of one request; returns their execution ids in order.

        Concurrent calls share transactions (group commit); this returns once the rows
        are committed. Rows with an idempotency key seen before get the stored id.
        """
        self.require_schema()
        return await self.committer.submit(rows)

    async def _write_group(self, rows: Sequence[Row]) -> list[str]:
        if self.sql.single_statement_groups and not self.hooks.batch_statements:
            # One statement, atomic by itself: run it on the autocommit writer session.
            return await self.database.session(
                lambda conn: write_group_single_statement(conn, self.sql, rows)
            )
        return await self.database.write(lambda conn: write_group(conn, self.sql, self.hooks, rows))

    # -- correlation links ------------------------------------------------------------

    async def upsert_link(self, link: CorrelationLinkRequest) -> str:
        """Insert or replace a correlation link; returns its (original) ``linkedAt``."""
        self.require_schema()
        now = format_timestamp(utc_now())

        return await self.database.write(lambda conn: self.sql.upsert_link(conn, link, now))

    async def get_link(self, correlation_id: str) -> LinkRow | None:
        """The link of ``correlation_id``, or ``None``."""
        self.require_schema()
        return await self.database.read(lambda conn: self.sql.get_link(conn, correlation_id))

    # -- process definitions ----------------------------------------------------------

    async def create_process(self, request: CreateProcessRequest) -> ProcessRow:
        """Register a process; raises ``UniqueViolation`` when the name exists."""
        self.require_schema()
        now = format_timestamp(utc_now())

        def work(conn: pyodbc.Connection) -> ProcessRow:
            try:
                return self.sql.insert_process(conn, request, now)
            except pyodbc.Error as exc:
                if is_unique_violation(exc):
                    raise UniqueViolation(
                        f"a process named {request.process_name!r} already exists"
                    ) from None
                raise

        # Not retried after a lost connection: a retry of a committed insert would 409.
        return await self.database.write(work, retry=False)

    async def get_process(self, name: str) -> ProcessRow | None:
        """The definition named ``name``, or ``None``."""
        self.require_schema()
        return await self.database.read(lambda conn: self.sql.get_process(conn, name))

    async def list_processes(self, is_active: bool | None = None) -> list[ProcessRow]:
        """Every definition, optionally filtered by ``isActive``."""
        self.require_schema()
        return await self.database.read(lambda conn: self.sql.list_processes(conn, is_active))

    async def update_process(self, name: str, request: UpdateProcessRequest) -> ProcessRow | None:
        """Apply the fields present in ``request``; ``None`` when ``name`` is unknown."""
        self.require_schema()
        changes: dict[str, object] = {}
        for column in (
            "display_name",
            "description",
            "owning_team",
            "expected_steps",
            "sla_ms",
            "is_active",
        ):
            value = getattr(request, column)
            if value is not UNSET:
                changes[column] = value
        now = format_timestamp(utc_now())

        def work(conn: pyodbc.Connection) -> ProcessRow | None:
            found = self.sql.update_process(conn, name, changes, now)
            return self.sql.get_process(conn, name) if found else None

        return await self.database.write(work)

    # -- maintenance ------------------------------------------------------------------

    async def clear(self) -> None:
        """Delete every event, link, definition and derived row in one transaction."""
        self.require_schema()

        await self.database.write(lambda conn: self.sql.clear(conn, self.hooks.clear_tables))


__all__ = ["DatabaseUnavailable", "Storage", "UniqueViolation", "write_dialect"]
