"""The write-side SQL every dialect provides: one interface, one module per database.

Every method is synchronous and runs in the database executor on a connection the
caller owns; transactional methods leave committing to the caller (the write path
commits a whole group at once).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pyodbc
from eventlog_schemas import CorrelationLinkRequest, CreateProcessRequest

from eventlog_api._private.settings import Dialect
from eventlog_api._private.storage.values import to_bool, to_wire_timestamp

PROCESS_COLUMNS = (
    "process_id, process_name, display_name, description, owning_team, expected_steps, "
    "sla_ms, is_active, created_at, updated_at"
)
LINK_COLUMNS = (
    "correlation_id, account_id, application_id, customer_id, card_number_last4, linked_at"
)
BASE_TABLES = ("event_log", "trace_summary", "correlation_links", "process_definitions")
"""The tables the debug clear empties (with any hook tables before them)."""


@dataclass(frozen=True, slots=True)
class ProcessRow:
    """A process definition as stored (timestamps already in the wire format)."""

    process_id: int
    process_name: str
    display_name: str
    description: str
    owning_team: str
    expected_steps: int | None
    sla_ms: int | None
    is_active: bool
    created_at: str
    updated_at: str

    @classmethod
    def from_db(cls, row: Sequence[Any]) -> ProcessRow:
        """Build from a row selected with ``PROCESS_COLUMNS``."""
        return cls(
            process_id=int(row[0]),
            process_name=row[1],
            display_name=row[2],
            description=row[3],
            owning_team=row[4],
            expected_steps=None if row[5] is None else int(row[5]),
            sla_ms=None if row[6] is None else int(row[6]),
            is_active=to_bool(row[7]),
            created_at=to_wire_timestamp(row[8]) or "",
            updated_at=to_wire_timestamp(row[9]) or "",
        )


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A correlation link as stored."""

    correlation_id: str
    account_id: str
    application_id: str | None
    customer_id: str | None
    card_number_last4: str | None
    linked_at: str

    @classmethod
    def from_db(cls, row: Sequence[Any]) -> LinkRow:
        """Build from a row selected with ``LINK_COLUMNS``."""
        return cls(
            correlation_id=row[0],
            account_id=row[1],
            application_id=row[2],
            customer_id=row[3],
            card_number_last4=row[4],
            linked_at=to_wire_timestamp(row[5]) or "",
        )


class WriteDialect(abc.ABC):
    """The write SQL of one database."""

    dialect: ClassVar[Dialect]

    # -- events ---------------------------------------------------------------------

    @abc.abstractmethod
    def insert_events(self, conn: pyodbc.Connection, payload: str, count: int) -> set[str] | None:
        """Insert the rows of ``payload`` (a JSON array of ``count`` rows) in one statement.

        Rows whose ``execution_id`` or ``idempotency_key`` already exists are skipped.
        Returns the execution ids inserted, or ``None`` when every row was inserted.
        """

    json_array_values: ClassVar[str]
    """A subquery over the values of the JSON array bound to its one ``?`` parameter."""

    def lookup_keys(self, conn: pyodbc.Connection, keys_json: str) -> dict[str, str]:
        """``idempotency_key → execution_id`` for the keys in ``keys_json`` that exist."""
        rows = conn.execute(
            "SELECT idempotency_key, execution_id FROM event_log "
            f"WHERE idempotency_key IN ({self.json_array_values})",
            keys_json,
        ).fetchall()
        # strip(): SQL Server returns the fixed-width id column padded
        return {row[0]: str(row[1]).strip() for row in rows}

    def existing_execution_ids(self, conn: pyodbc.Connection, ids_json: str) -> set[str]:
        """The execution ids in ``ids_json`` that are stored."""
        rows = conn.execute(
            f"SELECT execution_id FROM event_log WHERE execution_id IN ({self.json_array_values})",
            ids_json,
        ).fetchall()
        return {str(row[0]).strip() for row in rows}

    @abc.abstractmethod
    def upsert_trace_summaries(self, conn: pyodbc.Connection, payload: str) -> None:
        """Fold the per-trace deltas of ``payload`` into ``trace_summary``."""

    single_statement_groups: ClassVar[bool] = False
    """True when ``insert_group`` stores a group and its trace summaries in one statement,
    which then runs in autocommit mode (no transaction round trips)."""

    def insert_group(
        self, conn: pyodbc.Connection, payload: str, execution_ids: Sequence[str], now: str
    ) -> set[str] | None:
        """Insert the rows and fold them into ``trace_summary`` in ONE statement.

        Only for dialects with ``single_statement_groups``. The rows of ``payload`` carry
        no ``created_at``: every row gets ``now``. ``execution_ids`` are the rows' ids in
        order. Returns ``None`` when every row went in, else the ids of the rows that are
        stored under their own id.
        """
        raise NotImplementedError

    # -- correlation links ------------------------------------------------------------

    @abc.abstractmethod
    def upsert_link(self, conn: pyodbc.Connection, link: CorrelationLinkRequest, now: str) -> str:
        """Insert or replace the link; an update keeps ``linked_at``. Returns ``linked_at``."""

    def get_link(self, conn: pyodbc.Connection, correlation_id: str) -> LinkRow | None:
        """The link of ``correlation_id``, or ``None``."""
        row = conn.execute(
            f"SELECT {LINK_COLUMNS} FROM correlation_links WHERE correlation_id = ?",
            correlation_id,
        ).fetchone()
        return None if row is None else LinkRow.from_db(row)

    # -- process definitions ----------------------------------------------------------

    @abc.abstractmethod
    def insert_process(
        self, conn: pyodbc.Connection, request: CreateProcessRequest, now: str
    ) -> ProcessRow:
        """Insert a definition (a duplicate name raises a unique violation)."""

    def get_process(self, conn: pyodbc.Connection, name: str) -> ProcessRow | None:
        """The definition named ``name``, or ``None``."""
        row = conn.execute(
            f"SELECT {PROCESS_COLUMNS} FROM process_definitions WHERE process_name = ?", name
        ).fetchone()
        return None if row is None else ProcessRow.from_db(row)

    def list_processes(self, conn: pyodbc.Connection, is_active: bool | None) -> list[ProcessRow]:
        """Every definition (optionally only active or inactive ones), by name."""
        sql = f"SELECT {PROCESS_COLUMNS} FROM process_definitions"
        params: list[object] = []
        if is_active is not None:
            sql += " WHERE is_active = ?"
            params.append(self.bool_param(is_active))
        sql += " ORDER BY process_name"
        return [ProcessRow.from_db(row) for row in conn.execute(sql, *params).fetchall()]

    def update_process(
        self, conn: pyodbc.Connection, name: str, changes: dict[str, object], now: str
    ) -> bool:
        """Apply ``changes`` (column → value) and bump ``updated_at``; False if unknown."""
        assignments = [f"{column} = ?" for column in changes]
        params: list[object] = [
            self.bool_param(value) if isinstance(value, bool) else value
            for value in changes.values()
        ]
        assignments.append(f"updated_at = {self.timestamp_param}")
        params.append(now)
        cursor = conn.execute(
            f"UPDATE process_definitions SET {', '.join(assignments)} WHERE process_name = ?",
            *params,
            name,
        )
        return bool(cursor.rowcount and cursor.rowcount > 0)

    # -- maintenance ------------------------------------------------------------------

    def clear(self, conn: pyodbc.Connection, extra_tables: Sequence[str]) -> None:
        """Delete every event, link, definition and derived row (the caller commits)."""
        for table in (*extra_tables, *BASE_TABLES):
            conn.execute(f"DELETE FROM {table}")

    # -- parameter shapes -------------------------------------------------------------

    timestamp_param: ClassVar[str] = "?"
    """How a wire-format timestamp parameter is written in SQL."""

    def bool_param(self, value: bool) -> object:
        """How a boolean is bound."""
        return value
