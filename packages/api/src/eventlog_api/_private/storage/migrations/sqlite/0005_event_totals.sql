-- Events per target system over all time, kept by triggers like the hourly rollup: the
-- dashboard totals without a window read a few rows instead of every hour of the rollup.
CREATE TABLE event_totals (
    target_system   TEXT PRIMARY KEY,
    event_count     INTEGER NOT NULL
) WITHOUT ROWID
-- go
INSERT INTO event_totals (target_system, event_count)
SELECT target_system, count(*) FROM event_log GROUP BY target_system
-- go
CREATE TRIGGER event_totals_insert AFTER INSERT ON event_log BEGIN
    INSERT INTO event_totals (target_system, event_count) VALUES (new.target_system, 1)
    ON CONFLICT (target_system) DO UPDATE SET event_count = event_count + 1;
END
-- go
CREATE TRIGGER event_totals_delete AFTER DELETE ON event_log BEGIN
    UPDATE event_totals SET event_count = event_count - 1
    WHERE target_system = old.target_system;
END
