-- Version 2 is SQL Server's full-text index (its DDL cannot run in a transaction);
-- this dialect builds full text in 0001, so the version is recorded and does nothing.
SELECT 1
