-- Events per target system over all time (see the SQLite and PostgreSQL versions).
CREATE TABLE event_totals (
    target_system   nvarchar(200) NOT NULL PRIMARY KEY,
    event_count     bigint NOT NULL
)
-- go
INSERT INTO event_totals (target_system, event_count)
SELECT target_system, COUNT_BIG(*) FROM event_log GROUP BY target_system
-- go
CREATE TRIGGER event_totals_insert ON event_log AFTER INSERT AS
BEGIN
    SET NOCOUNT ON;
    MERGE event_totals WITH (HOLDLOCK) AS r
    USING (SELECT target_system, COUNT_BIG(*) AS n FROM inserted GROUP BY target_system) AS d
    ON r.target_system = d.target_system
    WHEN MATCHED THEN UPDATE SET event_count = r.event_count + d.n
    WHEN NOT MATCHED THEN INSERT (target_system, event_count) VALUES (d.target_system, d.n);
END
-- go
CREATE TRIGGER event_totals_delete ON event_log AFTER DELETE AS
BEGIN
    SET NOCOUNT ON;
    UPDATE r SET event_count = r.event_count - d.n
    FROM event_totals AS r
    JOIN (SELECT target_system, COUNT_BIG(*) AS n FROM deleted GROUP BY target_system) AS d
    ON r.target_system = d.target_system;
END
