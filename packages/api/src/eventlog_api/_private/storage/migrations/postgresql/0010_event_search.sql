-- Full text moves from event_log to a narrow side table: (id, time, words), one row per
-- event, kept by statement-level triggers in the same transaction as the events.
--
-- A GIN scan cannot answer alone: its bitmap heap scan visits every matching row to
-- recheck it, and that visit (for the exact total of 5-25k matches) was most of a
-- search's cost on the wide event_log rows (700 MB, mostly outside the cache). Here the
-- rows are about 140 bytes, the words carry no positions (prefix AND needs none), and a
-- match's time, for the newest-first page, is in the same row.
--
-- event_log keeps no words of its own: its generated search_vector and GIN index go, so
-- an insert writes the words once (here) instead of twice.
LOCK TABLE event_log IN SHARE ROW EXCLUSIVE MODE
-- go
CREATE TABLE event_search (
    event_log_id    bigint NOT NULL,
    event_timestamp timestamptz(3) NOT NULL,
    search_vector   tsvector NOT NULL
)
-- go
INSERT INTO event_search (event_log_id, event_timestamp, search_vector)
SELECT event_log_id, event_timestamp, strip(search_vector) FROM event_log ORDER BY event_log_id
-- go
CREATE INDEX ix_event_search ON event_search USING gin (search_vector)
-- go
-- The words exactly as migration 0003 split them: runs of letters and digits.
CREATE FUNCTION event_search_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_search (event_log_id, event_timestamp, search_vector)
    SELECT event_log_id, event_timestamp, strip(to_tsvector('simple', regexp_replace(
        summary || ' ' || result || ' ' || coalesce(error_message, ''),
        '[^[:alnum:]]+', ' ', 'g')))
    FROM new_rows;
    RETURN NULL;
END
$$
-- go
-- Nothing in the API deletes single events (the debug clear truncates); a DELETE stays
-- correct, if slow (no index on event_log_id here: every insert would pay for one).
CREATE FUNCTION event_search_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM event_search s USING old_rows o WHERE s.event_log_id = o.event_log_id;
    RETURN NULL;
END
$$
-- go
CREATE FUNCTION event_search_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE event_search;
    RETURN NULL;
END
$$
-- go
CREATE TRIGGER event_search_insert AFTER INSERT ON event_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_search_add()
-- go
CREATE TRIGGER event_search_delete AFTER DELETE ON event_log
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_search_remove()
-- go
CREATE TRIGGER event_search_truncate AFTER TRUNCATE ON event_log
    FOR EACH STATEMENT EXECUTE FUNCTION event_search_clear()
-- go
DROP INDEX ix_event_log_search
-- go
ALTER TABLE event_log DROP COLUMN search_vector
-- go
-- The search picks the words that drive the GIN scan from these statistics.
ANALYZE event_search
