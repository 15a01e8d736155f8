-- Chart rollups: traces counted per hour and per UTC day of their first event, process,
-- and chart group (status, errors, SLA class and duration bin packed in one integer, the
-- packing of queries/chart_sources.py), with the smallest duration seen in the group.
-- The chart endpoints read whole days and whole hours here and only the partial hours at
-- a edges of a window from trace_summary, so a week of charts reads a few thousand rows
-- instead of every trace of the week.
--
-- Kept by statement-level triggers on trace_summary (whichever code path writes it): the
-- groups of the old rows are taken out and those of the new rows put in, in one ordered upsert per
-- table, so concurrent writers lock rollup rows in the same order. Counts are exact. The
-- smallest duration of a group is only ever lowered, so after a trace leaves a bin it may
-- be a duration that bin no longer holds - still inside the bin, which is all a
-- percentile from the histogram promises. The SLA class uses the process definition
-- SLA when the trace was written: a new or changed SLA rebuilds the rows of that process.
-- PL/pgSQL rather than SQL: a SQL function with sub-selects is not inlined, and calling
-- it row by row cost 50 times as much.
CREATE FUNCTION trace_chart_group(
    first_at timestamptz, last_at timestamptz, success_end boolean, failures integer,
    warnings integer, sla bigint
) RETURNS bigint LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    finished boolean := success_end OR failures > 0;
    dur bigint := CAST(ROUND(date_part('epoch', last_at - first_at) * 1000) AS bigint);
    st integer := CASE WHEN success_end THEN 1 WHEN failures > 0 THEN 2
                       WHEN warnings > 0 THEN 3 ELSE 4 END;
    e integer := CASE WHEN failures > 0 THEN 1 ELSE 0 END;
    sc integer := CASE WHEN NOT finished OR sla IS NULL THEN 0 WHEN dur <= sla THEN 1 ELSE 2 END;
    bin integer := CASE WHEN NOT finished THEN -1 WHEN dur < 100 THEN dur
                        ELSE 100 + CAST(LN(CAST(dur AS double precision) / 100) * 100 AS INTEGER)
                   END;
BEGIN
    RETURN ((st * 2 + e) * 8 + sc) * 100000 + bin + 1;
END
$$
-- go
-- bucket: whole hours since 1970 of the first event: process_name is empty until the
-- PROCESS_START of the trace arrives.
CREATE TABLE trace_chart_hourly (
    bucket          bigint NOT NULL,
    process_name    text NOT NULL,
    g               bigint NOT NULL,
    trace_count     integer NOT NULL,
    min_duration_ms bigint NOT NULL,
    PRIMARY KEY (bucket, process_name, g)
)
-- go
-- bucket: whole days since 1970 (UTC days) of the first event.
CREATE TABLE trace_chart_daily (
    bucket          bigint NOT NULL,
    process_name    text NOT NULL,
    g               bigint NOT NULL,
    trace_count     integer NOT NULL,
    min_duration_ms bigint NOT NULL,
    PRIMARY KEY (bucket, process_name, g)
)
-- go
-- The contribution of one trace to the rollups (n = 1 to add it, -1 to take it out).
CREATE TYPE trace_chart_delta AS (
    hour bigint, process_name text, g bigint, dur bigint, n integer
)
-- go
-- ``sla``: the SLA of the process of the trace (joined by the caller).
CREATE FUNCTION trace_chart_delta_of(x trace_summary, sla bigint, n integer)
RETURNS trace_chart_delta LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN ROW(
        CAST(floor(date_part('epoch', x.first_event_at) / 3600) AS bigint),
        COALESCE(x.process_name, ''),
        trace_chart_group(x.first_event_at, x.last_event_at, x.has_success_end,
                          x.failure_count, x.warning_count, sla),
        CAST(ROUND(date_part('epoch', x.last_event_at - x.first_event_at) * 1000) AS bigint),
        n)::trace_chart_delta;
END
$$
-- go
-- Adds deltas into both rollups, grouped and in key order (writers lock rows in the same
-- order): a group whose deltas cancel out (a trace that stayed in its group) is skipped.
-- PL/pgSQL keeps its plan for the session: a SQL function was planned again on every call.
--
-- Writers take turns here (a transaction-level advisory lock, held to their commit): the
-- rollup rows of the current hour are shared by every writer, and one upsert statement
-- fires the update trigger and then the insert trigger, two passes each in key order but
-- not in one order together, which two writers could interleave into a deadlock. A turn
-- is the last millisecond or so of a group statement, whose rows are already written.
CREATE FUNCTION trace_chart_add(deltas trace_chart_delta[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(4242006, 0);
    WITH k AS MATERIALIZED (SELECT * FROM unnest(deltas)),
    h AS (
        INSERT INTO trace_chart_hourly AS r (bucket, process_name, g, trace_count, min_duration_ms)
        SELECT hour, process_name, g, SUM(n), COALESCE(MIN(dur) FILTER (WHERE n > 0), 0)
        FROM k GROUP BY 1, 2, 3 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (bucket, process_name, g) DO UPDATE SET
            trace_count = r.trace_count + EXCLUDED.trace_count,
            min_duration_ms = CASE WHEN EXCLUDED.trace_count > 0
                THEN LEAST(r.min_duration_ms, EXCLUDED.min_duration_ms)
                ELSE r.min_duration_ms END
    )
    INSERT INTO trace_chart_daily AS r (bucket, process_name, g, trace_count, min_duration_ms)
    SELECT hour / 24, process_name, g, SUM(n), COALESCE(MIN(dur) FILTER (WHERE n > 0), 0)
    FROM k GROUP BY 1, 2, 3 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (bucket, process_name, g) DO UPDATE SET
        trace_count = r.trace_count + EXCLUDED.trace_count,
        min_duration_ms = CASE WHEN EXCLUDED.trace_count > 0
            THEN LEAST(r.min_duration_ms, EXCLUDED.min_duration_ms)
            ELSE r.min_duration_ms END;
END
$$
-- go
CREATE FUNCTION trace_chart_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM trace_chart_add(ARRAY(SELECT trace_chart_delta_of(x, p.sla_ms, 1) FROM new_rows x
            LEFT JOIN process_definitions p ON p.process_name = x.process_name));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM trace_chart_add(ARRAY(
            SELECT trace_chart_delta_of(x, p.sla_ms, 1) FROM new_rows x
            LEFT JOIN process_definitions p ON p.process_name = x.process_name
            UNION ALL
            SELECT trace_chart_delta_of(x, p.sla_ms, -1) FROM old_rows x
            LEFT JOIN process_definitions p ON p.process_name = x.process_name));
    ELSE
        PERFORM trace_chart_add(ARRAY(SELECT trace_chart_delta_of(x, p.sla_ms, -1) FROM old_rows x
            LEFT JOIN process_definitions p ON p.process_name = x.process_name));
    END IF;
    RETURN NULL;
END
$$
-- go
CREATE FUNCTION trace_chart_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE trace_chart_hourly, trace_chart_daily;
    RETURN NULL;
END
$$
-- go
CREATE TRIGGER trace_chart_insert AFTER INSERT ON trace_summary
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trace_chart_on_change()
-- go
CREATE TRIGGER trace_chart_update AFTER UPDATE ON trace_summary
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trace_chart_on_change()
-- go
CREATE TRIGGER trace_chart_delete AFTER DELETE ON trace_summary
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION trace_chart_on_change()
-- go
CREATE TRIGGER trace_chart_truncate AFTER TRUNCATE ON trace_summary
    FOR EACH STATEMENT EXECUTE FUNCTION trace_chart_on_truncate()
-- go
-- A new or changed SLA: the rows of that process again, from trace_summary. Taking the
-- turn of trace_chart_add first keeps writers out meanwhile (they would add to rows being
-- rebuilt), and each statement here reads the summaries as committed once it has it.
CREATE FUNCTION trace_chart_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(4242006, 0);
    DELETE FROM trace_chart_hourly WHERE process_name = NEW.process_name;
    DELETE FROM trace_chart_daily WHERE process_name = NEW.process_name;
    PERFORM trace_chart_add(ARRAY(SELECT trace_chart_delta_of(x, NEW.sla_ms, 1)
                                  FROM trace_summary x WHERE x.process_name = NEW.process_name));
    RETURN NULL;
END
$$
-- go
CREATE TRIGGER trace_chart_sla_insert AFTER INSERT ON process_definitions
    FOR EACH ROW WHEN (NEW.sla_ms IS NOT NULL) EXECUTE FUNCTION trace_chart_rebuild()
-- go
CREATE TRIGGER trace_chart_sla_update AFTER UPDATE OF sla_ms ON process_definitions
    FOR EACH ROW WHEN (OLD.sla_ms IS DISTINCT FROM NEW.sla_ms)
    EXECUTE FUNCTION trace_chart_rebuild()
-- go
SELECT trace_chart_add(ARRAY(SELECT trace_chart_delta_of(x, p.sla_ms, 1) FROM trace_summary x
LEFT JOIN process_definitions p ON p.process_name = x.process_name))
