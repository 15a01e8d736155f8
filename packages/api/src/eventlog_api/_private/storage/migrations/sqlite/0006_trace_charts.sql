-- Chart rollups: traces counted per hour and per UTC day of their first event, process,
-- and chart group (status, errors, SLA class and duration bin packed in one integer, the
-- packing of queries/chart_sources.py), with the smallest duration seen in the group. The chart
-- endpoints read whole days and whole hours here and only the partial hours at the
-- edges of a window from trace_summary, so a week of charts reads a few thousand rows
-- instead of every trace of the week.
--
-- Kept by triggers on trace_summary, whichever code path writes it: the old group of a row
-- is taken out before an update (from the view, which still sees the old row) and its
-- new group put in after it. Counts are exact. The smallest duration of a group is only
-- ever lowered, so after a trace leaves a bin it may be a duration that bin no longer
-- holds - still inside the bin, which is all a percentile from the histogram promises.
-- The SLA class uses the process definition SLA when the trace was written: a new or
-- changed SLA rebuilds the rows of that process (trigger on process_definitions).
CREATE VIEW trace_chart_keys AS
SELECT trace_id, hour, day, process_name, dur,
       ((st * 2 + e) * 8 + sc) * 100000 + bin + 1 AS g
FROM (
    SELECT trace_id, hour, day, process_name, st, e, dur,
           CASE WHEN f = 0 OR sla IS NULL THEN 0 WHEN dur <= sla THEN 1 ELSE 2 END AS sc,
           CASE WHEN f = 0 THEN -1 WHEN dur < 100 THEN dur
                ELSE 100 + CAST(LN(CAST(dur AS REAL) / 100) * 100 AS INTEGER) END AS bin
    FROM (
        SELECT t.trace_id,
               CAST(strftime('%s', t.first_event_at) AS INTEGER) / 3600 AS hour,
               CAST(strftime('%s', t.first_event_at) AS INTEGER) / 86400 AS day,
               COALESCE(t.process_name, '') AS process_name,
               CASE WHEN t.has_success_end = 1 THEN 1 WHEN t.failure_count > 0 THEN 2
                    WHEN t.warning_count > 0 THEN 3 ELSE 4 END AS st,
               CASE WHEN t.failure_count > 0 THEN 1 ELSE 0 END AS e,
               CASE WHEN t.has_success_end = 1 OR t.failure_count > 0 THEN 1 ELSE 0 END AS f,
               CAST(ROUND((julianday(t.last_event_at) - julianday(t.first_event_at))
                    * 86400000.0) AS INTEGER) AS dur,
               (SELECT p.sla_ms FROM process_definitions p
                WHERE p.process_name = t.process_name) AS sla
        FROM trace_summary t
    )
)
-- go
-- bucket: the hour of the first event, in whole hours since 1970 (integers group faster
-- than text): process_name is empty until the PROCESS_START of the trace arrives.
CREATE TABLE trace_chart_hourly (
    bucket          INTEGER NOT NULL,
    process_name    TEXT NOT NULL,
    g               INTEGER NOT NULL,
    trace_count     INTEGER NOT NULL,
    min_duration_ms INTEGER NOT NULL,
    PRIMARY KEY (bucket, process_name, g)
) WITHOUT ROWID
-- go
-- bucket: the UTC day of the first event, in whole days since 1970.
CREATE TABLE trace_chart_daily (
    bucket          INTEGER NOT NULL,
    process_name    TEXT NOT NULL,
    g               INTEGER NOT NULL,
    trace_count     INTEGER NOT NULL,
    min_duration_ms INTEGER NOT NULL,
    PRIMARY KEY (bucket, process_name, g)
) WITHOUT ROWID
-- go
INSERT INTO trace_chart_hourly (bucket, process_name, g, trace_count, min_duration_ms)
SELECT hour, process_name, g, COUNT(*), MIN(dur) FROM trace_chart_keys GROUP BY 1, 2, 3
-- go
INSERT INTO trace_chart_daily (bucket, process_name, g, trace_count, min_duration_ms)
SELECT day, process_name, g, COUNT(*), MIN(dur) FROM trace_chart_keys GROUP BY 1, 2, 3
-- go
CREATE TRIGGER trace_chart_insert AFTER INSERT ON trace_summary BEGIN
    INSERT INTO trace_chart_hourly (bucket, process_name, g, trace_count, min_duration_ms)
    SELECT hour, process_name, g, 1, dur FROM trace_chart_keys WHERE trace_id = new.trace_id
    ON CONFLICT (bucket, process_name, g) DO UPDATE SET trace_count = trace_count + 1,
        min_duration_ms = MIN(min_duration_ms, excluded.min_duration_ms);
    INSERT INTO trace_chart_daily (bucket, process_name, g, trace_count, min_duration_ms)
    SELECT day, process_name, g, 1, dur FROM trace_chart_keys WHERE trace_id = new.trace_id
    ON CONFLICT (bucket, process_name, g) DO UPDATE SET trace_count = trace_count + 1,
        min_duration_ms = MIN(min_duration_ms, excluded.min_duration_ms);
END
-- go
CREATE TRIGGER trace_chart_update_before BEFORE UPDATE ON trace_summary BEGIN
    UPDATE trace_chart_hourly SET trace_count = trace_count - 1
    WHERE (bucket, process_name, g) =
        (SELECT hour, process_name, g FROM trace_chart_keys WHERE trace_id = old.trace_id);
    UPDATE trace_chart_daily SET trace_count = trace_count - 1
    WHERE (bucket, process_name, g) =
        (SELECT day, process_name, g FROM trace_chart_keys WHERE trace_id = old.trace_id);
END
-- go
CREATE TRIGGER trace_chart_update_after AFTER UPDATE ON trace_summary BEGIN
    INSERT INTO trace_chart_hourly (bucket, process_name, g, trace_count, min_duration_ms)
    SELECT hour, process_name, g, 1, dur FROM trace_chart_keys WHERE trace_id = new.trace_id
    ON CONFLICT (bucket, process_name, g) DO UPDATE SET trace_count = trace_count + 1,
        min_duration_ms = MIN(min_duration_ms, excluded.min_duration_ms);
    INSERT INTO trace_chart_daily (bucket, process_name, g, trace_count, min_duration_ms)
    SELECT day, process_name, g, 1, dur FROM trace_chart_keys WHERE trace_id = new.trace_id
    ON CONFLICT (bucket, process_name, g) DO UPDATE SET trace_count = trace_count + 1,
        min_duration_ms = MIN(min_duration_ms, excluded.min_duration_ms);
END
-- go
CREATE TRIGGER trace_chart_delete BEFORE DELETE ON trace_summary BEGIN
    UPDATE trace_chart_hourly SET trace_count = trace_count - 1
    WHERE (bucket, process_name, g) =
        (SELECT hour, process_name, g FROM trace_chart_keys WHERE trace_id = old.trace_id);
    UPDATE trace_chart_daily SET trace_count = trace_count - 1
    WHERE (bucket, process_name, g) =
        (SELECT day, process_name, g FROM trace_chart_keys WHERE trace_id = old.trace_id);
END
-- go
CREATE TRIGGER trace_chart_sla_insert AFTER INSERT ON process_definitions
WHEN new.sla_ms IS NOT NULL BEGIN
    DELETE FROM trace_chart_hourly WHERE process_name = new.process_name;
    DELETE FROM trace_chart_daily WHERE process_name = new.process_name;
    INSERT INTO trace_chart_hourly (bucket, process_name, g, trace_count, min_duration_ms)
    SELECT hour, process_name, g, COUNT(*), MIN(dur) FROM trace_chart_keys
    WHERE process_name = new.process_name GROUP BY 1, 2, 3;
    INSERT INTO trace_chart_daily (bucket, process_name, g, trace_count, min_duration_ms)
    SELECT day, process_name, g, COUNT(*), MIN(dur) FROM trace_chart_keys
    WHERE process_name = new.process_name GROUP BY 1, 2, 3;
END
-- go
CREATE TRIGGER trace_chart_sla_update AFTER UPDATE OF sla_ms ON process_definitions
WHEN new.sla_ms IS NOT old.sla_ms BEGIN
    DELETE FROM trace_chart_hourly WHERE process_name = new.process_name;
    DELETE FROM trace_chart_daily WHERE process_name = new.process_name;
    INSERT INTO trace_chart_hourly (bucket, process_name, g, trace_count, min_duration_ms)
    SELECT hour, process_name, g, COUNT(*), MIN(dur) FROM trace_chart_keys
    WHERE process_name = new.process_name GROUP BY 1, 2, 3;
    INSERT INTO trace_chart_daily (bucket, process_name, g, trace_count, min_duration_ms)
    SELECT day, process_name, g, COUNT(*), MIN(dur) FROM trace_chart_keys
    WHERE process_name = new.process_name GROUP BY 1, 2, 3;
END
