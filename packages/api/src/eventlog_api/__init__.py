"""Event Log Platform REST API: Litestar on hypercorn, storage over aioodbc.

``create_app(settings)`` builds the application; ``load_settings()`` reads the
``EVENTLOG_*`` environment variables; the ``eventlog-api`` command serves, migrates and
checks. Storage speaks SQLite (embedded default), PostgreSQL and SQL Server.
"""

from ._private.app import create_app
from ._private.settings import DatabaseTarget, Dialect, Settings, SettingsError, load_settings
from ._private.version import api_version

__version__ = api_version()

__all__ = [
    "DatabaseTarget",
    "Dialect",
    "Settings",
    "SettingsError",
    "__version__",
    "create_app",
    "load_settings",
]
