"""The journey of a trace told in sentences: outcome, systems, parallel steps, retries, errors."""

from __future__ import annotations

from collections.abc import Sequence

from eventlog_schemas import EventLogRecord, EventStatus, EventType

from .formatting import format_duration_ms, humanize_name
from .timeline import Branch, Timeline, derive_status, step_name, systems_in_order

MAX_LISTED = 3
"""Parallel groups, retried steps and errors named one by one before "and N more"."""


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _outcome(
    status: EventStatus, process: str, account: str | None, duration: str, count: int
) -> str:
    subject = f"{process} for account {account}" if account else process
    events = _plural(count, "event")
    verb = {
        EventStatus.SUCCESS: f"succeeded in {duration}",
        EventStatus.FAILURE: f"failed after {duration}",
        EventStatus.WARNING: f"finished with warnings after {duration}",
        EventStatus.IN_PROGRESS: f"is still in progress after {duration}",
        EventStatus.SKIPPED: f"was skipped after {duration}",
    }[status]
    return f"{subject} {verb} ({events})."


def _systems(events: Sequence[EventLogRecord]) -> str | None:
    systems = systems_in_order(events)
    if not systems:
        return None
    if len(systems) == 1:
        return f"It stayed within {systems[0]}."
    return f"It went through {len(systems)} systems: {' → '.join(systems)}."


def _parallel(timeline: Timeline) -> str | None:
    groups = timeline.parallel_groups
    if not groups:
        return None
    parts = []
    for group in groups[:MAX_LISTED]:
        where = f" at step {group.step_sequence}" if group.step_sequence is not None else ""
        names = _join([b.name for b in group.branches])
        parts.append(f"{_plural(len(group.branches), 'step')} ran in parallel{where}: {names}")
    sentence = "; ".join(parts)
    if len(groups) > MAX_LISTED:
        sentence += f"; and {_plural(len(groups) - MAX_LISTED, 'more parallel group')}"
    return sentence[0].upper() + sentence[1:] + "."


def _retry_outcome(branch: Branch) -> str:
    if branch.status is EventStatus.IN_PROGRESS:
        return "is still running"
    if branch.resolved:
        return "then succeeded" if branch.status is EventStatus.SUCCESS else "then went through"
    return "still failed"


def _retries(timeline: Timeline) -> list[str]:
    sentences = []
    branches = timeline.retried_branches
    for branch in branches[:MAX_LISTED]:
        attempts = _plural(len(branch.attempts), "attempt")
        sentences.append(f"{branch.name} needed {attempts} and {_retry_outcome(branch)}.")
    if len(branches) > MAX_LISTED:
        extra = len(branches) - MAX_LISTED
        sentences.append(
            f"{_plural(extra, 'more step')} {'was' if extra == 1 else 'were'} retried."
        )
    for process, count in timeline.retried_processes.items():
        last = [run for run in timeline.runs if run.process_name == process][-1]
        outcome = {
            EventStatus.SUCCESS: "the last run succeeded",
            EventStatus.FAILURE: "the last run failed too",
            EventStatus.WARNING: "the last run ended with warnings",
        }.get(last.status, "the last run is still in progress")
        sentences.append(
            f"The whole process ({humanize_name(process)}) was started {count} times "
            f"(trace-level retry); {outcome}."
        )
    return sentences


def _error_text(event: EventLogRecord) -> str:
    where = step_name(event)
    code = event.error_code or event.result
    message = event.error_message or event.summary
    return f"{code} in {where} — {message}"


def error_events(events: Sequence[EventLogRecord]) -> list[EventLogRecord]:
    """The events that report a problem: failures and ``ERROR`` events, oldest first."""
    return [
        e
        for e in events
        if e.event_status is EventStatus.FAILURE or e.event_type is EventType.ERROR
    ]


def _errors(events: Sequence[EventLogRecord]) -> str:
    errors = error_events(events)
    if not errors:
        return "No errors were recorded."
    # The same error on every attempt of a retried step is told once, with its count.
    counts: dict[str, int] = {}
    for event in errors:
        text = _error_text(event)
        counts[text] = counts.get(text, 0) + 1
    told = [text if n == 1 else f"{text} ({n} times)" for text, n in counts.items()]
    head = "1 error" if len(errors) == 1 else f"{len(errors)} errors"
    if len(told) <= MAX_LISTED:
        return f"{head}: " + "; ".join(told) + "."
    return f"{head}; the first: {told[0]}; the last: {told[-1]}."


def journey_narrative(
    events: Sequence[EventLogRecord],
    timeline: Timeline,
    *,
    process: str,
    account_id: str | None,
    duration_ms: int | None,
    total_events: int | None = None,
) -> list[str]:
    """Sentences that tell what happened in a trace, in reading order.

    ``events`` are the trace's events (oldest first), ``timeline`` their arrangement,
    ``process`` the process in words; ``total_events`` is the trace's full event count
    when only part of it was loaded.
    """
    if not events:
        return ["This trace has no events."]
    status = derive_status(events)
    count = total_events if total_events is not None else len(events)
    sentences = [_outcome(status, process, account_id, format_duration_ms(duration_ms), count)]
    for sentence in (_systems(events), _parallel(timeline)):
        if sentence:
            sentences.append(sentence)
    sentences.extend(_retries(timeline))
    sentences.append(_errors(events))
    return sentences
