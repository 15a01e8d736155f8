"""``python -m eventlog_dashboard serve ...`` (the same as the ``eventlog-dashboard`` command)."""

from eventlog_dashboard import main

main()
