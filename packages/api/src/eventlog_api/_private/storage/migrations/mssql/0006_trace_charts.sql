-- Version 6 is the chart rollups of SQLite and PostgreSQL. SQL Server reads charts from
-- trace_summary trace by trace (queries/chart_sources.py), so the version does nothing.
SELECT 1
