"""``python -m eventlog_api`` is the ``eventlog-api`` command."""

from ._private.cli import main

main()
