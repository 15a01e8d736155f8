-- Read side: indexes for the trace list, statistics and charts, and an hourly rollup of
-- event counts per target system (statistics over large windows never count raw events).
-- The read side filters on the counters derived_status and has_errors come from.
CREATE INDEX ix_trace_summary_state ON trace_summary (has_success_end, last_event_at DESC, trace_id)
    INCLUDE (failure_count, warning_count)
-- go
CREATE INDEX ix_trace_summary_failures ON trace_summary (failure_count, last_event_at DESC, trace_id)
-- go
CREATE INDEX ix_trace_summary_process ON trace_summary (process_name, last_event_at DESC, trace_id)
-- go
CREATE INDEX ix_trace_summary_account ON trace_summary (account_id)
-- go
CREATE INDEX ix_trace_summary_activity ON trace_summary (last_event_at DESC, trace_id)
    INCLUDE (first_event_at, failure_count, account_id)
-- go
CREATE INDEX ix_trace_summary_started ON trace_summary (first_event_at)
    INCLUDE (process_name, has_success_end, failure_count, warning_count, last_event_at)
-- go
CREATE TABLE event_rollup_hourly (
    bucket_start    datetime2(3) NOT NULL,
    target_system   nvarchar(200) NOT NULL,
    event_count     bigint NOT NULL,
    CONSTRAINT pk_event_rollup_hourly PRIMARY KEY (bucket_start, target_system)
)
-- go
CREATE TRIGGER event_rollup_insert ON event_log AFTER INSERT AS
BEGIN
    SET NOCOUNT ON;
    MERGE event_rollup_hourly WITH (HOLDLOCK) AS r
    USING (
        SELECT DATEADD(hour, DATEDIFF(hour, 0, event_timestamp), 0) AS bucket_start,
               target_system, COUNT_BIG(*) AS n
        FROM inserted GROUP BY DATEADD(hour, DATEDIFF(hour, 0, event_timestamp), 0), target_system
    ) AS d ON r.bucket_start = d.bucket_start AND r.target_system = d.target_system
    WHEN MATCHED THEN UPDATE SET event_count = r.event_count + d.n
    WHEN NOT MATCHED THEN INSERT (bucket_start, target_system, event_count)
        VALUES (d.bucket_start, d.target_system, d.n);
END
-- go
CREATE TRIGGER event_rollup_delete ON event_log AFTER DELETE AS
BEGIN
    SET NOCOUNT ON;
    UPDATE r SET event_count = r.event_count - d.n
    FROM event_rollup_hourly AS r
    JOIN (
        SELECT DATEADD(hour, DATEDIFF(hour, 0, event_timestamp), 0) AS bucket_start,
               target_system, COUNT_BIG(*) AS n
        FROM deleted GROUP BY DATEADD(hour, DATEDIFF(hour, 0, event_timestamp), 0), target_system
    ) AS d ON r.bucket_start = d.bucket_start AND r.target_system = d.target_system;
END
-- go
INSERT INTO event_rollup_hourly (bucket_start, target_system, event_count)
SELECT DATEADD(hour, DATEDIFF(hour, 0, event_timestamp), 0), target_system, COUNT_BIG(*)
FROM event_log GROUP BY DATEADD(hour, DATEDIFF(hour, 0, event_timestamp), 0), target_system
