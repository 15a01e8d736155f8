"""The timeline's arrangement: runs, parallel groups, retries, durations, derived status."""

from __future__ import annotations

from datetime import UTC, datetime

from eventlog_dashboard._private.timeline import (
    ItemKind,
    build_timeline,
    derive_status,
    duration_breakdown,
    systems_in_order,
)
from eventlog_schemas import EventStatus, EventType

from dashboard.scenarios import (
    big_trace,
    hex_id,
    parallel_retry_trace,
    simple_trace,
    to_records,
    trace_retry_trace,
)

T0 = datetime(2026, 2, 26, 14, 0, tzinfo=UTC)


def test_parallel_group_and_step_retry_are_found() -> None:
    events = to_records(parallel_retry_trace(hex_id(1), T0))
    timeline = build_timeline(events)

    assert len(timeline.runs) == 1
    kinds = [item.kind for item in timeline.items]
    assert kinds == [ItemKind.START, ItemKind.STEP, ItemKind.PARALLEL, ItemKind.STEP, ItemKind.END]
    (group,) = timeline.parallel_groups
    assert group.step_sequence == 2
    assert [b.name for b in group.branches] == ["Charge card", "Reserve stock", "Notify customer"]
    (retried,) = timeline.retried_branches
    assert retried.name == "Charge card"
    assert [a.status for a in retried.attempts] == [
        EventStatus.FAILURE,
        EventStatus.FAILURE,
        EventStatus.SUCCESS,
    ]
    assert [a.number for a in retried.attempts] == [1, 2, 3]
    assert retried.resolved
    assert group.status is EventStatus.SUCCESS
    assert timeline.retried_processes == {}


def test_unresolved_retry_makes_the_group_fail() -> None:
    events = to_records(parallel_retry_trace(hex_id(2), T0))
    # Drop the successful third charge attempt: the step stays failed.
    events = [
        e
        for e in events
        if not (e.step_name == "Charge card" and e.event_status is EventStatus.SUCCESS)
    ]
    timeline = build_timeline(events)
    (retried,) = timeline.retried_branches
    assert len(retried.attempts) == 2
    assert not retried.resolved
    assert timeline.parallel_groups[0].status is EventStatus.FAILURE


def test_same_span_progress_then_outcome_is_one_attempt() -> None:
    events = to_records(
        simple_trace(
            hex_id(3), T0, process="p", account="a", correlation="c", outcome=EventStatus.SUCCESS
        )
    )
    step = next(e for e in events if e.event_type is EventType.STEP)
    progress = step.__class__(
        **{
            **{f: getattr(step, f) for f in step.__struct_fields__},
            "event_status": EventStatus.IN_PROGRESS,
            "event_log_id": 99,
            "event_timestamp": "2026-02-26T14:00:00.100Z",
        }
    )
    timeline = build_timeline([*events, progress])
    steps = [item for item in timeline.items if item.kind is ItemKind.STEP]
    assert len(steps) == 1
    (branch,) = steps[0].branches
    assert len(branch.attempts) == 1
    assert [t.event.event_status for t in branch.attempts[0].events] == [
        EventStatus.IN_PROGRESS,
        EventStatus.SUCCESS,
    ]
    assert not branch.retried


def test_trace_level_retry_gives_two_runs() -> None:
    timeline = build_timeline(to_records(trace_retry_trace(hex_id(4), T0)))
    assert [run.attempt for run in timeline.runs] == [1, 2]
    assert [run.status for run in timeline.runs] == [EventStatus.FAILURE, EventStatus.SUCCESS]
    assert timeline.retried_processes == {"payment_capture": 2}
    # Same step name in the two runs is not a step retry: runs are separate.
    assert timeline.retried_branches == ()


def test_step_clock_slightly_before_start_stays_in_the_first_run() -> None:
    events = to_records(
        simple_trace(
            hex_id(5), T0, process="p", account=None, correlation="c", outcome=EventStatus.SUCCESS
        )
    )
    early = [
        e
        if e.event_type is not EventType.STEP
        else e.__class__(
            **{
                **{f: getattr(e, f) for f in e.__struct_fields__},
                "event_timestamp": "2026-02-26T13:59:59.000Z",
            }
        )
        for e in events
    ]
    timeline = build_timeline(early)
    assert len(timeline.runs) == 1


def test_big_trace_groups() -> None:
    events = to_records(big_trace(hex_id(6), T0, events=500))
    timeline = build_timeline(events)
    assert sum(len(item.events) for item in timeline.items) == 500
    assert len(timeline.parallel_groups) > 10
    assert all(len(g.branches) == 3 for g in timeline.parallel_groups)
    assert {b.name for b in timeline.retried_branches} >= {"Settle item 25", "Settle item 75"}


def test_derive_status_follows_the_contract() -> None:
    def status(*pairs: tuple[EventType, EventStatus]) -> EventStatus:
        base = to_records(
            simple_trace(
                hex_id(7),
                T0,
                process="p",
                account=None,
                correlation="c",
                outcome=EventStatus.IN_PROGRESS,
            )
        )[0]
        fields = {f: getattr(base, f) for f in base.__struct_fields__}
        return derive_status(
            base.__class__(**{**fields, "event_type": k, "event_status": s}) for k, s in pairs
        )

    assert (
        status((EventType.STEP, EventStatus.FAILURE), (EventType.PROCESS_END, EventStatus.SUCCESS))
        is EventStatus.SUCCESS
    )
    assert (
        status((EventType.STEP, EventStatus.FAILURE), (EventType.STEP, EventStatus.WARNING))
        is EventStatus.FAILURE
    )
    assert status((EventType.STEP, EventStatus.WARNING)) is EventStatus.WARNING
    assert status((EventType.PROCESS_START, EventStatus.IN_PROGRESS)) is EventStatus.IN_PROGRESS
    assert status((EventType.PROCESS_END, EventStatus.FAILURE)) is EventStatus.FAILURE


def test_duration_breakdown_shares_add_up_and_merge_the_rest() -> None:
    timeline = build_timeline(to_records(big_trace(hex_id(8), T0, events=200)))
    segments = duration_breakdown(timeline, max_segments=8)
    assert 1 < len(segments) <= 8
    assert abs(sum(s.share for s in segments) - 1) < 1e-9
    assert segments[-1].label.endswith("other steps")

    small = duration_breakdown(build_timeline(to_records(parallel_retry_trace(hex_id(9), T0))))
    labels = [s.label for s in small]
    assert labels == [
        "Validate order",
        "Parallel: Charge card, Reserve stock, Notify customer",
        "Ship parcel",
    ]
    # The parallel group spans from the first charge attempt (300 ms) to the last (1700 ms).
    assert small[1].duration_ms == 1400


def test_systems_in_order_of_first_contact() -> None:
    events = to_records(parallel_retry_trace(hex_id(10), T0))
    assert systems_in_order(events) == [
        "web-shop",
        "orders",
        "payments",
        "inventory",
        "notifications",
        "logistics",
    ]


def test_empty_trace() -> None:
    timeline = build_timeline([])
    assert timeline.runs == ()
    assert timeline.start_ms is None
    assert duration_breakdown(timeline) == []
