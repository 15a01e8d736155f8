-- Event Log schema, SQL Server. Statements are separated by lines reading "-- go".
-- Timestamps are datetime2(3) in UTC. Text is nvarchar (UTF-16), sized by the contract
-- where a column is indexed. execution_id is char(36) so that it reads back lowercase.

CREATE TABLE event_log (
    event_log_id        bigint IDENTITY(1, 1) NOT NULL,
    execution_id        char(36) NOT NULL,
    trace_id            char(32) NOT NULL,
    span_id             char(16) NOT NULL,
    parent_span_id      char(16) NULL,
    span_links          nvarchar(max) NULL,
    correlation_id      nvarchar(200) NOT NULL,
    account_id          nvarchar(64) NULL,
    batch_id            nvarchar(200) NULL,
    application_id      nvarchar(200) NOT NULL,
    target_system       nvarchar(200) NOT NULL,
    originating_system  nvarchar(200) NOT NULL,
    process_name        nvarchar(510) NOT NULL,
    step_sequence       int NULL,
    step_name           nvarchar(510) NULL,
    event_type          varchar(20) NOT NULL,
    event_status        varchar(20) NOT NULL,
    identifiers         nvarchar(max) NOT NULL,
    summary             nvarchar(max) NOT NULL,
    result              nvarchar(2048) NOT NULL,
    metadata            nvarchar(max) NULL,
    event_timestamp     datetime2(3) NOT NULL,
    execution_time_ms   bigint NULL,
    endpoint            nvarchar(510) NULL,
    http_method         varchar(10) NULL,
    http_status_code    int NULL,
    error_code          nvarchar(100) NULL,
    error_message       nvarchar(2048) NULL,
    request_payload     nvarchar(max) NULL,
    response_payload    nvarchar(max) NULL,
    idempotency_key     nvarchar(128) NULL,
    created_at          datetime2(3) NOT NULL,
    CONSTRAINT pk_event_log PRIMARY KEY CLUSTERED (event_log_id)
)
-- go
CREATE UNIQUE INDEX ux_event_log_execution_id ON event_log (execution_id)
-- go
-- A filtered unique index: many events have no key, each key occurs once.
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
CREATE TABLE trace_summary (
    trace_id            char(32) NOT NULL,
    first_event_at      datetime2(3) NOT NULL,
    last_event_at       datetime2(3) NOT NULL,
    event_count         int NOT NULL,
    success_count       int NOT NULL,
    failure_count       int NOT NULL,
    in_progress_count   int NOT NULL,
    skipped_count       int NOT NULL,
    warning_count       int NOT NULL,
    has_success_end     bit NOT NULL,
    has_errors          AS CAST(CASE WHEN failure_count > 0 THEN 1 ELSE 0 END AS bit) PERSISTED,
    derived_status      AS CAST(
        CASE
            WHEN has_success_end = 1 THEN 'SUCCESS'
            WHEN failure_count > 0 THEN 'FAILURE'
            WHEN warning_count > 0 THEN 'WARNING'
            ELSE 'IN_PROGRESS'
        END AS varchar(20)) PERSISTED,
    process_name        nvarchar(510) NULL,
    process_started_at  datetime2(3) NULL,
    account_id          nvarchar(64) NULL,
    account_seen_at     datetime2(3) NULL,
    created_at          datetime2(3) NOT NULL,
    updated_at          datetime2(3) NOT NULL,
    CONSTRAINT pk_trace_summary PRIMARY KEY CLUSTERED (trace_id)
)
-- go
CREATE INDEX ix_trace_summary_last_event ON trace_summary (last_event_at DESC, trace_id)
-- go
CREATE INDEX ix_trace_summary_first_event ON trace_summary (first_event_at)
-- go
CREATE TABLE correlation_links (
    correlation_id      nvarchar(200) NOT NULL,
    account_id          nvarchar(64) NOT NULL,
    application_id      nvarchar(100) NULL,
    customer_id         nvarchar(100) NULL,
    card_number_last4   nchar(4) NULL,
    linked_at           datetime2(3) NOT NULL,
    updated_at          datetime2(3) NOT NULL,
    CONSTRAINT pk_correlation_links PRIMARY KEY CLUSTERED (correlation_id)
)
-- go
CREATE INDEX ix_correlation_links_account ON correlation_links (account_id)
-- go
CREATE TABLE process_definitions (
    process_id          bigint IDENTITY(1, 1) NOT NULL,
    process_name        nvarchar(510) NOT NULL,
    display_name        nvarchar(510) NOT NULL,
    description         nvarchar(max) NOT NULL,
    owning_team         nvarchar(200) NOT NULL,
    expected_steps      int NULL,
    sla_ms              bigint NULL,
    is_active           bit NOT NULL CONSTRAINT df_process_definitions_active DEFAULT 1,
    created_at          datetime2(3) NOT NULL,
    updated_at          datetime2(3) NOT NULL,
    CONSTRAINT pk_process_definitions PRIMARY KEY CLUSTERED (process_id)
)
-- go
CREATE UNIQUE INDEX ux_process_definitions_name ON process_definitions (process_name)
