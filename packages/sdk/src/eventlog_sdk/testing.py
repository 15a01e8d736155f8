"""Test doubles for applications that use the SDK: capture events instead of sending them.

``CapturingLogger`` has the logging surface of ``AsyncEventLogger`` (``log``,
``log_nowait``, ``process``, ``flush``, ``aclose``, ``async with``) and keeps every
event in memory, with helpers to assert on them::

    logger = CapturingLogger()
    await place_order(logger)
    logger.assert_logged(process_name="PlaceOrder", event_type="PROCESS_END",
                         event_status="SUCCESS")
    assert logger.count(event_type="STEP") == 3
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Self

import msgspec
from eventlog_schemas import EventLogEntry

from ._private.process import ProcessLogger
from ._private.settings import LoggerConfig

__all__ = ["CapturingLogger"]


def _matches(event: EventLogEntry, criteria: dict[str, Any]) -> bool:
    for name, expected in criteria.items():
        actual = getattr(event, name)
        if callable(expected) and not isinstance(expected, type):
            if not expected(actual):
                return False
        elif actual != expected:
            return False
    return True


class CapturingLogger:
    """An in-memory stand-in for ``AsyncEventLogger`` that records every event.

    Criteria of the query helpers are ``EventLogEntry`` attribute names (snake_case)
    mapped to an expected value (enums compare equal to their strings) or to a
    predicate, e.g. ``summary=lambda s: "declined" in s``.
    """

    def __init__(self, config: LoggerConfig | None = None) -> None:
        self.config = config or LoggerConfig(application_id="test-application")
        self.events: list[EventLogEntry] = []
        """Every event logged, in order."""
        self.closed = False
        self._lock = threading.Lock()

    # --- the logger surface ------------------------------------------------------------

    async def log(self, event: EventLogEntry) -> bool:
        """Record ``event``."""
        return self.log_nowait(event)

    def log_nowait(self, event: EventLogEntry) -> bool:
        """Record ``event`` (any thread)."""
        if not isinstance(event, EventLogEntry):
            raise TypeError(f"not an EventLogEntry: {type(event).__name__}")
        with self._lock:
            self.events.append(event)
        return True

    def process(self, process_name: str, **kwargs: Any) -> ProcessLogger:
        """A ``ProcessLogger`` that writes here."""
        return ProcessLogger(self, process_name, **kwargs)

    async def flush(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Nothing to flush: always ``True``."""
        return True

    async def aclose(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Mark closed (events stay readable)."""
        self.closed = True

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- queries -----------------------------------------------------------------------

    def find(self, **criteria: Any) -> list[EventLogEntry]:
        """Events matching every criterion, in logging order."""
        _check_names(criteria)
        return [e for e in self.events if _matches(e, criteria)]

    def count(self, **criteria: Any) -> int:
        """How many events match."""
        return len(self.find(**criteria))

    def events_for(
        self,
        process_name: str | None = None,
        *,
        correlation_id: str | None = None,
        trace_id: str | None = None,
    ) -> list[EventLogEntry]:
        """The events of one process (by name, correlation id or trace id), in order."""
        criteria: dict[str, Any] = {}
        if process_name is not None:
            criteria["process_name"] = process_name
        if correlation_id is not None:
            criteria["correlation_id"] = correlation_id
        if trace_id is not None:
            criteria["trace_id"] = trace_id
        return self.find(**criteria)

    def assert_logged(self, *, times: int | None = None, **criteria: Any) -> EventLogEntry:
        """Assert an event matching ``criteria`` was logged (exactly ``times`` if given).

        Returns the first match. The failure message lists the closest events.
        """
        found = self.find(**criteria)
        if found and (times is None or len(found) == times):
            return found[0]
        expected = f"exactly {times}" if times is not None else "at least one"
        raise AssertionError(
            f"expected {expected} event(s) matching {criteria!r}, found {len(found)}; "
            f"logged ({len(self.events)}):\n{self._describe(self.events)}"
        )

    def assert_not_logged(self, **criteria: Any) -> None:
        """Assert that no event matches ``criteria``."""
        found = self.find(**criteria)
        if found:
            raise AssertionError(
                f"expected no event matching {criteria!r}, found {len(found)}:\n"
                f"{self._describe(found)}"
            )

    def assert_process_completed(self, process_name: str, *, status: str = "SUCCESS") -> None:
        """Assert ``process_name`` logged PROCESS_START and a PROCESS_END with ``status``."""
        self.assert_logged(process_name=process_name, event_type="PROCESS_START")
        self.assert_logged(process_name=process_name, event_type="PROCESS_END", event_status=status)

    def clear(self) -> None:
        """Forget every recorded event."""
        with self._lock:
            self.events.clear()

    def as_dicts(self, events: Iterable[EventLogEntry] | None = None) -> list[dict[str, Any]]:
        """Events as wire-shaped dicts (camelCase), e.g. for snapshot comparisons."""
        return [msgspec.to_builtins(e) for e in (self.events if events is None else events)]

    @staticmethod
    def _describe(events: Iterable[EventLogEntry], limit: int = 20) -> str:
        rows = []
        for i, e in enumerate(events):
            if i >= limit:
                rows.append("  ...")
                break
            rows.append(
                f"  {e.process_name} {e.event_type} {e.event_status} "
                f"step={e.step_sequence}:{e.step_name} summary={e.summary!r}"
            )
        return "\n".join(rows) or "  (none)"


_FIELDS = frozenset(EventLogEntry.__struct_fields__)


def _check_names(criteria: dict[str, Callable[..., Any] | Any]) -> None:
    unknown = set(criteria) - _FIELDS
    if unknown:
        raise TypeError(f"unknown EventLogEntry field(s): {sorted(unknown)}")
