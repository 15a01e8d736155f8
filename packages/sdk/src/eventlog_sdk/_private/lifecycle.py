"""Process-wide duties of every logger: a fresh sender after ``fork``, a last flush at exit."""

from __future__ import annotations

import atexit
import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .logger import AsyncEventLogger

log = logging.getLogger("eventlog_sdk")

# Strong references on purpose: a logger the application dropped without aclose() may
# still hold events, and the exit handler must find it to flush them.
_LOGGERS: set[AsyncEventLogger] = set()


def register(logger: AsyncEventLogger) -> None:
    """Track ``logger`` for the fork and exit handlers until it is closed."""
    _LOGGERS.add(logger)


def unregister(logger: AsyncEventLogger) -> None:
    """A closed logger needs neither handler."""
    _LOGGERS.discard(logger)


def _after_fork_in_child() -> None:
    for logger in list(_LOGGERS):
        try:
            logger._after_fork_in_child()
        except Exception:  # the child must start even if one logger cannot be reset
            log.exception("eventlog_sdk: resetting a logger after fork failed")


def _at_exit() -> None:
    for logger in list(_LOGGERS):
        try:
            logger._flush_at_exit()
        except Exception:
            log.exception("eventlog_sdk: flushing a logger at exit failed")


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_at_exit)
