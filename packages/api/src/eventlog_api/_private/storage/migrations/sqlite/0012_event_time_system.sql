-- Version 12 widens the time index of PostgreSQL (events of partial hours counted from the
-- index). This dialect keeps its own time index: the version does nothing.
SELECT 1
