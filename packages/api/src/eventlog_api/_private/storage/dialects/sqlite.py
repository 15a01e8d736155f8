"""SQLite write SQL (Debian's libsqlite3odbc; SQLite with JSON1 and FTS5).

One JSON parameter per group: ``json_each`` walks it and ``->>`` picks the columns
(nested objects come back as JSON text). The driver does not return rows from
``INSERT ... RETURNING``, so the inserted rows are found by rowid: there is exactly one
writer connection per file, so every rowid above the marker taken at the start of the
transaction is ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Final

import pyodbc
from eventlog_schemas import CorrelationLinkRequest, CreateProcessRequest

from eventlog_api._private.settings import Dialect
from eventlog_api._private.storage.rows import EVENT_COLUMNS

from .base import BASE_TABLES, LINK_COLUMNS, PROCESS_COLUMNS, ProcessRow, WriteDialect

_INSERT_EVENTS: Final = (
    f"INSERT INTO event_log ({', '.join(EVENT_COLUMNS)}) SELECT "
    + ", ".join(f"value ->> '$.{column}'" for column in EVENT_COLUMNS)
    # "WHERE true" keeps the parser from reading ON CONFLICT as a join constraint.
    + " FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"
)

_SUMMARY_COLUMNS: Final = (
    "trace_id",
    "first_event_at",
    "last_event_at",
    "event_count",
    "success_count",
    "failure_count",
    "in_progress_count",
    "skipped_count",
    "warning_count",
    "has_success_end",
    "process_name",
    "process_started_at",
    "account_id",
    "account_seen_at",
    "created_at",
    "updated_at",
)


def _earlier(column: str) -> str:
    # Scalar min() is NULL when either side is; the contract wants the earliest known.
    old, new = f"trace_summary.{column}", f"excluded.{column}"
    return f"coalesce(min({old}, {new}), {old}, {new})"


def _first_by(value: str, at: str) -> str:
    return (
        f"CASE WHEN excluded.{at} IS NOT NULL AND (trace_summary.{at} IS NULL "
        f"OR excluded.{at} < trace_summary.{at}) THEN excluded.{value} "
        f"ELSE trace_summary.{value} END"
    )


_UPSERT_SUMMARIES: Final = (
    f"INSERT INTO trace_summary ({', '.join(_SUMMARY_COLUMNS)}) SELECT "
    + ", ".join(f"value ->> '$.{column}'" for column in _SUMMARY_COLUMNS)
    + " FROM json_each(?) WHERE true ON CONFLICT (trace_id) DO UPDATE SET "
    + "first_event_at = min(trace_summary.first_event_at, excluded.first_event_at), "
    + "last_event_at = max(trace_summary.last_event_at, excluded.last_event_at), "
    + ", ".join(
        f"{c} = trace_summary.{c} + excluded.{c}"
        for c in (
            "event_count",
            "success_count",
            "failure_count",
            "in_progress_count",
            "skipped_count",
            "warning_count",
        )
    )
    + ", has_success_end = max(trace_summary.has_success_end, excluded.has_success_end), "
    + f"process_name = {_first_by('process_name', 'process_started_at')}, "
    + f"process_started_at = {_earlier('process_started_at')}, "
    + f"account_id = {_first_by('account_id', 'account_seen_at')}, "
    + f"account_seen_at = {_earlier('account_seen_at')}, "
    + "updated_at = excluded.updated_at"
)


class SqliteWrites(WriteDialect):
    """Write SQL for SQLite."""

    dialect: ClassVar[Dialect] = Dialect.SQLITE
    json_array_values: ClassVar[str] = "SELECT value FROM json_each(?)"

    def insert_events(self, conn: pyodbc.Connection, payload: str, count: int) -> set[str] | None:
        row = conn.execute("SELECT coalesce(max(event_log_id), 0) FROM event_log").fetchone()
        marker = int(row[0]) if row is not None else 0
        inserted = conn.execute(_INSERT_EVENTS, payload).rowcount
        if inserted == count:
            return None
        # Some rows were skipped. This is the only writer of the file, so every rowid
        # above the marker was inserted by this statement.
        rows = conn.execute(
            "SELECT execution_id FROM event_log WHERE event_log_id > ?", marker
        ).fetchall()
        return {r[0] for r in rows}

    def upsert_trace_summaries(self, conn: pyodbc.Connection, payload: str) -> None:
        conn.execute(_UPSERT_SUMMARIES, payload)

    def upsert_link(self, conn: pyodbc.Connection, link: CorrelationLinkRequest, now: str) -> str:
        conn.execute(
            f"INSERT INTO correlation_links ({LINK_COLUMNS}, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (correlation_id) DO UPDATE SET "
            "account_id = excluded.account_id, application_id = excluded.application_id, "
            "customer_id = excluded.customer_id, "
            "card_number_last4 = excluded.card_number_last4, updated_at = excluded.updated_at",
            link.correlation_id,
            link.account_id,
            link.application_id,
            link.customer_id,
            link.card_number_last4,
            now,
            now,
        )
        row = conn.execute(
            "SELECT linked_at FROM correlation_links WHERE correlation_id = ?", link.correlation_id
        ).fetchone()
        return str(row[0]) if row is not None else now

    def insert_process(
        self, conn: pyodbc.Connection, request: CreateProcessRequest, now: str
    ) -> ProcessRow:
        conn.execute(
            "INSERT INTO process_definitions (process_name, display_name, description, "
            "owning_team, expected_steps, sla_ms, is_active, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
            request.process_name,
            request.display_name,
            request.description,
            request.owning_team,
            request.expected_steps,
            request.sla_ms,
            now,
            now,
        )
        row = conn.execute(
            f"SELECT {PROCESS_COLUMNS} FROM process_definitions WHERE process_name = ?",
            request.process_name,
        ).fetchone()
        assert row is not None  # inserted just now, in this transaction
        return ProcessRow.from_db(row)

    def bool_param(self, value: bool) -> object:
        return 1 if value else 0

    def clear(self, conn: pyodbc.Connection, extra_tables: Sequence[str]) -> None:
        # The FTS delete trigger would fire once per row; drop it for the bulk delete,
        # empty the index in one command, and put the trigger back (same transaction).
        trigger = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'event_log_fts_delete'"
        ).fetchone()
        if trigger is not None:
            conn.execute("DROP TRIGGER event_log_fts_delete")
        for table in (*extra_tables, *BASE_TABLES):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("INSERT INTO event_log_fts (event_log_fts) VALUES ('delete-all')")
        if trigger is not None:
            conn.execute(trigger[0])
