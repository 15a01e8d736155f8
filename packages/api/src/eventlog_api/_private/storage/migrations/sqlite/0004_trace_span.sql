-- The longest trace (last event minus first event, in ms) ever summarised: an upper bound
-- that lets a time-window query of the trace list stop scanning. A trace active in
-- [start, end] has its last event in [start, end + longest], so the scan along
-- last_event_at is bounded at both ends. Kept by triggers on trace_summary, whichever
-- code path writes it, and only ever raised (a bound that is too wide stays correct).
CREATE TABLE trace_span_max (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    max_ms  INTEGER NOT NULL
)
-- go
INSERT INTO trace_span_max (id, max_ms)
SELECT 1, COALESCE(MAX(CAST(ROUND(
    (julianday(last_event_at) - julianday(first_event_at)) * 86400000.0) AS INTEGER)), 0)
FROM trace_summary
-- go
CREATE TRIGGER trace_span_insert AFTER INSERT ON trace_summary BEGIN
    UPDATE trace_span_max SET max_ms = CAST(ROUND(
        (julianday(new.last_event_at) - julianday(new.first_event_at)) * 86400000.0) AS INTEGER)
    WHERE id = 1 AND max_ms < CAST(ROUND(
        (julianday(new.last_event_at) - julianday(new.first_event_at)) * 86400000.0) AS INTEGER);
END
-- go
CREATE TRIGGER trace_span_update AFTER UPDATE OF first_event_at, last_event_at ON trace_summary
BEGIN
    UPDATE trace_span_max SET max_ms = CAST(ROUND(
        (julianday(new.last_event_at) - julianday(new.first_event_at)) * 86400000.0) AS INTEGER)
    WHERE id = 1 AND max_ms < CAST(ROUND(
        (julianday(new.last_event_at) - julianday(new.first_event_at)) * 86400000.0) AS INTEGER);
END
