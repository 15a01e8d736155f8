-- Version 9 is the per-account trace counts of SQLite (all-time distinct accounts), which
-- SQL Server does not need: the version is recorded and does nothing.
SELECT 1
