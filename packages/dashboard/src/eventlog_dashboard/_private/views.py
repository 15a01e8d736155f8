"""What the pages show, computed from API answers: plain rows of text for the browser.

Everything here is plain Python (no Reflex), so it is unit-tested without a browser. The
dataclasses are the state vars' item types: the browser receives them as JSON.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import quote

from eventlog_schemas import (
    AccountSummary,
    EventLogRecord,
    EventStatus,
    EventType,
    ProcessDefinition,
    TraceSummary,
)

from .formatting import (
    EMPTY,
    dumps_pretty,
    format_clock,
    format_count,
    format_duration_ms,
    format_relative,
    humanize_name,
    pretty_json,
    short_id,
    status_color,
    status_label,
    to_epoch_ms,
)
from .timeline import (
    Branch,
    ItemKind,
    Segment,
    TimedEvent,
    Timeline,
    TimelineItem,
    step_name,
)


@dataclasses.dataclass
class TraceRow:
    """One row of the trace list."""

    trace_id: str
    short_trace_id: str
    process: str
    process_name: str
    account: str
    event_count: str
    status: str
    status_label: str
    status_color: str
    duration: str
    last_activity: str
    last_activity_exact: str
    sla_label: str
    sla_color: str
    has_errors: bool


def sla_badge(
    sla_ms: int | None, breached: bool | None, duration_ms: int | None
) -> tuple[str, str]:
    """(label, colour) of a trace's SLA badge: within, breached, or no SLA."""
    if sla_ms is None:
        return "No SLA", "gray"
    if breached:
        return f"Breached ({format_duration_ms(sla_ms)})", "red"
    if breached is None and duration_ms is not None and duration_ms > sla_ms:
        return f"Breached ({format_duration_ms(sla_ms)})", "red"
    return f"Within {format_duration_ms(sla_ms)}", "green"


def trace_row(
    trace: TraceSummary, now: datetime, display_names: Mapping[str, str] | None = None
) -> TraceRow:
    """A trace-list row of one trace summary."""
    name = trace.process_name
    process = (display_names or {}).get(name or "", "") or humanize_name(name)
    sla_label, sla_color = sla_badge(trace.sla_ms, trace.sla_breached, trace.duration_ms)
    return TraceRow(
        trace_id=trace.trace_id,
        short_trace_id=short_id(trace.trace_id, 12, 4),
        process=process,
        process_name=name or "",
        account=trace.account_id or "",
        event_count=format_count(trace.event_count),
        status=trace.latest_status,
        status_label=status_label(trace.latest_status),
        status_color=status_color(trace.latest_status),
        duration=format_duration_ms(trace.duration_ms),
        last_activity=format_relative(trace.end_time, now),
        last_activity_exact=format_clock(trace.end_time),
        sla_label=sla_label,
        sla_color=sla_color,
        has_errors=trace.has_errors,
    )


def page_count(total: int, page_size: int) -> int:
    """Pages needed for ``total`` rows (at least 1, so "Page 1 of 1" for an empty list)."""
    return max(1, math.ceil(total / page_size))


def page_label(page: int, total: int, page_size: int, noun: str = "traces") -> str:
    """``Page 2 of 7 (128 traces)``."""
    word = noun[:-1] if total == 1 and noun.endswith("s") else noun
    return f"Page {page} of {page_count(total, page_size)} ({total:,} {word})"


def search_page_label(page: int, pages: int, events: int, traces: int) -> str:
    """``Page 1 of 3 (120 matching events; 17 traces on this page)``: a search pages
    over matching events, and a page lists their traces."""
    event_word = "event" if events == 1 else "events"
    trace_word = "trace" if traces == 1 else "traces"
    return (
        f"Page {page} of {pages} ({events:,} matching {event_word}; "
        f"{traces} {trace_word} on this page)"
    )


def systems_summary(names: Sequence[str], shown: int = 3) -> str:
    """``Billing, CRM, Ledger +4 more`` (the first few names of a list)."""
    if not names:
        return "None yet"
    head = ", ".join(names[:shown])
    rest = len(names) - shown
    return f"{head} +{rest} more" if rest > 0 else head


# --- the trace detail ---------------------------------------------------------------


@dataclasses.dataclass
class TimelineRow:
    """One line of the timeline: a run or group heading, or one event."""

    key: str
    kind: str
    """``run``, ``parallel``, ``retry`` (headings) or ``event``."""
    depth: int
    title: str
    detail: str
    status: str
    status_label: str
    color: str
    badge: str
    badge_color: str
    event_type: str
    system: str
    clock: str
    offset: str
    duration: str
    execution_id: str
    error: str


def _badge_for_branch(branch: Branch) -> tuple[str, str]:
    count = len(branch.attempts)
    if branch.status is EventStatus.IN_PROGRESS:
        return f"Retried · {count} attempts · running", "blue"
    if branch.resolved:
        return f"Retried · {count} attempts · resolved", "amber"
    return f"Retried · {count} attempts · unresolved", "red"


def _event_row(
    timed: TimedEvent, depth: int, origin_ms: int, badge: str = "", badge_color: str = "gray"
) -> TimelineRow:
    event = timed.event
    error = ""
    if event.error_code or event.error_message:
        error = " — ".join(x for x in (event.error_code, event.error_message) if x)
    return TimelineRow(
        key=event.execution_id,
        kind="event",
        depth=depth,
        title=step_name(event),
        detail=event.summary,
        status=event.event_status,
        status_label=status_label(event.event_status),
        color=status_color(event.event_status),
        badge=badge,
        badge_color=badge_color,
        # "Process started" already says what a start or an end is.
        event_type=""
        if event.event_type in (EventType.PROCESS_START, EventType.PROCESS_END)
        and not event.step_name
        else humanize_name(event.event_type),
        system=event.target_system,
        clock=format_clock(event.event_timestamp, with_date=False),
        offset="+" + format_duration_ms(timed.at_ms - origin_ms),
        duration=format_duration_ms(event.execution_time_ms)
        if event.execution_time_ms is not None
        else "",
        execution_id=event.execution_id,
        error=error,
    )


def _heading(  # noqa: PLR0917 - one call per heading kind, every argument is needed
    key: str,
    kind: str,
    depth: int,
    title: str,
    detail: str,
    status: str,
    badge: str,
    badge_color: str,
) -> TimelineRow:
    return TimelineRow(
        key=key,
        kind=kind,
        depth=depth,
        title=title,
        detail=detail,
        status=status,
        status_label=status_label(status),
        color=status_color(status),
        badge=badge,
        badge_color=badge_color,
        event_type="",
        system="",
        clock="",
        offset="",
        duration="",
        execution_id="",
        error="",
    )


def _branch_rows(
    branch: Branch, depth: int, origin_ms: int, key: str, parallel: bool
) -> list[TimelineRow]:
    if not branch.retried:
        return [_event_row(t, depth, origin_ms) for t in branch.events]
    badge, color = _badge_for_branch(branch)
    rows = [
        _heading(
            f"{key}:retry",
            "retry",
            depth,
            branch.name,
            ("Parallel branch retried" if parallel else "Step retried")
            + f": {len(branch.attempts)} attempts, last {status_label(branch.status).lower()}",
            branch.status,
            badge,
            color,
        )
    ]
    total = len(branch.attempts)
    for attempt in branch.attempts:
        attempt_color = "red" if attempt.status is EventStatus.FAILURE else "gray"
        for timed in attempt.events:
            rows.append(
                _event_row(
                    timed,
                    depth + 1,
                    origin_ms,
                    f"Attempt {attempt.number} of {total}",
                    attempt_color,
                )
            )
    return rows


def _item_rows(item: TimelineItem, index: str, origin_ms: int) -> list[TimelineRow]:
    if item.kind is ItemKind.PARALLEL:
        where = f"step {item.step_sequence} · " if item.step_sequence is not None else ""
        rows = [
            _heading(
                f"{index}:parallel",
                "parallel",
                0,
                f"Parallel · {len(item.branches)} steps",
                where + ", ".join(b.name for b in item.branches),
                item.status,
                "Parallel",
                "violet",
            )
        ]
        for n, branch in enumerate(item.branches):
            rows.extend(_branch_rows(branch, 1, origin_ms, f"{index}:{n}", parallel=True))
        return rows
    return _branch_rows(item.branches[0], 0, origin_ms, index, parallel=False)


def timeline_rows(
    timeline: Timeline, display_names: Mapping[str, str] | None = None
) -> list[TimelineRow]:
    """The timeline flattened into rows, with headings for runs, parallel groups and retries.

    Run headings appear only when the trace has more than one run.
    """
    origin = timeline.start_ms or 0
    rows: list[TimelineRow] = []
    several = len(timeline.runs) > 1
    for run in timeline.runs:
        if several:
            name = (display_names or {}).get(run.process_name or "", "") or humanize_name(
                run.process_name
            )
            retry = run.attempt > 1
            rows.append(
                _heading(
                    f"run{run.number}",
                    "run",
                    0,
                    f"Run {run.number} · {name}",
                    (
                        f"Trace-level retry: attempt {run.attempt} of this process"
                        if retry
                        else "First run of this process"
                    )
                    + f" · started +{format_duration_ms(run.start_ms - origin)}",
                    run.status,
                    f"Retry {run.attempt}" if retry else "Run",
                    "orange" if retry else "gray",
                )
            )
        for n, item in enumerate(run.items):
            rows.extend(_item_rows(item, f"r{run.number}i{n}", origin))
    return rows


@dataclasses.dataclass
class SegmentView:
    """One part of the duration breakdown bar."""

    label: str
    duration: str
    percent: str
    width: str
    """CSS width of the part (``12.5%``)."""
    color: str
    shade: int
    """Radix colour step: neighbours alternate, so equal colours stay apart."""


def segment_views(segments: Sequence[Segment]) -> list[SegmentView]:
    """The breakdown bar's parts, ready to draw."""
    return [
        SegmentView(
            label=s.label,
            duration=format_duration_ms(s.duration_ms),
            percent=f"{s.share * 100:.0f}%",
            width=f"{max(s.share * 100, 0.5):.2f}%",
            color=status_color(s.status),
            shade=9 if index % 2 == 0 else 7,
        )
        for index, s in enumerate(segments)
    ]


@dataclasses.dataclass
class DetailField:
    """One labelled value of an event's details."""

    label: str
    value: str
    mono: bool
    link: str
    """Where the value links to (an account, a batch), or ``""``."""


@dataclasses.dataclass
class FieldGroup:
    """A titled group of fields."""

    title: str
    fields: list[DetailField]


@dataclasses.dataclass
class Payload:
    """A JSON (or text) body of an event, pretty-printed when it is JSON."""

    label: str
    text: str
    is_json: bool
    lines: int


def _field(label: str, value: object, *, mono: bool = False, link: str = "") -> DetailField | None:
    if value is None or value in ("", []):
        return None
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return DetailField(label=label, value=text, mono=mono, link=link)


def _group(title: str, *fields: DetailField | None) -> FieldGroup | None:
    present = [f for f in fields if f is not None]
    return FieldGroup(title=title, fields=present) if present else None


def entity_href(section: str, entity_id: str | None) -> str:
    """The dashboard page of an account or batch (``section``), or "" without an id.

    Ids are free text: a "/" in one must not become a path separator.
    """
    return f"/{section}/{quote(entity_id, safe='')}" if entity_id else ""


def event_field_groups(event: EventLogRecord) -> list[FieldGroup]:
    """Every field of an event, grouped (empty fields and groups left out)."""
    account_link = entity_href("accounts", event.account_id)
    batch_link = entity_href("batches", event.batch_id)
    groups = [
        _group(
            "Event",
            _field("Type", humanize_name(event.event_type)),
            _field("Status", status_label(event.event_status)),
            _field("Step", step_name(event)),
            _field("Step sequence", event.step_sequence),
            _field("Summary", event.summary),
            _field("Result", event.result),
        ),
        _group(
            "Timing",
            _field("Event time", format_clock(event.event_timestamp)),
            _field(
                "Execution time",
                format_duration_ms(event.execution_time_ms)
                if event.execution_time_ms is not None
                else None,
            ),
            _field("Received", format_clock(event.created_at)),
        ),
        _group(
            "Correlation",
            _field("Trace id", event.trace_id, mono=True),
            _field("Span id", event.span_id, mono=True),
            _field("Parent span id", event.parent_span_id, mono=True),
            _field("Span links", event.span_links, mono=True),
            _field("Correlation id", event.correlation_id, mono=True),
            _field("Account", event.account_id, mono=True, link=account_link),
            _field("Batch", event.batch_id, mono=True, link=batch_link),
            _field("Execution id", event.execution_id, mono=True),
            _field("Idempotency key", event.idempotency_key, mono=True),
        ),
        _group(
            "Systems",
            _field("Process", event.process_name),
            _field("Application", event.application_id),
            _field("Originating system", event.originating_system),
            _field("Target system", event.target_system),
        ),
        _group(
            "HTTP",
            _field("Method", event.http_method),
            _field("Endpoint", event.endpoint, mono=True),
            _field("Status code", event.http_status_code),
        ),
        _group(
            "Error",
            _field("Error code", event.error_code, mono=True),
            _field("Error message", event.error_message),
        ),
    ]
    return [g for g in groups if g is not None]


def event_payloads(event: EventLogRecord) -> list[Payload]:
    """The event's JSON-ish bodies: identifiers, metadata, request and response payloads."""
    out: list[Payload] = []
    if event.identifiers:
        text = dumps_pretty(event.identifiers)
        out.append(Payload("Identifiers", text, True, text.count("\n") + 1))
    if event.metadata:
        text = dumps_pretty(event.metadata)
        out.append(Payload("Metadata", text, True, text.count("\n") + 1))
    for label, raw in (
        ("Request payload", event.request_payload),
        ("Response payload", event.response_payload),
    ):
        if raw:
            text, is_json = pretty_json(raw)
            out.append(Payload(label, text, is_json, text.count("\n") + 1))
    return out


@dataclasses.dataclass
class StatusTile:
    """One tile of the trace header: a status and how many events have it."""

    label: str
    count: int
    color: str


def status_tiles(counts: Mapping[str, int]) -> list[StatusTile]:
    """Tiles for each status, in a fixed order (zero counts included, so tiles never move)."""
    return [
        StatusTile(
            label=status_label(status), count=counts.get(status, 0), color=status_color(status)
        )
        for status in EventStatus
    ]


@dataclasses.dataclass
class SlaVerdict:
    """Whether a trace met its process's SLA."""

    label: str
    detail: str
    color: str


def sla_verdict(
    sla_ms: int | None,
    duration_ms: int | None,
    status: EventStatus,
    now_ms: int,
    start_ms: int | None,
) -> SlaVerdict:
    """The SLA verdict of a trace: met, breached (and by how much), running, or no SLA."""
    if sla_ms is None:
        return SlaVerdict("No SLA", "The process has no registered SLA.", "gray")
    limit = format_duration_ms(sla_ms)
    finished = status in (EventStatus.SUCCESS, EventStatus.FAILURE)
    if not finished and start_ms is not None:
        elapsed = max(now_ms - start_ms, duration_ms or 0)
        if elapsed > sla_ms:
            over = format_duration_ms(elapsed - sla_ms)
            return SlaVerdict("SLA breached", f"Still open, {over} past the {limit} SLA.", "red")
        left = format_duration_ms(sla_ms - elapsed)
        return SlaVerdict("Within SLA so far", f"{left} left of the {limit} SLA.", "blue")
    if duration_ms is None:
        return SlaVerdict("SLA unknown", f"No duration to compare with the {limit} SLA.", "gray")
    if duration_ms > sla_ms:
        over = format_duration_ms(duration_ms - sla_ms)
        return SlaVerdict("SLA breached", f"Took {over} longer than the {limit} SLA.", "red")
    share = duration_ms / sla_ms * 100
    return SlaVerdict("Within SLA", f"Used {share:.0f}% of the {limit} SLA.", "green")


# --- lists of events (account, batch) and process definitions --------------------------


@dataclasses.dataclass
class EventRow:
    """One event in a list (account timeline, batch events, recent errors)."""

    execution_id: str
    trace_id: str
    short_trace_id: str
    clock: str
    relative: str
    process: str
    step: str
    event_type: str
    status: str
    status_label: str
    color: str
    summary: str
    system: str
    account: str
    account_href: str
    correlation_id: str
    error: str


@dataclasses.dataclass
class AccountLink:
    """An account id with the href of its page."""

    account: str
    href: str


def event_row(
    event: EventLogRecord, now: datetime, display_names: Mapping[str, str] | None = None
) -> EventRow:
    """A list row of one event."""
    name = event.process_name
    error = " — ".join(x for x in (event.error_code, event.error_message) if x)
    return EventRow(
        execution_id=event.execution_id,
        trace_id=event.trace_id,
        short_trace_id=short_id(event.trace_id),
        clock=format_clock(event.event_timestamp),
        relative=format_relative(event.event_timestamp, now),
        process=(display_names or {}).get(name, "") or humanize_name(name),
        step=step_name(event),
        event_type=humanize_name(event.event_type),
        status=event.event_status,
        status_label=status_label(event.event_status),
        color=status_color(event.event_status),
        summary=event.summary,
        system=event.target_system,
        account=event.account_id or "",
        account_href=entity_href("accounts", event.account_id),
        correlation_id=event.correlation_id,
        error=error,
    )


@dataclasses.dataclass
class ProcessRow:
    """One process definition in the processes table."""

    process_name: str
    display_name: str
    description: str
    owning_team: str
    expected_steps: str
    sla: str
    sla_ms: str
    expected_steps_raw: str
    is_active: bool
    updated: str


def process_row(definition: ProcessDefinition, now: datetime) -> ProcessRow:
    """A table row of one process definition."""
    return ProcessRow(
        process_name=definition.process_name,
        display_name=definition.display_name,
        description=definition.description,
        owning_team=definition.owning_team,
        expected_steps=format_count(definition.expected_steps),
        sla=format_duration_ms(definition.sla_ms),
        sla_ms="" if definition.sla_ms is None else str(definition.sla_ms),
        expected_steps_raw=""
        if definition.expected_steps is None
        else str(definition.expected_steps),
        is_active=definition.is_active,
        updated=format_relative(definition.updated_at, now),
    )


@dataclasses.dataclass
class SummaryItem:
    """A labelled figure of a summary card."""

    label: str
    value: str


def account_summary_items(summary: AccountSummary, now: datetime) -> list[SummaryItem]:
    """The figures of an account summary card."""
    return [
        SummaryItem("Events", format_count(summary.total_events)),
        SummaryItem("Processes", format_count(summary.total_processes)),
        SummaryItem("Errors", format_count(summary.error_count)),
        SummaryItem("Last process", humanize_name(summary.last_process)),
        SummaryItem("First event", format_clock(summary.first_event_at)),
        SummaryItem(
            "Last event",
            f"{format_clock(summary.last_event_at)} ({format_relative(summary.last_event_at, now)})"
            if summary.last_event_at
            else EMPTY,
        ),
        SummaryItem("Systems", ", ".join(summary.systems_touched) or EMPTY),
    ]


def trace_duration_ms(start: str | None, end: str | None) -> int | None:
    """Milliseconds between two wire timestamps."""
    a, b = to_epoch_ms(start), to_epoch_ms(end)
    return None if a is None or b is None else b - a
