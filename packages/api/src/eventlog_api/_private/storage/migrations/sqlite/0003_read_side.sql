-- Read side: indexes for the trace list, statistics and charts, and an hourly rollup of
-- event counts per target system (statistics over large windows never count raw events).
--
-- Only plain columns: SQLite never reads an index as covering when the query touches a
-- generated column (derived_status, has_errors), so the read side filters on the
-- counters those columns are computed from (has_success_end, failure_count,
-- warning_count). The list indexes hold (last_event_at DESC, trace_id), the order of the
-- trace list (like ix_trace_summary_last_event), so a page comes out of an index already
-- in "newest activity first" order, and the activity and started indexes cover the
-- statistics and chart queries.
CREATE INDEX ix_trace_summary_state ON trace_summary
    (has_success_end, last_event_at DESC, trace_id, failure_count, warning_count)
-- go
CREATE INDEX ix_trace_summary_failures ON trace_summary (failure_count, last_event_at DESC, trace_id)
-- go
CREATE INDEX ix_trace_summary_process ON trace_summary (process_name, last_event_at DESC, trace_id)
-- go
CREATE INDEX ix_trace_summary_account ON trace_summary (account_id)
-- go
CREATE INDEX ix_trace_summary_activity
    ON trace_summary (last_event_at DESC, trace_id, first_event_at, failure_count, account_id)
-- go
CREATE INDEX ix_trace_summary_started ON trace_summary
    (first_event_at, process_name, has_success_end, failure_count, warning_count, last_event_at)
-- go
-- Events per hour (of event time) and target system. Kept by triggers in the same
-- transaction as the events, whichever code path writes them.
CREATE TABLE event_rollup_hourly (
    bucket_start    TEXT NOT NULL,
    target_system   TEXT NOT NULL,
    event_count     INTEGER NOT NULL,
    PRIMARY KEY (bucket_start, target_system)
) WITHOUT ROWID
-- go
CREATE TRIGGER event_rollup_insert AFTER INSERT ON event_log BEGIN
    INSERT INTO event_rollup_hourly (bucket_start, target_system, event_count)
    VALUES (substr(new.event_timestamp, 1, 13) || ':00:00.000Z', new.target_system, 1)
    ON CONFLICT (bucket_start, target_system) DO UPDATE SET event_count = event_count + 1;
END
-- go
CREATE TRIGGER event_rollup_delete AFTER DELETE ON event_log BEGIN
    UPDATE event_rollup_hourly SET event_count = event_count - 1
    WHERE bucket_start = substr(old.event_timestamp, 1, 13) || ':00:00.000Z'
      AND target_system = old.target_system;
END
-- go
INSERT INTO event_rollup_hourly (bucket_start, target_system, event_count)
SELECT substr(event_timestamp, 1, 13) || ':00:00.000Z', target_system, count(*)
FROM event_log GROUP BY 1, 2
