-- Version 9 is the per-account trace counts of SQLite and PostgreSQL (all-time distinct
-- accounts). SQL Server keeps grouping its account index: the version does nothing.
SELECT 1
