"""The journey narrative: outcome, systems, parallel steps, retries and errors in words."""

from __future__ import annotations

from datetime import UTC, datetime

from eventlog_dashboard._private.narrative import error_events, journey_narrative
from eventlog_dashboard._private.timeline import build_timeline
from eventlog_schemas import EventStatus

from dashboard.scenarios import (
    hex_id,
    parallel_retry_trace,
    simple_trace,
    to_records,
    trace_retry_trace,
)

T0 = datetime(2026, 2, 26, 14, 0, tzinfo=UTC)


def _tell(events, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("process", "Order fulfilment")
    kwargs.setdefault("account_id", "ACC-1")
    kwargs.setdefault("duration_ms", 2700)
    return journey_narrative(events, build_timeline(events), **kwargs)


def test_success_with_parallel_steps_and_a_resolved_retry() -> None:
    events = to_records(parallel_retry_trace(hex_id(1), T0))
    lines = _tell(events)
    assert lines[0] == "Order fulfilment for account ACC-1 succeeded in 2.7 s (9 events)."
    assert lines[1] == (
        "It went through 6 systems: web-shop → orders → payments → inventory → notifications"
        " → logistics."
    )
    assert (
        lines[2]
        == "3 steps ran in parallel at step 2: Charge card, Reserve stock and Notify customer."
    )
    assert lines[3] == "Charge card needed 3 attempts and then succeeded."
    assert lines[4] == (
        "2 errors: GATEWAY_TIMEOUT in Charge card — The payment gateway did not answer in time"
        " (2 times)."
    )


def test_trace_level_retry_and_failure_words() -> None:
    events = to_records(trace_retry_trace(hex_id(2), T0))
    lines = _tell(events, process="Payment capture", account_id=None, duration_ms=60_400)
    assert lines[0] == "Payment capture succeeded in 1 min (6 events)."
    assert (
        "The whole process (Payment capture) was started 2 times (trace-level retry);"
        " the last run succeeded." in lines
    )
    assert any(line.startswith("2 errors:") or line.startswith("1 error:") for line in lines)


def test_failed_and_in_progress_outcomes() -> None:
    failed = to_records(
        simple_trace(
            hex_id(3), T0, process="p", account="A", correlation="c", outcome=EventStatus.FAILURE
        )
    )
    assert "failed after" in _tell(failed)[0]
    assert (
        _tell(failed)[-1] == "2 errors: BOOM in Do work — The routine work step finished;"
        " FAILED in Process ended — p ended."
    )
    running = to_records(
        simple_trace(
            hex_id(4),
            T0,
            process="p",
            account="A",
            correlation="c",
            outcome=EventStatus.IN_PROGRESS,
        )
    )
    lines = _tell(running)
    assert "is still in progress after" in lines[0]
    assert lines[-1] == "No errors were recorded."


def test_total_events_beyond_the_loaded_ones_and_empty_trace() -> None:
    events = to_records(parallel_retry_trace(hex_id(5), T0))
    assert "(1,000 events)" not in _tell(events, total_events=1000)[0]
    assert "(1000 events)" in _tell(events, total_events=1000)[0]
    assert journey_narrative(
        [], build_timeline([]), process="x", account_id=None, duration_ms=None
    ) == ["This trace has no events."]


def test_error_events_are_failures_and_error_types() -> None:
    events = to_records(parallel_retry_trace(hex_id(6), T0))
    assert [e.step_name for e in error_events(events)] == ["Charge card", "Charge card"]
