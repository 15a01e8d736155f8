"""Read endpoints (events by trace, correlation, account, batch; search; traces; stats).

Owned by the read side; the handlers live in ``read_events``, ``read_traces`` and
``read_dashboard``, and the app mounts ``ROUTES``.
"""

from __future__ import annotations

from typing import Any

from . import read_dashboard, read_events, read_traces

ROUTES: list[Any] = [*read_events.ROUTES, *read_traces.ROUTES, *read_dashboard.ROUTES]
