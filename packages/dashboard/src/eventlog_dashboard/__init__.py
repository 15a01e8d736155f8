"""eventlog_dashboard: the Event Log Platform's web dashboard (a Reflex app).

It reads only through the Event Log API with the SDK's ``EventLogClient``. Serve it with
``eventlog-dashboard serve`` (``main``); ``DashboardSettings`` reads its
``EVENTLOG_DASHBOARD_*`` settings. The Reflex app itself lives in ``_private.app``
(``rxconfig.py`` in ``packages/dashboard`` points Reflex at it).
"""

from importlib.metadata import PackageNotFoundError, version

from ._private.cli import main
from ._private.settings import DashboardSettings

try:
    __version__ = version("eventlog-dashboard")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["DashboardSettings", "__version__", "main"]
