-- Read-side counters and the long-trace index, kept in the same transaction as the writes.
--
-- trace_totals: traces per (process, derived status, has errors), so that the unfiltered,
-- by-status and by-process trace lists and the all-time dashboard figures read a few
-- rows instead of counting 100k+ summaries. process_name '' stands for "no PROCESS_START
-- yet" (a real name has at least one character). Statement-level triggers add what a
-- statement changed: an update that leaves a trace in the same group adds nothing.
--
-- trace_activity_daily: traces per UTC day of their last event, so that a deep page of
-- the unfiltered trace list (newest activity first) starts its index scan at the right
-- day instead of skipping up to 100k+ index entries.
--
-- Shards: every writing transaction takes a shard of its own (a transaction-scoped
-- advisory lock, tried from its backend pid onwards), so two writers never touch the same
-- counter row and never wait for each other here, whatever order their statements lock
-- rows in (one INSERT ... ON CONFLICT fires both the insert and the update trigger).
-- Readers add the shards up.
LOCK TABLE trace_summary IN SHARE ROW EXCLUSIVE MODE
-- go
CREATE FUNCTION read_counter_shard() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    s integer;
BEGIN
    FOR i IN 0..63 LOOP
        s := (pg_backend_pid() + i) % 64;
        -- Re-entrant: true again for a shard this transaction already holds.
        IF pg_try_advisory_xact_lock(4242008, s) THEN
            RETURN s;
        END IF;
    END LOOP;
    -- More than 64 writers at once: share one (this writer may wait for another).
    s := pg_backend_pid() % 64;
    PERFORM pg_advisory_xact_lock(4242008, s);
    RETURN s;
END
$$
-- go
CREATE TABLE trace_totals (
    process_name    text NOT NULL,
    derived_status  text NOT NULL,
    has_errors      boolean NOT NULL,
    shard           integer NOT NULL,
    trace_count     bigint NOT NULL,
    PRIMARY KEY (process_name, derived_status, has_errors, shard)
)
-- go
INSERT INTO trace_totals (process_name, derived_status, has_errors, shard, trace_count)
SELECT coalesce(process_name, ''), derived_status, has_errors, 0, count(*)
FROM trace_summary GROUP BY 1, 2, 3
-- go
CREATE TABLE trace_activity_daily (
    day             timestamptz(3) NOT NULL,
    shard           integer NOT NULL,
    trace_count     bigint NOT NULL,
    PRIMARY KEY (day, shard)
)
-- go
INSERT INTO trace_activity_daily (day, shard, trace_count)
SELECT date_trunc('day', last_event_at, 'UTC'), 0, count(*) FROM trace_summary GROUP BY 1
-- go
CREATE FUNCTION trace_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    my_shard integer := read_counter_shard();
BEGIN
    INSERT INTO trace_totals AS r (process_name, derived_status, has_errors, shard, trace_count)
    SELECT coalesce(process_name, ''), derived_status, has_errors, my_shard, count(*)
    FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (process_name, derived_status, has_errors, shard)
    DO UPDATE SET trace_count = r.trace_count + EXCLUDED.trace_count;
    INSERT INTO trace_activity_daily AS r (day, shard, trace_count)
    SELECT date_trunc('day', last_event_at, 'UTC'), my_shard, count(*) FROM new_rows
    GROUP BY 1 ORDER BY 1
    ON CONFLICT (day, shard) DO UPDATE SET trace_count = r.trace_count + EXCLUDED.trace_count;
    RETURN NULL;
END
$$
-- go
CREATE FUNCTION trace_totals_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    my_shard integer := read_counter_shard();
BEGIN
    -- Most updates (a trace's next events) keep its group: their +1 and -1 cancel out
    -- and no counter row is written.
    INSERT INTO trace_totals AS r (process_name, derived_status, has_errors, shard, trace_count)
    SELECT p, s, e, my_shard, n FROM (
        SELECT p, s, e, sum(n) AS n FROM (
            SELECT coalesce(process_name, '') AS p, derived_status AS s, has_errors AS e,
                   1 AS n FROM new_rows
            UNION ALL
            SELECT coalesce(process_name, ''), derived_status, has_errors, -1 FROM old_rows
        ) d GROUP BY p, s, e
    ) g WHERE n <> 0 ORDER BY p, s, e
    ON CONFLICT (process_name, derived_status, has_errors, shard)
    DO UPDATE SET trace_count = r.trace_count + EXCLUDED.trace_count;
    -- Likewise a trace whose last event stays on the same day.
    INSERT INTO trace_activity_daily AS r (day, shard, trace_count)
    SELECT day, my_shard, n FROM (
        SELECT day, sum(n) AS n FROM (
            SELECT date_trunc('day', last_event_at, 'UTC') AS day, 1 AS n FROM new_rows
            UNION ALL
            SELECT date_trunc('day', last_event_at, 'UTC'), -1 FROM old_rows
        ) d GROUP BY day
    ) g WHERE n <> 0 ORDER BY day
    ON CONFLICT (day, shard) DO UPDATE SET trace_count = r.trace_count + EXCLUDED.trace_count;
    RETURN NULL;
END
$$
-- go
CREATE FUNCTION trace_totals_remove() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    my_shard integer := read_counter_shard();
BEGIN
    INSERT INTO trace_totals AS r (process_name, derived_status, has_errors, shard, trace_count)
    SELECT coalesce(process_name, ''), derived_status, has_errors, my_shard, -count(*)
    FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (process_name, derived_status, has_errors, shard)
    DO UPDATE SET trace_count = r.trace_count + EXCLUDED.trace_count;
    INSERT INTO trace_activity_daily AS r (day, shard, trace_count)
    SELECT date_trunc('day', last_event_at, 'UTC'), my_shard, -count(*) FROM old_rows
    GROUP BY 1 ORDER BY 1
    ON CONFLICT (day, shard) DO UPDATE SET trace_count = r.trace_count + EXCLUDED.trace_count;
    RETURN NULL;
END
$$
-- go
CREATE FUNCTION trace_totals_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE trace_totals, trace_activity_daily;
    RETURN NULL;
END
$$
-- go
CREATE TRIGGER trace_totals_insert AFTER INSERT ON trace_summary
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trace_totals_add()
-- go
CREATE TRIGGER trace_totals_update AFTER UPDATE ON trace_summary
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trace_totals_change()
-- go
CREATE TRIGGER trace_totals_delete AFTER DELETE ON trace_summary
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION trace_totals_remove()
-- go
CREATE TRIGGER trace_totals_truncate AFTER TRUNCATE ON trace_summary
    FOR EACH STATEMENT EXECUTE FUNCTION trace_totals_clear()
-- go
-- Traces that lasted more than an hour (a few per cent). A time window of the trace list
-- or the statistics reads the others along last_event_at within [start, end + 1 hour]
-- and these from here, instead of scanning up to the longest trace's duration past the
-- window's end (days, when one trace ran for days).
CREATE INDEX ix_trace_summary_long ON trace_summary (last_event_at DESC, trace_id)
    INCLUDE (first_event_at, failure_count, warning_count, has_success_end, account_id)
    WHERE last_event_at - first_event_at > interval '1 hour'
