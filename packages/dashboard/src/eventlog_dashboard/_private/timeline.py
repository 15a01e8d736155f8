"""The shape of a trace: runs, steps, parallel groups, retries and where the time went.

Rules (from the contract): parallel steps share ``parentSpanId`` and ``stepSequence``
with different ``stepName``s; a retried step repeats ``stepSequence``, ``parentSpanId``
and ``stepName``; a trace-level retry is another ``PROCESS_START`` of the same process.
Events of one attempt share a span id (an ``IN_PROGRESS`` then its outcome); a new span
id, or any event after an attempt already reached an outcome, starts the next attempt.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eventlog_schemas import EventLogRecord, EventStatus, EventType

from .formatting import humanize_name, to_epoch_ms


def derive_status(events: Iterable[EventLogRecord]) -> EventStatus:
    """The contract's derived trace status.

    ``SUCCESS`` with a successful ``PROCESS_END``; else ``FAILURE`` if any event failed;
    else ``WARNING`` if any warned; else ``IN_PROGRESS``.
    """
    failed = warned = False
    for event in events:
        if event.event_type is EventType.PROCESS_END and event.event_status is EventStatus.SUCCESS:
            return EventStatus.SUCCESS
        failed = failed or event.event_status is EventStatus.FAILURE
        warned = warned or event.event_status is EventStatus.WARNING
    if failed:
        return EventStatus.FAILURE
    if warned:
        return EventStatus.WARNING
    return EventStatus.IN_PROGRESS


_OUTCOMES = frozenset(
    {EventStatus.SUCCESS, EventStatus.FAILURE, EventStatus.SKIPPED, EventStatus.WARNING}
)


@dataclass(frozen=True, slots=True)
class TimedEvent:
    """An event with its timestamp in epoch milliseconds (parsed once)."""

    event: EventLogRecord
    at_ms: int


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try of a step: the events of one span, up to its outcome."""

    number: int
    events: tuple[TimedEvent, ...]

    @property
    def status(self) -> EventStatus:
        """The status of the attempt's last event."""
        return self.events[-1].event.event_status

    @property
    def start_ms(self) -> int:
        """When the attempt's first event happened."""
        return self.events[0].at_ms

    @property
    def end_ms(self) -> int:
        """When the attempt's last event happened."""
        return self.events[-1].at_ms


@dataclass(frozen=True, slots=True)
class Branch:
    """One named step at one position (a parallel group has several)."""

    name: str
    attempts: tuple[Attempt, ...]

    @property
    def retried(self) -> bool:
        """True when the step ran more than once."""
        return len(self.attempts) > 1

    @property
    def status(self) -> EventStatus:
        """The status of the last attempt."""
        return self.attempts[-1].status

    @property
    def resolved(self) -> bool:
        """True when the last attempt reached an outcome other than failure."""
        return self.status in _OUTCOMES and self.status is not EventStatus.FAILURE

    @property
    def events(self) -> tuple[TimedEvent, ...]:
        """Every event of every attempt, in order."""
        return tuple(timed for attempt in self.attempts for timed in attempt.events)


class ItemKind(enum.StrEnum):
    """What one entry of the timeline is."""

    START = "start"
    STEP = "step"
    PARALLEL = "parallel"
    END = "end"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One entry of a run: a start, a step (maybe retried), a parallel group, an end, an error."""

    kind: ItemKind
    step_sequence: int | None
    branches: tuple[Branch, ...]
    """The step (one branch) or the parallel steps; one branch of one event otherwise."""

    @property
    def events(self) -> tuple[TimedEvent, ...]:
        """Every event of the item, in time order."""
        return tuple(sorted((t for b in self.branches for t in b.events), key=_order))

    @property
    def start_ms(self) -> int:
        """When the item's first event happened."""
        return min(b.attempts[0].start_ms for b in self.branches)

    @property
    def end_ms(self) -> int:
        """When the item's last event happened."""
        return max(b.attempts[-1].end_ms for b in self.branches)

    @property
    def status(self) -> EventStatus:
        """FAILURE if a branch ended failed, else WARNING, IN_PROGRESS, or the common status."""
        statuses = {b.status for b in self.branches}
        for status in (EventStatus.FAILURE, EventStatus.WARNING, EventStatus.IN_PROGRESS):
            if status in statuses:
                return status
        if statuses == {EventStatus.SKIPPED}:
            return EventStatus.SKIPPED
        return EventStatus.SUCCESS

    @property
    def label(self) -> str:
        """The item in words: a step name, or the parallel step names."""
        if self.kind is ItemKind.PARALLEL:
            return ", ".join(b.name for b in self.branches)
        return self.branches[0].name

    @property
    def longest_execution_ms(self) -> int | None:
        """The largest ``executionTimeMs`` any of its events reported."""
        values = [t.event.execution_time_ms for t in self.events]
        known = [v for v in values if v is not None]
        return max(known) if known else None


@dataclass(frozen=True, slots=True)
class Run:
    """The events from one ``PROCESS_START`` to the next one (a process instance)."""

    number: int
    """Position of the run in the trace, from 1."""
    process_name: str | None
    attempt: int
    """The how-many-th run of this process in the trace: above 1 it is a trace-level retry."""
    items: tuple[TimelineItem, ...]

    @property
    def events(self) -> tuple[TimedEvent, ...]:
        """Every event of the run, in time order."""
        return tuple(sorted((t for item in self.items for t in item.events), key=_order))

    @property
    def status(self) -> EventStatus:
        """The derived status of the run's own events."""
        return derive_status(t.event for t in self.events)

    @property
    def start_ms(self) -> int:
        """When the run's first event happened."""
        return min(item.start_ms for item in self.items)

    @property
    def end_ms(self) -> int:
        """When the run's last event happened."""
        return max(item.end_ms for item in self.items)


@dataclass(frozen=True, slots=True)
class Timeline:
    """A trace arranged for reading."""

    runs: tuple[Run, ...]

    @property
    def items(self) -> tuple[TimelineItem, ...]:
        """Every item of every run, in order."""
        return tuple(item for run in self.runs for item in run.items)

    @property
    def parallel_groups(self) -> tuple[TimelineItem, ...]:
        """The items whose steps ran in parallel."""
        return tuple(item for item in self.items if item.kind is ItemKind.PARALLEL)

    @property
    def retried_branches(self) -> tuple[Branch, ...]:
        """Every step that ran more than once."""
        return tuple(b for item in self.items for b in item.branches if b.retried)

    @property
    def retried_processes(self) -> dict[str, int]:
        """Process name → how many times it was started, for those started more than once."""
        counts: dict[str, int] = {}
        for run in self.runs:
            if run.process_name is not None:
                counts[run.process_name] = max(counts.get(run.process_name, 0), run.attempt)
        return {name: count for name, count in counts.items() if count > 1}

    @property
    def start_ms(self) -> int | None:
        """When the trace's first event happened."""
        return min((run.start_ms for run in self.runs), default=None)

    @property
    def end_ms(self) -> int | None:
        """When the trace's last event happened."""
        return max((run.end_ms for run in self.runs), default=None)


def _order(timed: TimedEvent) -> tuple[int, int, int]:
    kind = timed.event.event_type
    rank = 0 if kind is EventType.PROCESS_START else 2 if kind is EventType.PROCESS_END else 1
    return (timed.at_ms, rank, timed.event.event_log_id)


def timed_events(events: Iterable[EventLogRecord]) -> list[TimedEvent]:
    """Events with parsed times, in time order (ties: start first, end last, then id)."""
    timed = [TimedEvent(e, to_epoch_ms(e.event_timestamp) or 0) for e in events]
    timed.sort(key=_order)
    return timed


def step_name(event: EventLogRecord) -> str:
    """The name a step shows under: its ``stepName``, else its position or its type."""
    if event.step_name:
        return event.step_name
    if event.step_sequence is not None and event.event_type is EventType.STEP:
        return f"Step {event.step_sequence}"
    return {
        EventType.PROCESS_START: "Process started",
        EventType.PROCESS_END: "Process ended",
        EventType.ERROR: "Error",
        EventType.STEP: "Step",
    }[event.event_type]


def _split_runs(timed: Sequence[TimedEvent]) -> list[list[TimedEvent]]:
    runs: list[list[TimedEvent]] = []
    current: list[TimedEvent] = []
    started = False
    for item in timed:
        if item.event.event_type is EventType.PROCESS_START:
            # A start opens a new run unless this one has not started yet (a step whose
            # clock ran a little ahead of the start belongs with it).
            if started:
                runs.append(current)
                current = []
            started = True
        current.append(item)
    if current:
        runs.append(current)
    return runs


def _attempts(events: Sequence[TimedEvent]) -> tuple[Attempt, ...]:
    groups: list[list[TimedEvent]] = []
    for timed in events:
        if groups:
            last = groups[-1]
            same_span = timed.event.span_id == last[-1].event.span_id
            finished = last[-1].event.event_status in _OUTCOMES
            if same_span and not finished:
                last.append(timed)
                continue
        groups.append([timed])
    return tuple(Attempt(number=i + 1, events=tuple(g)) for i, g in enumerate(groups))


def _single(kind: ItemKind, timed: TimedEvent) -> TimelineItem:
    branch = Branch(name=step_name(timed.event), attempts=(Attempt(1, (timed,)),))
    return TimelineItem(kind=kind, step_sequence=timed.event.step_sequence, branches=(branch,))


_SINGLE_KINDS = {
    EventType.PROCESS_START: ItemKind.START,
    EventType.PROCESS_END: ItemKind.END,
    EventType.ERROR: ItemKind.ERROR,
}


def _items(events: Sequence[TimedEvent]) -> tuple[TimelineItem, ...]:
    items: list[TimelineItem] = []
    # step key → step name → events; dicts keep first-seen order
    steps: dict[tuple[str | None, str], dict[str, list[TimedEvent]]] = {}
    for timed in events:
        event = timed.event
        kind = _SINGLE_KINDS.get(event.event_type)
        if kind is not None:
            items.append(_single(kind, timed))
            continue
        position = (
            f"#{event.step_sequence}" if event.step_sequence is not None else f"@{step_name(event)}"
        )
        by_name = steps.setdefault((event.parent_span_id, position), {})
        by_name.setdefault(step_name(event), []).append(timed)
    for by_name in steps.values():
        branches = tuple(
            Branch(name=name, attempts=_attempts(group)) for name, group in by_name.items()
        )
        first = branches[0].attempts[0].events[0].event
        items.append(
            TimelineItem(
                kind=ItemKind.PARALLEL if len(branches) > 1 else ItemKind.STEP,
                step_sequence=first.step_sequence,
                branches=branches,
            )
        )
    rank = {ItemKind.START: 0, ItemKind.END: 2}
    items.sort(key=lambda item: (item.start_ms, rank.get(item.kind, 1)))
    return tuple(items)


def build_timeline(events: Iterable[EventLogRecord]) -> Timeline:
    """Arrange a trace's events into runs of items (see the module docstring for the rules)."""
    timed = timed_events(events)
    runs: list[Run] = []
    seen: dict[str | None, int] = {}
    for number, run_events in enumerate(_split_runs(timed), start=1):
        start = next(
            (t.event for t in run_events if t.event.event_type is EventType.PROCESS_START), None
        )
        process = start.process_name if start is not None else run_events[0].event.process_name
        attempt = seen.get(process, 0) + 1 if start is not None else 1
        if start is not None:
            seen[process] = attempt
        runs.append(
            Run(number=number, process_name=process, attempt=attempt, items=_items(run_events))
        )
    return Timeline(runs=tuple(runs))


@dataclass(frozen=True, slots=True)
class Segment:
    """One part of the duration breakdown bar."""

    label: str
    duration_ms: int
    share: float
    """Fraction of the bar, 0-1."""
    status: EventStatus


def item_duration_ms(item: TimelineItem, previous_end_ms: int | None) -> int:
    """How long an item took.

    Its reported ``executionTimeMs`` or the time between its first and last events,
    whichever is larger; for an instant item (one event, nothing reported), the time
    since the previous item ended (events usually mark the moment a step finished).
    """
    span = item.end_ms - item.start_ms
    reported = item.longest_execution_ms or 0
    duration = max(span, reported)
    if duration == 0 and previous_end_ms is not None:
        duration = max(0, item.start_ms - previous_end_ms)
    return duration


def duration_breakdown(timeline: Timeline, max_segments: int = 8) -> list[Segment]:
    """Where a trace's time went: its steps by duration, the smallest merged into "Other".

    Starts and ends of processes are markers, not work, and are left out. Segments keep
    timeline order; shares add up to 1 (or the list is empty when nothing took time).
    """
    parts: list[tuple[str, int, EventStatus]] = []
    previous_end: int | None = None
    for item in timeline.items:
        if item.kind in (ItemKind.START, ItemKind.END):
            previous_end = item.end_ms if previous_end is None else max(previous_end, item.end_ms)
            continue
        duration = item_duration_ms(item, previous_end)
        label = f"Parallel: {item.label}" if item.kind is ItemKind.PARALLEL else item.label
        parts.append((label, duration, item.status))
        previous_end = item.end_ms if previous_end is None else max(previous_end, item.end_ms)
    total = sum(d for _, d, _ in parts)
    if total <= 0:
        return []
    if len(parts) <= max_segments:
        keep = set(range(len(parts)))
    else:  # the largest ones, and one "other" segment for the rest
        keep = set(sorted(range(len(parts)), key=lambda i: -parts[i][1])[: max_segments - 1])
    segments = [
        Segment(label=label, duration_ms=d, share=d / total, status=status)
        for i, (label, d, status) in enumerate(parts)
        if i in keep and d > 0
    ]
    rest = [parts[i] for i in range(len(parts)) if i not in keep]
    rest_ms = sum(d for _, d, _ in rest)
    if rest_ms > 0:
        worst = derive_status_of(s for _, _, s in rest)
        segments.append(
            Segment(
                label=f"{len(rest)} other steps",
                duration_ms=rest_ms,
                share=rest_ms / total,
                status=worst,
            )
        )
    return segments


def derive_status_of(statuses: Iterable[EventStatus]) -> EventStatus:
    """The most telling of several statuses: failure, warning, in progress, else success."""
    seen = set(statuses)
    for status in (EventStatus.FAILURE, EventStatus.WARNING, EventStatus.IN_PROGRESS):
        if status in seen:
            return status
    return EventStatus.SUCCESS


def systems_in_order(events: Iterable[EventLogRecord]) -> list[str]:
    """The systems a trace went through, each once, in the order it first reached them."""
    seen: dict[str, None] = {}
    for timed in timed_events(events):
        for system in (timed.event.originating_system, timed.event.target_system):
            seen.setdefault(system, None)
    return list(seen)


def process_label(name: str | None, display_names: dict[str, str] | None = None) -> str:
    """A process in words: its registered display name, else its name humanised."""
    if name and display_names and name in display_names:
        return display_names[name]
    return humanize_name(name)
