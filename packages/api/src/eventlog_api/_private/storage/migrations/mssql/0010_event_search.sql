-- PostgreSQL moves its full-text words to a side table here. This dialect keeps its own
-- full-text index (0001, 0002), so the version is recorded and does nothing.
SELECT 1
