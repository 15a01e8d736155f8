-- Event Log schema, PostgreSQL. Statements are separated by lines reading "-- go".
-- Timestamps are timestamptz(3), always written and read in UTC.

CREATE TABLE event_log (
    event_log_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id        text NOT NULL,
    trace_id            text NOT NULL,
    span_id             text NOT NULL,
    parent_span_id      text,
    span_links          text,
    correlation_id      text NOT NULL,
    account_id          text,
    batch_id            text,
    application_id      text NOT NULL,
    target_system       text NOT NULL,
    originating_system  text NOT NULL,
    process_name        text NOT NULL,
    step_sequence       integer,
    step_name           text,
    event_type          text NOT NULL,
    event_status        text NOT NULL,
    identifiers         text NOT NULL,
    summary             text NOT NULL,
    result              text NOT NULL,
    metadata            text,
    event_timestamp     timestamptz(3) NOT NULL,
    execution_time_ms   bigint,
    endpoint            text,
    http_method         text,
    http_status_code    integer,
    error_code          text,
    error_message       text,
    request_payload     text,
    response_payload    text,
    idempotency_key     text,
    created_at          timestamptz(3) NOT NULL,
    -- Full text over summary, result and error message; 'simple' keeps words as typed so
    -- that prefix matching behaves the same in every language.
    search_vector       tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', summary || ' ' || result || ' ' || coalesce(error_message, ''))
    ) STORED
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
CREATE INDEX ix_event_log_search ON event_log USING gin (search_vector)
-- go
-- One row per trace, maintained by the write path in the same transaction as the
-- events, so that the trace list and the statistics never group the event table.
CREATE TABLE trace_summary (
    trace_id            text PRIMARY KEY,
    first_event_at      timestamptz(3) NOT NULL,
    last_event_at       timestamptz(3) NOT NULL,
    event_count         integer NOT NULL,
    success_count       integer NOT NULL,
    failure_count       integer NOT NULL,
    in_progress_count   integer NOT NULL,
    skipped_count       integer NOT NULL,
    warning_count       integer NOT NULL,
    has_success_end     boolean NOT NULL,
    has_errors          boolean GENERATED ALWAYS AS (failure_count > 0) STORED,
    -- The contract's rule: SUCCESS if a PROCESS_END succeeded; else FAILURE if any
    -- event failed; else WARNING if any warned; else IN_PROGRESS.
    derived_status      text GENERATED ALWAYS AS (
        CASE
            WHEN has_success_end THEN 'SUCCESS'
            WHEN failure_count > 0 THEN 'FAILURE'
            WHEN warning_count > 0 THEN 'WARNING'
            ELSE 'IN_PROGRESS'
        END
    ) STORED,
    -- Process name of the earliest PROCESS_START (null until one arrives).
    process_name        text,
    process_started_at  timestamptz(3),
    -- The account of the earliest event that carried one.
    account_id          text,
    account_seen_at     timestamptz(3),
    created_at          timestamptz(3) NOT NULL,
    updated_at          timestamptz(3) NOT NULL
)
-- go
-- Every write updates a summary row and so every index on it: the indexes of the trace
-- list live with the queries that need them (0003, read side).
CREATE TABLE correlation_links (
    correlation_id      text PRIMARY KEY,
    account_id          text NOT NULL,
    application_id      text,
    customer_id         text,
    card_number_last4   text,
    linked_at           timestamptz(3) NOT NULL,
    updated_at          timestamptz(3) NOT NULL
)
-- go
CREATE INDEX ix_correlation_links_account ON correlation_links (account_id)
-- go
CREATE TABLE process_definitions (
    process_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    process_name        text NOT NULL,
    display_name        text NOT NULL,
    description         text NOT NULL,
    owning_team         text NOT NULL,
    expected_steps      integer,
    sla_ms              bigint,
    is_active           boolean NOT NULL DEFAULT true,
    created_at          timestamptz(3) NOT NULL,
    updated_at          timestamptz(3) NOT NULL
)
-- go
CREATE UNIQUE INDEX ux_process_definitions_name ON process_definitions (process_name)
