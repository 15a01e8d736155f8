"""Process-wide duties of every logger: a fresh sender after ``fork``, a last flush at exit."""

from __future__ import annotations

import atexit
import logging
import os
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .logger import AsyncEventLogger

log = logging.getLogger("eventlog_sdk")

_LOGGERS: weakref.WeakSet[AsyncEventLogger] = weakref.WeakSet()


def register(logger: AsyncEventLogger) -> None:
    """Track ``logger`` for the fork and exit handlers (weakly: it may be collected)."""
    _LOGGERS.add(logger)


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
