-- Traces that lasted over an hour, in an index of their own (as PostgreSQL has since
-- 0008): a time window of the trace list or the stats reads the traces that ended up to
-- an hour after its end from the activity index, and only the longer ones from here,
-- instead of scanning the activity index up to the longest trace past its end (days,
-- once one trace ran for days). The predicate is written as queries/traces.py writes it.
CREATE INDEX ix_trace_summary_long ON trace_summary
    (last_event_at DESC, trace_id, first_event_at, failure_count, account_id)
    WHERE julianday(last_event_at) - julianday(first_event_at) > 1.0 / 24
