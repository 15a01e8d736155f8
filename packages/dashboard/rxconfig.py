"""Reflex configuration of the Event Log dashboard; this folder is the Reflex app folder.

Run the app with ``eventlog-dashboard serve`` (or ``make run``), which sets the ports and
the build folder; a bare ``reflex run`` here works too and stays offline-safe.
"""

from __future__ import annotations

import os

import reflex as rx
from eventlog_dashboard._private.settings import REFLEX_OFFLINE_ENV, DashboardSettings

for _name, _value in REFLEX_OFFLINE_ENV.items():
    os.environ.setdefault(_name, _value)

_settings = DashboardSettings.from_env()

config = rx.Config(
    app_name="eventlog_dashboard",
    app_module_import="eventlog_dashboard._private.app",
    telemetry_enabled=False,
    # bun from the npm registry (scripts/install-bun.sh): Reflex's own download cannot work.
    bun_path=_settings.bun_path,
    show_built_with_reflex=False,
    default_color_mode="light",
    plugins=[rx.plugins.SitemapPlugin(), rx.plugins.RadixThemesPlugin()],
)
