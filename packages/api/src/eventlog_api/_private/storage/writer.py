"""The event write path: one group of rows, one transaction, every answer known.

``write_group`` runs in a database thread on a writer connection:

1. insert every row in ONE statement (a JSON parameter), skipping rows whose execution
   id or idempotency key is already stored;
2. find out which rows went in; for the others, the stored execution id of their key
   (an idempotent repeat) or, for a row without key, the proof that it is stored
   already (a retry after a commit whose outcome was lost with the connection);
3. fold the new rows into ``trace_summary`` (one statement);
4. run the hook statements of the read side

all in the caller's transaction (``Database.write`` commits it).

Because a repeat never inserts and is always answered with the stored id, running the
same group twice is harmless: that is what makes retrying after a lost connection safe.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import pyodbc
from eventlog_schemas import format_timestamp, utc_now

from .dialects.base import WriteDialect
from .errors import StorageError
from .hooks import WriteHooks
from .rows import Row, trace_deltas

_encode = msgspec.json.Encoder().encode


class LostRowError(StorageError):
    """A row was neither inserted nor found (should not happen; reported, never hidden)."""


def write_group(
    conn: pyodbc.Connection, sql: WriteDialect, hooks: WriteHooks, rows: Sequence[Row]
) -> list[str]:
    """Store ``rows`` (idempotency keys unique within them); the caller's transaction commits.

    Returns, per row and in order, the execution id that the client gets: the row's own
    when it was inserted, the stored one when its idempotency key was seen before.
    """
    if not rows:
        return []
    now = format_timestamp(utc_now())
    for row in rows:
        row["created_at"] = now
    inserted = sql.insert_events(conn, _encode(rows).decode(), len(rows))
    if inserted is None:
        answers = [row["execution_id"] for row in rows]
        new_rows: Sequence[Row] = rows
    else:
        answers, new_rows = _resolve(conn, sql, rows, inserted)
    if new_rows:
        deltas = [delta.as_row(now) for delta in trace_deltas(new_rows)]
        sql.upsert_trace_summaries(conn, _encode(deltas).decode())
        if hooks.batch_statements:
            ids = _encode([row["execution_id"] for row in new_rows]).decode()
            for statement in hooks.batch_statements:
                conn.execute(statement, ids)
    return answers


def write_group_single_statement(
    conn: pyodbc.Connection, sql: WriteDialect, rows: Sequence[Row]
) -> list[str]:
    """``write_group`` as one autocommit statement (rows and trace summaries together).

    For dialects with ``single_statement_groups`` and no hook statements. The answers
    for repeats are read after the statement committed: a stored key is committed by
    then (the insert waited for any concurrent transaction holding it).
    """
    if not rows:
        return []
    now = format_timestamp(utc_now())
    inserted = sql.insert_group(
        conn, _encode(rows).decode(), [row["execution_id"] for row in rows], now
    )
    if inserted is None:
        return [row["execution_id"] for row in rows]
    answers, _ = _resolve(conn, sql, rows, inserted)
    return answers


def _resolve(
    conn: pyodbc.Connection, sql: WriteDialect, rows: Sequence[Row], inserted: set[str]
) -> tuple[list[str], list[Row]]:
    skipped = [row for row in rows if row["execution_id"] not in inserted]
    keys = [row["idempotency_key"] for row in skipped if row["idempotency_key"] is not None]
    by_key = sql.lookup_keys(conn, _encode(keys).decode()) if keys else {}
    unkeyed = [row["execution_id"] for row in skipped if row["idempotency_key"] is None]
    present = sql.existing_execution_ids(conn, _encode(unkeyed).decode()) if unkeyed else set()
    answers: list[str] = []
    new_rows: list[Row] = []
    for row in rows:
        execution_id = row["execution_id"]
        key = row["idempotency_key"]
        if execution_id in inserted:
            answers.append(execution_id)
            new_rows.append(row)
        elif key is not None and key in by_key:
            answers.append(by_key[key])
        elif key is None and execution_id in present:
            answers.append(execution_id)
        else:
            raise LostRowError(
                f"event {execution_id} was neither inserted nor found after the insert"
            )
    return answers, new_rows
