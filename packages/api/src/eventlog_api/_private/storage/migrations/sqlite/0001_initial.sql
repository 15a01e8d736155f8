-- Event Log schema, SQLite. Statements are separated by lines reading "-- go".
-- Timestamps are TEXT in the wire format (2026-02-26T14:30:00.000Z): UTC, fixed width,
-- so they sort and compare correctly as strings. Booleans are 0/1.

CREATE TABLE event_log (
    event_log_id        INTEGER PRIMARY KEY,
    execution_id        TEXT NOT NULL,
    trace_id            TEXT NOT NULL,
    span_id             TEXT NOT NULL,
    parent_span_id      TEXT,
    span_links          TEXT,
    correlation_id      TEXT NOT NULL,
    account_id          TEXT,
    batch_id            TEXT,
    application_id      TEXT NOT NULL,
    target_system       TEXT NOT NULL,
    originating_system  TEXT NOT NULL,
    process_name        TEXT NOT NULL,
    step_sequence       INTEGER,
    step_name           TEXT,
    event_type          TEXT NOT NULL,
    event_status        TEXT NOT NULL,
    identifiers         TEXT NOT NULL,
    summary             TEXT NOT NULL,
    result              TEXT NOT NULL,
    metadata            TEXT,
    event_timestamp     TEXT NOT NULL,
    execution_time_ms   INTEGER,
    endpoint            TEXT,
    http_method         TEXT,
    http_status_code    INTEGER,
    error_code          TEXT,
    error_message       TEXT,
    request_payload     TEXT,
    response_payload    TEXT,
    idempotency_key     TEXT,
    created_at          TEXT NOT NULL
)
-- go
CREATE UNIQUE INDEX ux_event_log_execution_id ON event_log (execution_id)
-- go
CREATE UNIQUE INDEX ux_event_log_idempotency_key ON event_log (idempotency_key)
    WHERE idempotency_key IS NOT NULL
-- go
CREATE INDEX ix_event_log_trace ON event_log (trace_id, event_timestamp)
-- go
CREATE INDEX ix_event_log_correlation ON event_log (correlation_id, event_timestamp)
-- go
CREATE INDEX ix_event_log_account ON event_log (account_id, event_timestamp)
    WHERE account_id IS NOT NULL
-- go
CREATE INDEX ix_event_log_batch ON event_log (batch_id, event_timestamp)
    WHERE batch_id IS NOT NULL
-- go
CREATE INDEX ix_event_log_timestamp ON event_log (event_timestamp)
-- go
-- Full text over summary, result and error message: an external-content FTS5 table
-- (the text lives once, in event_log) kept in sync by triggers. Prefix indexes make
-- the contract's prefix matching cheap.
CREATE VIRTUAL TABLE event_log_fts USING fts5(
    summary, result, error_message,
    content='event_log', content_rowid='event_log_id',
    prefix='2 3', tokenize='unicode61 remove_diacritics 2'
)
-- go
CREATE TRIGGER event_log_fts_insert AFTER INSERT ON event_log BEGIN
    INSERT INTO event_log_fts (rowid, summary, result, error_message)
    VALUES (new.event_log_id, new.summary, new.result, new.error_message);
END
-- go
CREATE TRIGGER event_log_fts_delete AFTER DELETE ON event_log BEGIN
    INSERT INTO event_log_fts (event_log_fts, rowid, summary, result, error_message)
    VALUES ('delete', old.event_log_id, old.summary, old.result, old.error_message);
END
-- go
CREATE TRIGGER event_log_fts_update AFTER UPDATE ON event_log BEGIN
    INSERT INTO event_log_fts (event_log_fts, rowid, summary, result, error_message)
    VALUES ('delete', old.event_log_id, old.summary, old.result, old.error_message);
    INSERT INTO event_log_fts (rowid, summary, result, error_message)
    VALUES (new.event_log_id, new.summary, new.result, new.error_message);
END
-- go
-- One row per trace, maintained by the write path in the same transaction as the
-- events, so that the trace list and the statistics never group the event table.
CREATE TABLE trace_summary (
    trace_id            TEXT PRIMARY KEY,
    first_event_at      TEXT NOT NULL,
    last_event_at       TEXT NOT NULL,
    event_count         INTEGER NOT NULL,
    success_count       INTEGER NOT NULL,
    failure_count       INTEGER NOT NULL,
    in_progress_count   INTEGER NOT NULL,
    skipped_count       INTEGER NOT NULL,
    warning_count       INTEGER NOT NULL,
    has_success_end     INTEGER NOT NULL,
    has_errors          INTEGER GENERATED ALWAYS AS (failure_count > 0) STORED,
    -- The contract's rule: SUCCESS if a PROCESS_END succeeded; else FAILURE if any
    -- event failed; else WARNING if any warned; else IN_PROGRESS.
    derived_status      TEXT GENERATED ALWAYS AS (
        CASE
            WHEN has_success_end THEN 'SUCCESS'
            WHEN failure_count > 0 THEN 'FAILURE'
            WHEN warning_count > 0 THEN 'WARNING'
            ELSE 'IN_PROGRESS'
        END
    ) STORED,
    process_name        TEXT,
    process_started_at  TEXT,
    account_id          TEXT,
    account_seen_at     TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) WITHOUT ROWID
-- go
CREATE INDEX ix_trace_summary_last_event ON trace_summary (last_event_at DESC, trace_id)
-- go
CREATE INDEX ix_trace_summary_first_event ON trace_summary (first_event_at)
-- go
CREATE TABLE correlation_links (
    correlation_id      TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL,
    application_id      TEXT,
    customer_id         TEXT,
    card_number_last4   TEXT,
    linked_at           TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) WITHOUT ROWID
-- go
CREATE INDEX ix_correlation_links_account ON correlation_links (account_id)
-- go
CREATE TABLE process_definitions (
    process_id          INTEGER PRIMARY KEY,
    process_name        TEXT NOT NULL,
    display_name        TEXT NOT NULL,
    description         TEXT NOT NULL,
    owning_team         TEXT NOT NULL,
    expected_steps      INTEGER,
    sla_ms              INTEGER,
    is_active           INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
)
-- go
CREATE UNIQUE INDEX ux_process_definitions_name ON process_definitions (process_name)
