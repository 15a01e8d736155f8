-- PostgreSQL keeps read-side counters and a long-trace index here (triggers). This
-- dialect counts and scans directly, so the version is recorded and does nothing.
SELECT 1
