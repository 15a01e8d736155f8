"""The read side of the storage (read queries, statistics): owned by the read endpoints.

``Storage`` builds one ``Reads`` per process with ``create_reads(database)`` and exposes
it as ``storage.reads``. Queries run with ``await database.read(fn)`` (``fn`` gets an
autocommit ``pyodbc.Connection`` in a worker thread) or ``database.fetchall(sql, ...)``.
``database.dialect`` says which SQL to speak. Timestamps come back as wire text on
SQLite and as naive UTC datetimes elsewhere: ``values.to_wire_timestamp`` formats both.
"""

from __future__ import annotations

from .database import Database


class Reads:
    """Read queries over one database (filled in by the read side)."""

    def __init__(self, database: Database) -> None:
        self.database = database


def create_reads(database: Database) -> Reads:
    """The read side for ``database``."""
    return Reads(database)
