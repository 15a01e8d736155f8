-- Read side: indexes for the trace list, statistics and charts, and an hourly rollup of
-- event counts per target system (statistics over large windows never count raw events).
--
-- The read side filters on the counters derived_status and has_errors are computed from
-- (has_success_end, failure_count, warning_count), as it must on SQLite, so the indexes
-- hold those. The list indexes hold (last_event_at DESC, trace_id), the order of the
-- trace list (like ix_trace_summary_last_event), so a page comes out of an index already
-- in "newest activity first" order, and the activity and started indexes cover the
-- statistics and chart queries (index-only scans).
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
-- Events per hour (of event time) and target system, kept by statement-level triggers in
-- the same transaction as the events. The shard (the writer's backend pid) keeps
-- concurrent writers off each other's rows, and readers add the shards up.
CREATE TABLE event_rollup_hourly (
    bucket_start    timestamptz(3) NOT NULL,
    target_system   text NOT NULL,
    shard           integer NOT NULL,
    event_count     bigint NOT NULL,
    PRIMARY KEY (bucket_start, target_system, shard)
)
-- go
CREATE FUNCTION event_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_rollup_hourly AS r (bucket_start, target_system, shard, event_count)
    SELECT date_trunc('hour', event_timestamp, 'UTC'), target_system, pg_backend_pid() % 16,
           count(*)
    FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (bucket_start, target_system, shard)
    DO UPDATE SET event_count = r.event_count + EXCLUDED.event_count;
    RETURN NULL;
END
$$
-- go
CREATE FUNCTION event_rollup_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_rollup_hourly AS r (bucket_start, target_system, shard, event_count)
    SELECT date_trunc('hour', event_timestamp, 'UTC'), target_system, pg_backend_pid() % 16,
           -count(*)
    FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (bucket_start, target_system, shard)
    DO UPDATE SET event_count = r.event_count + EXCLUDED.event_count;
    RETURN NULL;
END
$$
-- go
CREATE FUNCTION event_rollup_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE event_rollup_hourly;
    RETURN NULL;
END
$$
-- go
CREATE TRIGGER event_rollup_insert AFTER INSERT ON event_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_rollup_add()
-- go
CREATE TRIGGER event_rollup_delete AFTER DELETE ON event_log
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_rollup_remove()
-- go
CREATE TRIGGER event_rollup_truncate AFTER TRUNCATE ON event_log
    FOR EACH STATEMENT EXECUTE FUNCTION event_rollup_clear()
-- go
INSERT INTO event_rollup_hourly (bucket_start, target_system, shard, event_count)
SELECT date_trunc('hour', event_timestamp, 'UTC'), target_system, 0, count(*)
FROM event_log GROUP BY 1, 2
-- go
-- Full text: PostgreSQL's parser keeps "APP-20260223-7464867" as 'app', '-20260223',
-- '-7464867' (signed numbers), so searching "7464867" would find nothing. Split the text
-- into runs of letters and digits first, which is what SQLite's unicode61 tokenizer and
-- the query side do, so that every dialect finds the same events.
DROP INDEX ix_event_log_search
-- go
ALTER TABLE event_log DROP COLUMN search_vector
-- go
ALTER TABLE event_log ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(
        summary || ' ' || result || ' ' || coalesce(error_message, ''),
        '[^[:alnum:]]+', ' ', 'g'))
) STORED
-- go
CREATE INDEX ix_event_log_search ON event_log USING gin (search_vector)
