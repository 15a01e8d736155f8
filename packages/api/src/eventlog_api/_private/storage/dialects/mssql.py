"""SQL Server write SQL (Microsoft ODBC Driver 18 or FreeTDS).

One JSON parameter per group through ``OPENJSON ... WITH`` (SQL Server allows only
2,100 parameters per statement), ``OUTPUT`` for the inserted rows, ``MERGE ... WITH
(HOLDLOCK)`` for upserts, and a filtered unique index for idempotency keys. The
``NOT EXISTS`` guards take ``UPDLOCK, HOLDLOCK`` so that two transactions inserting the
same key serialise instead of one failing; if one still loses the race, the unique
index rejects it and the write path retries the group.

Timestamps travel as ISO text with ``Z``; ``datetimeoffset`` parses them and the cast
to ``datetime2`` keeps the UTC wall time.
"""

from __future__ import annotations

from typing import ClassVar, Final

import pyodbc
from eventlog_schemas import CorrelationLinkRequest, CreateProcessRequest

from eventlog_api._private.settings import Dialect
from eventlog_api._private.storage.rows import EVENT_COLUMNS, JSON_COLUMNS, TIMESTAMP_COLUMNS
from eventlog_api._private.storage.values import to_wire_timestamp

from .base import PROCESS_COLUMNS, ProcessRow, WriteDialect

_EVENT_TYPES: Final = {
    "execution_id": "char(36)",
    "trace_id": "char(32)",
    "span_id": "char(16)",
    "parent_span_id": "char(16)",
    "span_links": "nvarchar(max)",
    "correlation_id": "nvarchar(200)",
    "account_id": "nvarchar(64)",
    "batch_id": "nvarchar(200)",
    "application_id": "nvarchar(200)",
    "target_system": "nvarchar(200)",
    "originating_system": "nvarchar(200)",
    "process_name": "nvarchar(510)",
    "step_sequence": "int",
    "step_name": "nvarchar(510)",
    "event_type": "varchar(20)",
    "event_status": "varchar(20)",
    "identifiers": "nvarchar(max)",
    "summary": "nvarchar(max)",
    "result": "nvarchar(2048)",
    "metadata": "nvarchar(max)",
    "event_timestamp": "datetimeoffset(3)",
    "execution_time_ms": "bigint",
    "endpoint": "nvarchar(510)",
    "http_method": "varchar(10)",
    "http_status_code": "int",
    "error_code": "nvarchar(100)",
    "error_message": "nvarchar(2048)",
    "request_payload": "nvarchar(max)",
    "response_payload": "nvarchar(max)",
    "idempotency_key": "nvarchar(128)",
    "created_at": "datetimeoffset(3)",
}


def _with_clause(types: dict[str, str]) -> str:
    parts = []
    for column, sql_type in types.items():
        as_json = " AS JSON" if column in JSON_COLUMNS else ""
        parts.append(f"{column} {sql_type} '$.{column}'{as_json}")
    return ", ".join(parts)


def _select_value(column: str, alias: str = "r") -> str:
    if column in TIMESTAMP_COLUMNS:
        return f"CAST({alias}.{column} AS datetime2(3))"
    return f"{alias}.{column}"


_INSERT_EVENTS: Final = (
    f"INSERT INTO event_log ({', '.join(EVENT_COLUMNS)}) OUTPUT inserted.execution_id "
    f"SELECT {', '.join(_select_value(c) for c in EVENT_COLUMNS)} "
    f"FROM OPENJSON(?) WITH ({_with_clause(_EVENT_TYPES)}) AS r "
    "WHERE NOT EXISTS (SELECT 1 FROM event_log AS e WITH (UPDLOCK, HOLDLOCK) "
    "WHERE e.execution_id = r.execution_id) "
    "AND (r.idempotency_key IS NULL OR NOT EXISTS (SELECT 1 FROM event_log AS k "
    "WITH (UPDLOCK, HOLDLOCK) WHERE k.idempotency_key = r.idempotency_key))"
)

_SUMMARY_TYPES: Final = {
    "trace_id": "char(32)",
    "first_event_at": "datetimeoffset(3)",
    "last_event_at": "datetimeoffset(3)",
    "event_count": "int",
    "success_count": "int",
    "failure_count": "int",
    "in_progress_count": "int",
    "skipped_count": "int",
    "warning_count": "int",
    "has_success_end": "bit",
    "process_name": "nvarchar(510)",
    "process_started_at": "datetimeoffset(3)",
    "account_id": "nvarchar(64)",
    "account_seen_at": "datetimeoffset(3)",
    "created_at": "datetimeoffset(3)",
    "updated_at": "datetimeoffset(3)",
}
_SUMMARY_TIMES: Final = frozenset(c for c, t in _SUMMARY_TYPES.items() if t.startswith("datetime"))
_COUNTS: Final = (
    "event_count",
    "success_count",
    "failure_count",
    "in_progress_count",
    "skipped_count",
    "warning_count",
)


def _source_column(column: str) -> str:
    if column in _SUMMARY_TIMES:
        return f"CAST(j.{column} AS datetime2(3)) AS {column}"
    return f"j.{column}"


def _earlier(column: str) -> str:
    return (
        f"CASE WHEN t.{column} IS NULL OR (d.{column} IS NOT NULL AND d.{column} < t.{column}) "
        f"THEN d.{column} ELSE t.{column} END"
    )


def _first_by(value: str, at: str) -> str:
    return (
        f"CASE WHEN d.{at} IS NOT NULL AND (t.{at} IS NULL OR d.{at} < t.{at}) "
        f"THEN d.{value} ELSE t.{value} END"
    )


_UPSERT_SUMMARIES: Final = (
    "MERGE trace_summary WITH (HOLDLOCK) AS t USING (SELECT "
    + ", ".join(_source_column(c) for c in _SUMMARY_TYPES)
    + f" FROM OPENJSON(?) WITH ({_with_clause(_SUMMARY_TYPES)}) AS j) AS d "
    "ON t.trace_id = d.trace_id WHEN MATCHED THEN UPDATE SET "
    "first_event_at = CASE WHEN d.first_event_at < t.first_event_at "
    "THEN d.first_event_at ELSE t.first_event_at END, "
    "last_event_at = CASE WHEN d.last_event_at > t.last_event_at "
    "THEN d.last_event_at ELSE t.last_event_at END, "
    + ", ".join(f"{c} = t.{c} + d.{c}" for c in _COUNTS)
    + ", has_success_end = CASE WHEN t.has_success_end = 1 OR d.has_success_end = 1 "
    "THEN 1 ELSE 0 END, "
    + f"process_name = {_first_by('process_name', 'process_started_at')}, "
    + f"process_started_at = {_earlier('process_started_at')}, "
    + f"account_id = {_first_by('account_id', 'account_seen_at')}, "
    + f"account_seen_at = {_earlier('account_seen_at')}, "
    + "updated_at = d.updated_at "
    + f"WHEN NOT MATCHED THEN INSERT ({', '.join(_SUMMARY_TYPES)}) "
    + f"VALUES ({', '.join(f'd.{c}' for c in _SUMMARY_TYPES)});"
)


class MssqlWrites(WriteDialect):
    """Write SQL for SQL Server."""

    dialect: ClassVar[Dialect] = Dialect.MSSQL
    json_array_values: ClassVar[str] = "SELECT value FROM OPENJSON(?)"
    timestamp_param: ClassVar[str] = "CAST(CAST(? AS datetimeoffset(3)) AS datetime2(3))"

    def insert_events(self, conn: pyodbc.Connection, payload: str, count: int) -> set[str] | None:
        rows = conn.execute(_INSERT_EVENTS, payload).fetchall()
        if len(rows) == count:
            return None
        return {str(row[0]).strip() for row in rows}

    def upsert_trace_summaries(self, conn: pyodbc.Connection, payload: str) -> None:
        conn.execute(_UPSERT_SUMMARIES, payload)

    def upsert_link(self, conn: pyodbc.Connection, link: CorrelationLinkRequest, now: str) -> str:
        row = conn.execute(
            "MERGE correlation_links WITH (HOLDLOCK) AS t "
            "USING (SELECT ? AS correlation_id, ? AS account_id, ? AS application_id, "
            "? AS customer_id, ? AS card_number_last4, "
            f"{self.timestamp_param} AS now) AS s ON t.correlation_id = s.correlation_id "
            "WHEN MATCHED THEN UPDATE SET account_id = s.account_id, "
            "application_id = s.application_id, customer_id = s.customer_id, "
            "card_number_last4 = s.card_number_last4, updated_at = s.now "
            "WHEN NOT MATCHED THEN INSERT (correlation_id, account_id, application_id, "
            "customer_id, card_number_last4, linked_at, updated_at) VALUES (s.correlation_id, "
            "s.account_id, s.application_id, s.customer_id, s.card_number_last4, s.now, s.now) "
            "OUTPUT inserted.linked_at;",
            link.correlation_id,
            link.account_id,
            link.application_id,
            link.customer_id,
            link.card_number_last4,
            now,
        ).fetchone()
        return (to_wire_timestamp(row[0]) if row is not None else None) or now

    def insert_process(
        self, conn: pyodbc.Connection, request: CreateProcessRequest, now: str
    ) -> ProcessRow:
        inserted = ", ".join(f"inserted.{c.strip()}" for c in PROCESS_COLUMNS.split(","))
        row = conn.execute(
            "INSERT INTO process_definitions (process_name, display_name, description, "
            "owning_team, expected_steps, sla_ms, is_active, created_at, updated_at) "
            f"OUTPUT {inserted} "
            f"VALUES (?, ?, ?, ?, ?, ?, 1, {self.timestamp_param}, {self.timestamp_param})",
            request.process_name,
            request.display_name,
            request.description,
            request.owning_team,
            request.expected_steps,
            request.sla_ms,
            now,
            now,
        ).fetchone()
        assert row is not None  # OUTPUT of a successful insert
        return ProcessRow.from_db(row)

    def bool_param(self, value: bool) -> object:
        return 1 if value else 0
