-- Traces per account, kept by statement-level triggers on trace_summary, so that the
-- all-time dashboard stats count distinct accounts in one narrow table instead of
-- grouping the account index of every trace. That index served nothing else (the trace
-- list filters accounts by substring), and every summary write paid for it: it goes.
--
-- Writers take turns on these rows (an advisory lock held to commit, as for the chart
-- rollups of 0006): a statement fires its update trigger and then its insert trigger,
-- two ordered passes that concurrent writers could otherwise interleave into a deadlock.
-- Rows that drop to zero stay (accounts rarely move): readers count rows above zero.
CREATE TABLE account_trace_counts (
    account_id      text PRIMARY KEY,
    trace_count     integer NOT NULL
)
-- go
INSERT INTO account_trace_counts (account_id, trace_count)
SELECT account_id, COUNT(*) FROM trace_summary WHERE account_id IS NOT NULL GROUP BY account_id
-- go
CREATE FUNCTION account_counts_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(4242009, 0);
    IF TG_OP = 'INSERT' THEN
        INSERT INTO account_trace_counts AS r (account_id, trace_count)
        SELECT account_id, COUNT(*) FROM new_rows WHERE account_id IS NOT NULL
        GROUP BY account_id ORDER BY account_id
        ON CONFLICT (account_id) DO UPDATE SET trace_count = r.trace_count + EXCLUDED.trace_count;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO account_trace_counts AS r (account_id, trace_count)
        SELECT account_id, SUM(n) FROM (
            SELECT n.account_id, 1 AS n FROM old_rows o JOIN new_rows n USING (trace_id)
            WHERE n.account_id IS NOT NULL AND o.account_id IS DISTINCT FROM n.account_id
            UNION ALL
            SELECT o.account_id, -1 FROM old_rows o JOIN new_rows n USING (trace_id)
            WHERE o.account_id IS NOT NULL AND o.account_id IS DISTINCT FROM n.account_id
        ) d GROUP BY account_id ORDER BY account_id
        ON CONFLICT (account_id) DO UPDATE SET trace_count = r.trace_count + EXCLUDED.trace_count;
    ELSE
        UPDATE account_trace_counts r SET trace_count = r.trace_count - d.n
        FROM (SELECT account_id, COUNT(*) AS n FROM old_rows WHERE account_id IS NOT NULL
              GROUP BY account_id) d
        WHERE r.account_id = d.account_id;
    END IF;
    RETURN NULL;
END
$$
-- go
CREATE FUNCTION account_counts_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE account_trace_counts;
    RETURN NULL;
END
$$
-- go
CREATE TRIGGER account_counts_insert AFTER INSERT ON trace_summary
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION account_counts_on_change()
-- go
CREATE TRIGGER account_counts_update AFTER UPDATE ON trace_summary
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION account_counts_on_change()
-- go
CREATE TRIGGER account_counts_delete AFTER DELETE ON trace_summary
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION account_counts_on_change()
-- go
CREATE TRIGGER account_counts_truncate AFTER TRUNCATE ON trace_summary
    FOR EACH STATEMENT EXECUTE FUNCTION account_counts_on_truncate()
-- go
DROP INDEX ix_trace_summary_account
