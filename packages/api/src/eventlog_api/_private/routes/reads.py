"""Read endpoints (events by trace, correlation, account, batch; search; traces; stats).

Owned by the read side: add handlers to ``ROUTES``; the app mounts them.
"""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
