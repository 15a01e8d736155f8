-- Events per target system over all time, kept by statement-level triggers like the
-- hourly rollup (one row per writer backend, so writers never wait on each other): the
-- dashboard totals without a window read a few rows instead of every hour of the rollup.
CREATE TABLE event_totals (
    target_system   text NOT NULL,
    shard           integer NOT NULL,
    event_count     bigint NOT NULL,
    PRIMARY KEY (target_system, shard)
)
-- go
INSERT INTO event_totals (target_system, shard, event_count)
SELECT target_system, 0, count(*) FROM event_log GROUP BY target_system
-- go
CREATE FUNCTION event_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_totals AS r (target_system, shard, event_count)
    SELECT target_system, pg_backend_pid() % 16, count(*) FROM new_rows
    GROUP BY target_system ORDER BY target_system
    ON CONFLICT (target_system, shard)
    DO UPDATE SET event_count = r.event_count + EXCLUDED.event_count;
    RETURN NULL;
END
$$
-- go
CREATE FUNCTION event_totals_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_totals AS r (target_system, shard, event_count)
    SELECT target_system, pg_backend_pid() % 16, -count(*) FROM old_rows
    GROUP BY target_system ORDER BY target_system
    ON CONFLICT (target_system, shard)
    DO UPDATE SET event_count = r.event_count + EXCLUDED.event_count;
    RETURN NULL;
END
$$
-- go
CREATE FUNCTION event_totals_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE event_totals;
    RETURN NULL;
END
$$
-- go
CREATE TRIGGER event_totals_insert AFTER INSERT ON event_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_totals_add()
-- go
CREATE TRIGGER event_totals_delete AFTER DELETE ON event_log
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_totals_remove()
-- go
CREATE TRIGGER event_totals_truncate AFTER TRUNCATE ON event_log
    FOR EACH STATEMENT EXECUTE FUNCTION event_totals_clear()
