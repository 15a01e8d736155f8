"""Classifying driver errors: dead connections, unique violations, transient conflicts.

pyodbc raises a handful of exception classes whose first argument is the SQLSTATE and
whose message carries the driver's text; psqlODBC sometimes reports a broken link as a
``ProgrammingError`` whose SQLSTATE is hidden in the text, so both are inspected.
"""

from __future__ import annotations

from typing import Final

import pyodbc

# 08xxx: connection exceptions; 57P01-03: PostgreSQL shutting down / starting up;
# HYT01: connection timeout.
_DEAD_STATES: Final = ("08", "57P01", "57P02", "57P03", "HYT01")
_DEAD_MARKERS: Final = (
    "08s01",
    "08001",
    "08003",
    "08006",
    "57p01",
    "57p02",
    "57p03",
    "server closed the connection",
    "no connection to the server",
    "terminating connection",
    "connection has been lost",
    "connection lost",
    "could not connect",
    "connection refused",
    "could not send",
    "could not receive",
    "connection is closed",
    "connection not open",
    "the database system is shutting down",
    "the database system is starting up",
    "communication link failure",
    "tcp provider",
    "attempt to use a closed connection",
    "the connection is broken",
    "ssl syscall error",
)
_UNIQUE_MARKERS: Final = (
    "23505",
    "unique constraint failed",
    "duplicate key",
    "violation of unique key",
    "cannot insert duplicate key",
)
_TRANSIENT_MARKERS: Final = (
    "40p01",
    "40001",
    "deadlock",
    "could not serialize",
    "database is locked",
    "database table is locked",
)


class StorageError(Exception):
    """A storage operation failed for a reason the caller may want to tell apart."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached (down, restarting, or every retry failed).

    The HTTP layer answers 503 with ``Retry-After``: the request may simply be repeated.
    """


class UniqueViolation(StorageError):
    """A unique constraint rejected the write (the HTTP layer answers 409)."""


class NotMigrated(DatabaseUnavailable):
    """The schema is not there yet (migrations still pending or failing)."""


def _text(exc: BaseException) -> str:
    return " ".join(str(arg) for arg in getattr(exc, "args", ())).lower()


def sqlstate(exc: BaseException) -> str:
    """The SQLSTATE a pyodbc error carries, or ``""``."""
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], str) and len(args[0]) == 5:
        return args[0].upper()
    return ""


def is_dead_connection(exc: BaseException) -> bool:
    """True when ``exc`` means the connection is unusable and must be discarded."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if not isinstance(exc, pyodbc.Error):
        return False
    state = sqlstate(exc)
    if state.startswith(_DEAD_STATES):
        return True
    text = _text(exc)
    return any(marker in text for marker in _DEAD_MARKERS)


def is_unique_violation(exc: BaseException) -> bool:
    """True when ``exc`` is a unique or primary-key violation."""
    if not isinstance(exc, pyodbc.Error):
        return False
    if sqlstate(exc) == "23505":
        return True
    text = _text(exc)
    return any(marker in text for marker in _UNIQUE_MARKERS)


def is_transient(exc: BaseException) -> bool:
    """True for deadlocks, serialisation failures and SQLite's busy/locked errors."""
    if not isinstance(exc, pyodbc.Error):
        return False
    if sqlstate(exc) in ("40001", "40P01"):
        return True
    text = _text(exc)
    return any(marker in text for marker in _TRANSIENT_MARKERS)
