"""Connections to the database over aioodbc: a reader pool, a writer pool, one executor.

Every unit of work is a plain function over a ``pyodbc.Connection`` that runs in the
pool's own thread-pool executor in one hop (``await db.read(fn)`` / ``await
db.write(fn)``), so a transaction of several statements costs one thread switch, not one
per statement.

- Readers are in autocommit mode, so a read never leaves PostgreSQL "idle in
  transaction".
- Writers are transactional: the function commits; on any error the transaction is
  rolled back. SQLite gets exactly one writer connection (one writer per file).
- SQLite's WAL is checkpointed by a background task from a reader connection, not by
  the committing writer (see ``checkpoints``).
- A dead connection (the database restarted, the link broke) is discarded, every idle
  connection of the pool with it (they died together), and the work is retried once on
  a fresh connection. If that fails too, ``DatabaseUnavailable`` tells the HTTP layer to
  answer 503 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aioodbc
import pyodbc
import structlog

from eventlog_api._private.settings import DatabaseTarget, Dialect

from .checkpoints import WRITER_AUTOCHECKPOINT_PAGES, WalCheckpointer
from .errors import DatabaseUnavailable, is_dead_connection

T = TypeVar("T")
Work = Callable[[pyodbc.Connection], T]

log = structlog.get_logger("eventlog_api.storage")

DEFAULT_WORK_TIMEOUT_S = 30.0
"""How long one unit of work may take before the caller gets ``DatabaseUnavailable``."""

CLOSE_TIMEOUT_S = 10.0
"""How long closing waits for database work in flight."""

APPLICATION_NAME = "eventlog-api"
"""How the API's database sessions name themselves (PostgreSQL ``application_name``)."""


def _raw(conn: aioodbc.Connection) -> pyodbc.Connection:
    # aioodbc wraps every call in its own executor hop; a unit of work runs as one hop on
    # the underlying pyodbc connection instead (the connection is ours while it runs).
    raw: pyodbc.Connection = conn._conn
    return raw


class Transactions(enum.Enum):
    """How a pool's units of work get their transactions."""

    NONE = "none"
    """Autocommit: every statement stands alone (readers)."""
    DRIVER = "driver"
    """Autocommit off; the driver's commit and rollback (SQLite, SQL Server writers)."""
    EXPLICIT = "explicit"
    """Autocommit on, with BEGIN / COMMIT / ROLLBACK statements (PostgreSQL writers).

    psqlODBC's own commit (SQLEndTran) was seen to report success for a COMMIT that a
    broken link lost, which would acknowledge events that were never stored; a COMMIT
    statement reports that failure like any other statement does.
    """


class _Pool:
    """A small pool of aioodbc connections with one mode (autocommit or transactional)."""

    def __init__(
        self,
        name: str,
        target: DatabaseTarget,
        size: int,
        *,
        transactions: Transactions,
        executor: ThreadPoolExecutor,
        connect_timeout_s: float,
        work_timeout_s: float,
        on_connect: Callable[[pyodbc.Connection], None],
    ) -> None:
        self.name = name
        self._work_timeout_s = work_timeout_s
        self._target = target
        self._size = size
        self._transactions = transactions
        # Explicit BEGIN/COMMIT statements run on an autocommit connection.
        self._autocommit = transactions is not Transactions.DRIVER
        self._broken: set[int] = set()
        self._executor = executor
        self._connect_timeout_s = connect_timeout_s
        self._on_connect = on_connect
        self._idle: collections.deque[aioodbc.Connection] = collections.deque()
        self._slots = asyncio.Semaphore(size)
        self._closed = False
        self._generation = 0
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def size(self) -> int:
        return self._size

    async def _connect(self) -> aioodbc.Connection:
        timeout = max(1, int(self._connect_timeout_s))

        async def after_created(raw: pyodbc.Connection) -> None:
            # Same executor thread hop as aioodbc's own calls; the hook is quick.
            await asyncio.get_running_loop().run_in_executor(self._executor, self._on_connect, raw)

        try:
            return await asyncio.wait_for(
                aioodbc.connect(
                    dsn=self._target.odbc,
                    autocommit=self._autocommit,
                    timeout=timeout,
                    executor=self._executor,
                    after_created=after_created,
                ),
                timeout=self._connect_timeout_s + 1,
            )
        except (pyodbc.Error, TimeoutError, OSError) as exc:
            raise DatabaseUnavailable(f"cannot connect to the database: {_short(exc)}") from exc

    def _in_transaction(self, work: Work[T]) -> Work[T]:
        """``work`` between BEGIN and COMMIT; rolled back when it raises."""
        explicit = self._transactions is Transactions.EXPLICIT
        broken = self._broken

        def run(raw: pyodbc.Connection) -> T:
            if explicit:
                raw.execute("BEGIN")
            try:
                result = work(raw)
                if explicit:
                    raw.execute("COMMIT")
                else:
                    raw.commit()
            except BaseException:
                try:
                    if explicit:
                        raw.execute("ROLLBACK")
                    else:
                        raw.rollback()
                except Exception:
                    broken.add(id(raw))  # the pool discards it
                raise
            return result

        return run

    async def run(
        self,
        work: Work[T],
        *,
        retry: bool = True,
        transaction: bool = True,
        bounded: bool = True,
    ) -> T:
        if self._closed:
            raise DatabaseUnavailable("the database pool is closed")
        if transaction and self._transactions is not Transactions.NONE:
            work = self._in_transaction(work)
        attempts = 2 if retry else 1
        async with self._slots:
            for attempt in range(attempts):
                conn = self._idle.pop() if self._idle else await self._connect()
                generation = self._generation
                try:
                    result = await asyncio.wait_for(
                        self._run_on(conn, work), timeout=self._work_timeout_s if bounded else None
                    )
                except TimeoutError as exc:
                    # A database that does not answer at all (a hung host, a dropped
                    # network): the connection is closed once its thread gives up, the
                    # idle ones most likely hang too, and the caller gets a 503. Whether a
                    # write committed is unknown; repeating it is safe (idempotent writes).
                    self._flush_idle(generation)
                    log.warning("database work timed out", pool=self.name)
                    raise DatabaseUnavailable(
                        f"the database did not answer within {self._work_timeout_s:g} s"
                    ) from exc
                except asyncio.CancelledError:
                    raise  # _run_on closes the connection once its thread lets go of it
                except BaseException as exc:
                    if is_dead_connection(exc):
                        await self._discard(conn)
                        self._flush_idle(generation)
                        log.warning(
                            "database connection lost",
                            pool=self.name,
                            attempt=attempt + 1,
                            error=_short(exc),
                        )
                        if attempt + 1 < attempts:
                            continue
                        raise DatabaseUnavailable(
                            f"the database connection was lost: {_short(exc)}"
                        ) from exc
                    await self._recover(conn)
                    raise
                self._idle.append(conn)
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    async def _run_on(self, conn: aioodbc.Connection, work: Work[T]) -> T:
        loop = asyncio.get_running_loop()
        raw = _raw(conn)
        future = loop.run_in_executor(self._executor, work, raw)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # The thread still owns the connection (a hung database can hold it for long):
            # let the cancellation through now, so that timeouts such as readiness's 3 s
            # hold, and close the connection when the thread is done with it - it never
            # goes back to the pool mid-statement.
            future.add_done_callback(lambda _: self._close_later(conn))
            raise

    def _close_later(self, conn: aioodbc.Connection) -> None:
        task = asyncio.get_running_loop().create_task(self._discard(conn))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _recover(self, conn: aioodbc.Connection) -> None:
        """After a failed unit of work: keep the connection only if it rolled back cleanly."""
        raw_id = id(_raw(conn))
        if raw_id in self._broken:
            self._broken.discard(raw_id)
            await self._discard(conn)
            return
        if self._transactions is Transactions.DRIVER:
            try:
                await conn.rollback()
            except Exception:
                await self._discard(conn)
                return
        self._idle.append(conn)

    async def _discard(self, conn: aioodbc.Connection) -> None:
        with contextlib.suppress(Exception):
            await conn.close()

    def _flush_idle(self, generation: int) -> None:
        # Connections opened before the failure most likely died with it.
        if generation != self._generation:
            return
        self._generation += 1
        stale = list(self._idle)
        self._idle.clear()
        for conn in stale:
            self._close_later(conn)

    async def close(self, timeout_s: float) -> bool:
        """Close every connection; False when work in flight outlived ``timeout_s``."""
        self._closed = True

        async def drain() -> None:
            for _ in range(self._size):
                await self._slots.acquire()

        try:
            await asyncio.wait_for(drain(), timeout_s)
        except TimeoutError:
            log.warning("database work still running at close", pool=self.name)
            finished = False
        else:
            finished = True
        while self._idle:
            await self._discard(self._idle.pop())
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=timeout_s)
        return finished


class Database:
    """The API's connections to one database; open once per process, close at exit."""

    def __init__(
        self,
        target: DatabaseTarget,
        *,
        readers: int,
        writers: int,
        connect_timeout_s: float = 5.0,
        work_timeout_s: float = DEFAULT_WORK_TIMEOUT_S,
    ) -> None:
        self.target = target
        self.dialect: Dialect = target.dialect
        self._readers = readers
        self._writers = 1 if target.dialect is Dialect.SQLITE else writers
        self._connect_timeout_s = connect_timeout_s
        self._work_timeout_s = work_timeout_s
        self._executor: ThreadPoolExecutor | None = None
        self._reader: _Pool | None = None
        self._writer: _Pool | None = None
        self._checkpointer: WalCheckpointer | None = None

    @property
    def writers(self) -> int:
        """How many writer connections (and so concurrent write transactions) there are."""
        return self._writers

    async def open(self) -> None:
        """Prepare the pools; connections open lazily, so a database that is down is fine."""
        if self._executor is not None:
            return
        # One thread per connection, twice over, plus one: a unit of work never waits for a
        # thread while holding a connection, and threads stuck on a hung database (their
        # work timed out, their connection is closed when they return) do not starve the
        # fresh connections that replace them.
        self._executor = ThreadPoolExecutor(
            max_workers=2 * (self._readers + self._writers) + 1, thread_name_prefix="eventlog-db"
        )
        common: dict[str, Any] = {
            "executor": self._executor,
            "connect_timeout_s": self._connect_timeout_s,
            "work_timeout_s": self._work_timeout_s,
            "on_connect": self._prepare,
        }
        writes = (
            Transactions.EXPLICIT if self.dialect is Dialect.POSTGRESQL else Transactions.DRIVER
        )
        self._reader = _Pool(
            "reader", self.target, self._readers, transactions=Transactions.NONE, **common
        )
        self._writer = _Pool("writer", self.target, self._writers, transactions=writes, **common)
        if self.dialect is Dialect.SQLITE:
            self._checkpointer = WalCheckpointer(self.read)
            self._checkpointer.start()

    async def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Close every connection and the executor (bounded: a hung database cannot
        hold the process at exit)."""
        if self._checkpointer is not None:
            await self._checkpointer.stop(timeout_s)
            self._checkpointer = None
        finished = True
        for pool in (self._writer, self._reader):
            if pool is not None:
                finished = await pool.close(timeout_s) and finished
        if self._executor is not None:
            self._executor.shutdown(wait=finished, cancel_futures=True)
        self._executor = self._reader = self._writer = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def read(self, work: Work[T]) -> T:
        """Run ``work`` on an autocommit reader connection."""
        if self._reader is None:
            raise DatabaseUnavailable("the database is not open")
        return await self._reader.run(work)

    async def write(self, work: Work[T], *, retry: bool = True) -> T:
        """Run ``work`` in one transaction on a writer connection and commit it.

        ``work`` must not commit or roll back itself: the transaction is begun before it,
        committed after it, and rolled back if it raises. With ``retry``, a dead
        connection is replaced and the whole transaction runs once more; pass
        ``retry=False`` when ``work`` is not safe to repeat after an unknown outcome.
        """
        if self._writer is None:
            raise DatabaseUnavailable("the database is not open")
        result = await self._writer.run(work, retry=retry)
        if self._checkpointer is not None:
            self._checkpointer.note_write()
        return result

    async def session(self, work: Work[T], *, bounded: bool = True) -> T:
        """Run ``work`` on a writer connection that manages its own transactions.

        For migrations: use ``begin``/``commit``/``rollback`` of this module, which work
        whatever the connection's autocommit mode is. With ``bounded=False`` the work may
        take as long as it takes (a migration over a large table).
        """
        if self._writer is None:
            raise DatabaseUnavailable("the database is not open")
        return await self._writer.run(work, retry=True, transaction=False, bounded=bounded)

    async def fetchall(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Run one query on a reader and return every row as a tuple."""

        def work(conn: pyodbc.Connection) -> list[tuple[Any, ...]]:
            return [tuple(row) for row in conn.execute(sql, *params).fetchall()]

        return await self.read(work)

    async def fetchone(self, sql: str, *params: object) -> tuple[Any, ...] | None:
        """Run one query on a reader and return its first row, or ``None``."""

        def work(conn: pyodbc.Connection) -> tuple[Any, ...] | None:
            row = conn.execute(sql, *params).fetchone()
            return None if row is None else tuple(row)

        return await self.read(work)

    async def fetchval(self, sql: str, *params: object) -> Any:
        """Run one query on a reader and return the first column of its first row."""
        row = await self.fetchone(sql, *params)
        return None if row is None else row[0]

    async def ping(self, timeout_s: float) -> None:
        """``SELECT 1`` within ``timeout_s``; raises ``DatabaseUnavailable`` otherwise."""
        try:
            await asyncio.wait_for(self.fetchval("SELECT 1"), timeout=timeout_s)
        except TimeoutError as exc:
            raise DatabaseUnavailable(
                f"the database did not answer within {timeout_s:g} s"
            ) from exc
        except pyodbc.Error as exc:
            raise DatabaseUnavailable(f"the database did not answer: {_short(exc)}") from exc

    def _prepare(self, raw: pyodbc.Connection) -> None:
        """Per-connection set-up: UTF-8 text, UTC sessions, dialect pragmas."""
        prepare_connection(raw, self.dialect)


def begin(raw: pyodbc.Connection) -> None:
    """Start a transaction (a statement on an autocommit connection, else implicit)."""
    if raw.autocommit:
        raw.execute("BEGIN")


def commit(raw: pyodbc.Connection) -> None:
    """Commit the transaction ``begin`` started."""
    if raw.autocommit:
        raw.execute("COMMIT")
    else:
        raw.commit()


def rollback(raw: pyodbc.Connection) -> None:
    """Roll back the transaction ``begin`` started."""
    if raw.autocommit:
        raw.execute("ROLLBACK")
    else:
        raw.rollback()


def prepare_connection(raw: pyodbc.Connection, dialect: Dialect) -> None:
    """Make a fresh pyodbc connection ready for the storage layer."""
    if dialect is Dialect.SQLITE:
        raw.setdecoding(pyodbc.SQL_CHAR, encoding="utf-8")
        raw.setdecoding(pyodbc.SQL_WCHAR, encoding="utf-8")
        raw.setencoding(encoding="utf-8")
        autocommit = raw.autocommit
        raw.autocommit = True
        # The driver's JournalMode=WAL is per-connection; say it again to be sure. The
        # writer checkpoints by itself only as a backstop (Database checkpoints in the
        # background).
        raw.execute("PRAGMA journal_mode=WAL").fetchall()
        raw.execute(f"PRAGMA wal_autocheckpoint={WRITER_AUTOCHECKPOINT_PAGES}").fetchall()
        raw.execute("PRAGMA temp_store=MEMORY")
        raw.execute("PRAGMA cache_size=-32000")
        raw.autocommit = autocommit
    elif dialect is Dialect.POSTGRESQL:
        autocommit = raw.autocommit
        raw.autocommit = True
        raw.execute("SET TIME ZONE 'UTC'")
        # Names the API's sessions in pg_stat_activity (operations, fault tests).
        raw.execute(f"SET application_name = '{APPLICATION_NAME}'")
        raw.autocommit = autocommit
    else:
        raw.setdecoding(pyodbc.SQL_CHAR, encoding="utf-8")
        raw.setdecoding(pyodbc.SQL_WCHAR, encoding="utf-16le")
        raw.setencoding(encoding="utf-16le")


def _short(exc: BaseException) -> str:
    text = " ".join(str(a) for a in exc.args[1:2]) if len(exc.args) > 1 else str(exc)
    return (text or type(exc).__name__)[:300]
