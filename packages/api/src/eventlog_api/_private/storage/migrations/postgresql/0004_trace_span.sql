-- The longest trace (last event minus first event, in ms) ever summarised: an upper bound
-- that lets a time-window query of the trace list stop scanning. A trace active in
-- [start, end] has its last event in [start, end + longest], so the scan along
-- last_event_at is bounded at both ends. Kept by statement-level triggers on
-- trace_summary, and only ever raised (a bound that is too wide stays correct). One row
-- per writer backend (shard), so concurrent writers never wait for each other here.
CREATE TABLE trace_span_max (
    shard   integer PRIMARY KEY,
    max_ms  bigint NOT NULL
)
-- go
INSERT INTO trace_span_max (shard, max_ms)
SELECT 0, COALESCE(MAX(CAST(ROUND(date_part('epoch', last_event_at - first_event_at) * 1000)
    AS bigint)), 0)
FROM trace_summary
-- go
CREATE FUNCTION trace_span_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO trace_span_max AS m (shard, max_ms)
    SELECT pg_backend_pid() % 16,
           MAX(CAST(ROUND(date_part('epoch', last_event_at - first_event_at) * 1000) AS bigint))
    FROM new_rows HAVING COUNT(*) > 0
    ON CONFLICT (shard) DO UPDATE SET max_ms = EXCLUDED.max_ms
    WHERE m.max_ms < EXCLUDED.max_ms;
    RETURN NULL;
END
$$
-- go
CREATE TRIGGER trace_span_insert AFTER INSERT ON trace_summary
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trace_span_note()
-- go
CREATE TRIGGER trace_span_update AFTER UPDATE ON trace_summary
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trace_span_note()
