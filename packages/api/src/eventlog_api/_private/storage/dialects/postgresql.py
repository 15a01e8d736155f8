"""PostgreSQL write SQL (psqlODBC, ``Protocol=7.4-1``).

One JSON parameter per group through ``json_to_recordset`` (the fastest form we
measured over ODBC; a nested object assigned to a text column keeps its JSON text), and
``ON CONFLICT DO NOTHING`` so that a repeated execution id or idempotency key never
makes a second row: a concurrent transaction inserting the same key makes this one wait
for its outcome rather than fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Final

import msgspec
import pyodbc
from eventlog_schemas import CorrelationLinkRequest, CreateProcessRequest

from eventlog_api._private.settings import Dialect
from eventlog_api._private.storage.rows import EVENT_COLUMNS
from eventlog_api._private.storage.values import to_wire_timestamp

from .base import BASE_TABLES, PROCESS_COLUMNS, ProcessRow, WriteDialect

_EVENT_TYPES: Final = {
    "step_sequence": "integer",
    "execution_time_ms": "bigint",
    "http_status_code": "integer",
    "event_timestamp": "timestamptz",
    "created_at": "timestamptz",
}

_INSERT_EVENTS: Final = (
    f"INSERT INTO event_log ({', '.join(EVENT_COLUMNS)}) "
    f"SELECT {', '.join(EVENT_COLUMNS)} FROM json_to_recordset(?::json) AS r("
    + ", ".join(f"{c} {_EVENT_TYPES.get(c, 'text')}" for c in EVENT_COLUMNS)
    + ") ON CONFLICT DO NOTHING"
)

_SUMMARY_TYPES: Final = {
    "trace_id": "text",
    "first_event_at": "timestamptz",
    "last_event_at": "timestamptz",
    "event_count": "integer",
    "success_count": "integer",
    "failure_count": "integer",
    "in_progress_count": "integer",
    "skipped_count": "integer",
    "warning_count": "integer",
    "has_success_end": "boolean",
    "process_name": "text",
    "process_started_at": "timestamptz",
    "account_id": "text",
    "account_seen_at": "timestamptz",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
}
_COUNTS: Final = (
    "event_count",
    "success_count",
    "failure_count",
    "in_progress_count",
    "skipped_count",
    "warning_count",
)


def _first_by(value: str, at: str) -> str:
    return (
        f"CASE WHEN EXCLUDED.{at} IS NOT NULL AND (trace_summary.{at} IS NULL "
        f"OR EXCLUDED.{at} < trace_summary.{at}) THEN EXCLUDED.{value} "
        f"ELSE trace_summary.{value} END"
    )


_UPSERT_SUMMARIES: Final = (
    f"INSERT INTO trace_summary ({', '.join(_SUMMARY_TYPES)}) "
    f"SELECT {', '.join(_SUMMARY_TYPES)} FROM json_to_recordset(?::json) AS d("
    + ", ".join(f"{c} {t}" for c, t in _SUMMARY_TYPES.items())
    # Sorted input: concurrent writers lock summary rows in the same order.
    + ") ORDER BY trace_id ON CONFLICT (trace_id) DO UPDATE SET "
    + "first_event_at = LEAST(trace_summary.first_event_at, EXCLUDED.first_event_at), "
    + "last_event_at = GREATEST(trace_summary.last_event_at, EXCLUDED.last_event_at), "
    + ", ".join(f"{c} = trace_summary.{c} + EXCLUDED.{c}" for c in _COUNTS)
    + ", has_success_end = trace_summary.has_success_end OR EXCLUDED.has_success_end, "
    + f"process_name = {_first_by('process_name', 'process_started_at')}, "
    # LEAST ignores NULLs in PostgreSQL.
    + "process_started_at = LEAST(trace_summary.process_started_at, EXCLUDED.process_started_at), "
    + f"account_id = {_first_by('account_id', 'account_seen_at')}, "
    + "account_seen_at = LEAST(trace_summary.account_seen_at, EXCLUDED.account_seen_at), "
    + "updated_at = EXCLUDED.updated_at"
)


def _first(value: str, condition: str) -> str:
    # The value of the earliest row meeting the condition; ties go to the first inserted.
    return (
        f"(array_agg({value} ORDER BY event_timestamp, event_log_id) FILTER (WHERE {condition}))[1]"
    )


_STATUS_COUNTS: Final = {
    "success_count": "SUCCESS",
    "failure_count": "FAILURE",
    "in_progress_count": "IN_PROGRESS",
    "skipped_count": "SKIPPED",
    "warning_count": "WARNING",
}

# The group statement's rows carry no created_at (one commit time for the whole group):
# it is a parameter, which saves parsing one timestamp per row.
_ROW_COLUMNS: Final = tuple(c for c in EVENT_COLUMNS if c != "created_at")
_INSERT_GROUP_ROWS: Final = (
    f"INSERT INTO event_log ({', '.join(_ROW_COLUMNS)}, created_at) "
    f"SELECT {', '.join(_ROW_COLUMNS)}, ?::timestamptz FROM json_to_recordset(?::json) AS r("
    + ", ".join(f"{c} {_EVENT_TYPES.get(c, 'text')}" for c in _ROW_COLUMNS)
    + ") ON CONFLICT DO NOTHING"
)

# The whole group in ONE statement: the rows go in, and the trace summaries are folded
# from exactly the rows that went in (RETURNING), so that repeats are never counted. A
# single statement is atomic in autocommit mode: no BEGIN/COMMIT round trips, and a
# failure is reported by the statement itself (psqlODBC's commit call was seen to report
# success for a commit lost with the connection).
_WRITE_GROUP: Final = (
    f"WITH ins AS ({_INSERT_GROUP_ROWS} RETURNING event_log_id, execution_id, trace_id, "
    "event_type, event_status, event_timestamp, process_name, account_id, created_at), "
    "agg AS (SELECT trace_id, min(event_timestamp) AS first_event_at, "
    "max(event_timestamp) AS last_event_at, count(*) AS event_count, "
    + ", ".join(
        f"count(*) FILTER (WHERE event_status = '{status}') AS {column}"
        for column, status in _STATUS_COUNTS.items()
    )
    + ", bool_or(event_type = 'PROCESS_END' AND event_status = 'SUCCESS') AS has_success_end, "
    + _first("process_name", "event_type = 'PROCESS_START'")
    + " AS process_name, "
    + "min(event_timestamp) FILTER (WHERE event_type = 'PROCESS_START') AS process_started_at, "
    + f"{_first('account_id', 'account_id IS NOT NULL')} AS account_id, "
    + "min(event_timestamp) FILTER (WHERE account_id IS NOT NULL) AS account_seen_at, "
    + "max(created_at) AS created_at, max(created_at) AS updated_at "
    + "FROM ins GROUP BY trace_id), "
    + f"summary AS (INSERT INTO trace_summary ({', '.join(_SUMMARY_TYPES)}) "
    + f"SELECT {', '.join(_SUMMARY_TYPES)} FROM agg ORDER BY trace_id "
    + _UPSERT_SUMMARIES.split(" ORDER BY trace_id ", 1)[1]
    # Only the count comes back: fetching every id through ODBC costs a fetch per row,
    # and the ids are ours anyway (repeats are resolved by lookups when the count is short).
    + ") SELECT count(*) FROM ins"
)


_MAX_CACHED_CURSORS: Final = 64


class PostgresWrites(WriteDialect):
    """Write SQL for PostgreSQL."""

    dialect: ClassVar[Dialect] = Dialect.POSTGRESQL
    json_array_values: ClassVar[str] = "SELECT json_array_elements_text(?::json)"
    timestamp_param: ClassVar[str] = "?::timestamptz"

    single_statement_groups: ClassVar[bool] = True

    def insert_events(self, conn: pyodbc.Connection, payload: str, count: int) -> set[str] | None:
        rows = conn.execute(f"{_INSERT_EVENTS} RETURNING execution_id", payload).fetchall()
        if len(rows) == count:
            return None
        return {row[0] for row in rows}

    def __init__(self) -> None:
        # One cursor per writer connection for the group statement: pyodbc re-prepares
        # on a new cursor, and that costs the API about as much as building the rows.
        self._cursors: dict[pyodbc.Connection, pyodbc.Cursor] = {}

    def _group_cursor(self, conn: pyodbc.Connection) -> pyodbc.Cursor:
        cursor = self._cursors.get(conn)
        if cursor is None:
            if len(self._cursors) >= _MAX_CACHED_CURSORS:
                self._cursors.clear()  # connections come and go after outages
            cursor = self._cursors[conn] = conn.cursor()
        return cursor

    def insert_group(
        self, conn: pyodbc.Connection, payload: str, execution_ids: Sequence[str], now: str
    ) -> set[str] | None:
        try:
            row = self._group_cursor(conn).execute(_WRITE_GROUP, now, payload).fetchone()
        except BaseException:
            self._cursors.pop(conn, None)
            raise
        if row is not None and int(row[0]) == len(execution_ids):
            return None
        # Some rows were repeats. The statement has committed: every row whose execution
        # id is stored went in (now, or in an earlier attempt whose answer was lost).
        return self.existing_execution_ids(conn, msgspec.json.encode(execution_ids).decode())

    def upsert_trace_summaries(self, conn: pyodbc.Connection, payload: str) -> None:
        conn.execute(_UPSERT_SUMMARIES, payload)

    def upsert_link(self, conn: pyodbc.Connection, link: CorrelationLinkRequest, now: str) -> str:
        row = conn.execute(
            "INSERT INTO correlation_links (correlation_id, account_id, application_id, "
            "customer_id, card_number_last4, linked_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?::timestamptz, ?::timestamptz) "
            "ON CONFLICT (correlation_id) DO UPDATE SET account_id = EXCLUDED.account_id, "
            "application_id = EXCLUDED.application_id, customer_id = EXCLUDED.customer_id, "
            "card_number_last4 = EXCLUDED.card_number_last4, updated_at = EXCLUDED.updated_at "
            "RETURNING linked_at",
            link.correlation_id,
            link.account_id,
            link.application_id,
            link.customer_id,
            link.card_number_last4,
            now,
            now,
        ).fetchone()
        return (to_wire_timestamp(row[0]) if row is not None else None) or now

    def insert_process(
        self, conn: pyodbc.Connection, request: CreateProcessRequest, now: str
    ) -> ProcessRow:
        row = conn.execute(
            "INSERT INTO process_definitions (process_name, display_name, description, "
            "owning_team, expected_steps, sla_ms, is_active, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, true, ?::timestamptz, ?::timestamptz) "
            f"RETURNING {PROCESS_COLUMNS}",
            request.process_name,
            request.display_name,
            request.description,
            request.owning_team,
            request.expected_steps,
            request.sla_ms,
            now,
            now,
        ).fetchone()
        assert row is not None  # RETURNING of a successful insert
        return ProcessRow.from_db(row)

    def clear(self, conn: pyodbc.Connection, extra_tables: Sequence[str]) -> None:
        # TRUNCATE is transactional here and does not walk a million rows.
        conn.execute(f"TRUNCATE {', '.join((*extra_tables, *BASE_TABLES))}")
