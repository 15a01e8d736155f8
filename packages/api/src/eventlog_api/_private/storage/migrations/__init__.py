"""Versioned schema migrations, one folder of SQL files per dialect.

A migration is ``<dialect>/NNNN_name.sql``: statements separated by lines that read
``-- go``; a first line ``-- no-transaction`` runs it outside a transaction (SQL Server's
full-text DDL needs that). Versions are shared by the three dialects, so a version that
one dialect does not need is a file that does nothing. Applied versions are recorded in
``schema_migrations`` with a checksum; the run holds a database-wide lock so that several
processes starting at once apply each version exactly once.

To add a migration, add ``NNNN_name.sql`` with the next number to all three folders.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Final

import pyodbc
import structlog

from eventlog_api._private.settings import Dialect
from eventlog_api._private.storage.database import begin, commit, rollback

log = structlog.get_logger("eventlog_api.migrations")

MIGRATIONS_TABLE: Final = "schema_migrations"
_FILE: Final = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_SEPARATOR: Final = re.compile(r"^\s*--\s*go\s*$", re.IGNORECASE | re.MULTILINE)
_PG_LOCK_KEY: Final = 4_242_001  # arbitrary, fixed: the advisory lock of the migration run

_CREATE_TABLE: Final = {
    Dialect.SQLITE: (
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)"
    ),
    Dialect.POSTGRESQL: (
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (version integer PRIMARY KEY, "
        "name text NOT NULL, checksum text NOT NULL, applied_at timestamptz(3) NOT NULL)"
    ),
    Dialect.MSSQL: (
        f"IF OBJECT_ID(N'{MIGRATIONS_TABLE}', N'U') IS NULL CREATE TABLE {MIGRATIONS_TABLE} "
        "(version int NOT NULL PRIMARY KEY, name nvarchar(200) NOT NULL, "
        "checksum char(64) NOT NULL, applied_at datetime2(3) NOT NULL)"
    ),
}
_NOW: Final = {
    Dialect.SQLITE: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    Dialect.POSTGRESQL: "now()",
    Dialect.MSSQL: "SYSUTCDATETIME()",
}


class MigrationError(RuntimeError):
    """A migration failed or the recorded history disagrees with the files."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One versioned migration file of one dialect."""

    version: int
    name: str
    sql: str
    checksum: str
    transactional: bool

    @property
    def statements(self) -> list[str]:
        """The statements of the file, comments-only chunks dropped."""
        chunks = (chunk.strip() for chunk in _SEPARATOR.split(self.sql))
        return [chunk for chunk in chunks if chunk and not _only_comments(chunk)]


def _only_comments(chunk: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in chunk.splitlines())


def load_migrations(dialect: Dialect) -> list[Migration]:
    """Every migration of ``dialect``, in version order."""
    folder = resources.files(__package__).joinpath(dialect.value)
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match is None:
            continue
        sql = entry.read_text(encoding="utf-8")
        found.append(
            Migration(
                version=int(match.group(1)),
                name=match.group(2),
                sql=sql,
                checksum=hashlib.sha256(sql.encode()).hexdigest(),
                transactional=not sql.lstrip().lower().startswith("-- no-transaction"),
            )
        )
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration versions for {dialect.value}: {versions}")
    return found


def applied_versions(conn: pyodbc.Connection, dialect: Dialect) -> dict[int, str]:
    """Recorded versions and their checksums ({} when the table does not exist yet)."""
    try:
        rows = conn.execute(f"SELECT version, checksum FROM {MIGRATIONS_TABLE}").fetchall()
    except pyodbc.Error:
        if not conn.autocommit:
            conn.rollback()  # PostgreSQL refuses further statements in a failed transaction
        return {}
    return {int(row[0]): str(row[1]).strip() for row in rows}


def pending_migrations(conn: pyodbc.Connection, dialect: Dialect) -> list[Migration]:
    """The migrations not applied yet."""
    done = applied_versions(conn, dialect)
    return [m for m in load_migrations(dialect) if m.version not in done]


Progress = Callable[[Migration], None]


def migrate(
    conn: pyodbc.Connection, dialect: Dialect, *, on_applied: Progress | None = None
) -> list[Migration]:
    """Apply every pending migration on ``conn``; return the ones applied by this call.

    ``conn`` may be in either autocommit mode (transactions use ``begin``/``commit``).
    Runs in a worker thread.
    """
    migrations = load_migrations(dialect)
    applied: list[Migration] = []
    _lock(conn, dialect)
    try:
        begin(conn)
        conn.execute(_CREATE_TABLE[dialect])
        commit(conn)
        done = applied_versions(conn, dialect)
        if not conn.autocommit:
            conn.commit()  # end the read's implicit transaction before the DDL
        for migration in migrations:
            recorded = done.get(migration.version)
            if recorded is not None:
                if recorded != migration.checksum:
                    log.warning(
                        "applied migration differs from its file",
                        version=migration.version,
                        name=migration.name,
                    )
                continue
            _apply(conn, dialect, migration)
            applied.append(migration)
            log.info("migration applied", version=migration.version, name=migration.name)
            if on_applied is not None:
                on_applied(migration)
    finally:
        _unlock(conn, dialect)
    return applied


def _apply(conn: pyodbc.Connection, dialect: Dialect, migration: Migration) -> None:
    record = (
        f"INSERT INTO {MIGRATIONS_TABLE} (version, name, checksum, applied_at) "
        f"VALUES (?, ?, ?, {_NOW[dialect]})"
    )
    if not migration.transactional:
        was_autocommit = conn.autocommit
        conn.autocommit = True
        try:
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(record, migration.version, migration.name, migration.checksum)
        except pyodbc.Error as exc:
            raise MigrationError(f"migration {migration.version} failed: {exc}") from exc
        finally:
            conn.autocommit = was_autocommit
        return
    begin(conn)
    try:
        for statement in migration.statements:
            conn.execute(statement)
        conn.execute(record, migration.version, migration.name, migration.checksum)
        commit(conn)
    except pyodbc.Error as exc:
        rollback(conn)
        raise MigrationError(f"migration {migration.version} failed: {exc}") from exc


def _lock(conn: pyodbc.Connection, dialect: Dialect) -> None:
    # A session-level lock held across the per-migration transactions.
    if dialect is Dialect.POSTGRESQL:
        conn.execute("SELECT pg_advisory_lock(?)", _PG_LOCK_KEY).fetchall()
        if not conn.autocommit:
            conn.commit()
    elif dialect is Dialect.MSSQL:
        conn.execute(
            "DECLARE @r int; EXEC @r = sp_getapplock @Resource = N'eventlog_migrations', "
            "@LockMode = N'Exclusive', @LockOwner = N'Session', @LockTimeout = 60000"
        )
        if not conn.autocommit:
            conn.commit()


def _unlock(conn: pyodbc.Connection, dialect: Dialect) -> None:
    try:
        if dialect is Dialect.POSTGRESQL:
            conn.rollback()
            conn.execute("SELECT pg_advisory_unlock(?)", _PG_LOCK_KEY).fetchall()
            conn.commit()
        elif dialect is Dialect.MSSQL:
            conn.rollback()
            conn.execute(
                "EXEC sp_releaseapplock @Resource = N'eventlog_migrations', @LockOwner = N'Session'"
            )
            conn.commit()
    except pyodbc.Error:
        # The lock dies with the session anyway; a failed unlock must not hide the cause.
        log.warning("could not release the migration lock", exc_info=True)
