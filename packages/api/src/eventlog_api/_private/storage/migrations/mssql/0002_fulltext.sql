-- no-transaction
-- Full-text search over summary, result and error message. SQL Server refuses full-text
-- DDL inside a transaction, and not every installation has the full-text feature: where
-- it is missing, the read side falls back to LIKE.

IF FULLTEXTSERVICEPROPERTY('IsFullTextInstalled') = 1
BEGIN
    IF NOT EXISTS (SELECT 1 FROM sys.fulltext_catalogs WHERE name = 'eventlog_catalog')
        EXEC('CREATE FULLTEXT CATALOG eventlog_catalog');
    IF NOT EXISTS (SELECT 1 FROM sys.fulltext_indexes WHERE object_id = OBJECT_ID('event_log'))
        EXEC('CREATE FULLTEXT INDEX ON event_log (summary, result, error_message)
              KEY INDEX pk_event_log ON eventlog_catalog WITH CHANGE_TRACKING AUTO');
END
