-- Version 11 is the long-trace index of SQLite: this dialect has its own (PostgreSQL,
-- 0008) or scans directly (SQL Server), so the version does nothing.
SELECT 1
