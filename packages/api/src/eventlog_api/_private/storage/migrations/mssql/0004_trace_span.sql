-- The longest trace (ms) ever summarised: an upper bound for time-window scans of the
-- trace list (see the SQLite and PostgreSQL versions). Only ever raised.
CREATE TABLE trace_span_max (
    id      int NOT NULL PRIMARY KEY,
    max_ms  bigint NOT NULL
)
-- go
INSERT INTO trace_span_max (id, max_ms)
SELECT 1, COALESCE(MAX(DATEDIFF_BIG(millisecond, first_event_at, last_event_at)), 0)
FROM trace_summary
-- go
CREATE TRIGGER trace_span_note ON trace_summary AFTER INSERT, UPDATE AS
BEGIN
    SET NOCOUNT ON;
    UPDATE trace_span_max
    SET max_ms = x.max_ms
    FROM (SELECT MAX(DATEDIFF_BIG(millisecond, first_event_at, last_event_at)) AS max_ms
          FROM inserted) AS x
    WHERE trace_span_max.id = 1 AND trace_span_max.max_ms < x.max_ms;
END
