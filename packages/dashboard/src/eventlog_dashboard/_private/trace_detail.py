# mypy: disable-error-code="no-any-return"
# (Reflex's component constructors are typed as returning Any; every page function returns one.
# Calling an @rx.event handler with an argument is fine at run time but not to mypy: ignored.)
"""One trace: header, SLA verdict, narrative, duration breakdown, timeline, event details."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import msgspec
import reflex as rx
from eventlog_schemas import (
    TRACE_EVENTS_PAGE,
    EventLogRecord,
    EventStatus,
    ProcessDefinition,
    TraceEventsResponse,
)
from reflex.event import EventSpec

from . import api, ui
from .formatting import (
    format_clock,
    format_count,
    format_duration_ms,
    humanize_name,
    status_color,
    status_label,
    to_epoch_ms,
)
from .narrative import journey_narrative
from .timeline import build_timeline, derive_status, duration_breakdown, systems_in_order
from .views import (
    FieldGroup,
    Payload,
    SegmentView,
    StatusTile,
    TimelineRow,
    event_field_groups,
    event_payloads,
    segment_views,
    sla_verdict,
    status_tiles,
    timeline_rows,
)

_RECORDS = msgspec.json.Decoder(list[EventLogRecord])


async def fetch_trace(
    trace_id: str, limit: int
) -> tuple[TraceEventsResponse, list[EventLogRecord]]:
    """The trace's aggregates and up to ``limit`` of its events (oldest first).

    The first page says how many there are; the other pages are fetched together.
    """
    client = api.client()
    size = TRACE_EVENTS_PAGE.maximum
    first = await client.get_trace_events(trace_id, page=1, page_size=size)
    events = list(first.events)
    wanted = min(first.total_count, limit)
    pages = range(2, (wanted + size - 1) // size + 1)
    if pages:
        rest = await asyncio.gather(
            *(client.get_trace_events(trace_id, page=p, page_size=size) for p in pages)
        )
        for answer in rest:
            events.extend(answer.events)
    return first, events[:limit]


async def _definition(name: str | None) -> ProcessDefinition | None:
    if not name:
        return None
    for definition in await api.process_definitions():
        if definition.process_name == name:
            return definition
    return None


class TraceDetailState(rx.State):
    """What the trace page shows; the raw events stay on the server."""

    loading: bool = True
    error: str = ""
    found: bool = False
    trace: str = ""

    process: str = ""
    process_name: str = ""
    account: str = ""
    correlation_ids: rx.Field[list[str]] = rx.field(default_factory=list)
    batch_ids: rx.Field[list[str]] = rx.field(default_factory=list)
    event_count: str = ""
    duration: str = ""
    systems: str = ""
    started: str = ""
    ended: str = ""
    status_text: str = ""
    status_color_name: str = "gray"
    tiles: rx.Field[list[StatusTile]] = rx.field(default_factory=list)
    sla_label: str = ""
    sla_detail: str = ""
    sla_color: str = "gray"
    narrative: rx.Field[list[str]] = rx.field(default_factory=list)
    segments: rx.Field[list[SegmentView]] = rx.field(default_factory=list)
    rows: rx.Field[list[TimelineRow]] = rx.field(default_factory=list)
    note: str = ""

    selected: str = ""
    selected_title: str = ""
    groups: rx.Field[list[FieldGroup]] = rx.field(default_factory=list)
    payloads: rx.Field[list[Payload]] = rx.field(default_factory=list)
    expanded: rx.Field[list[str]] = rx.field(default_factory=list)

    _events_json: bytes = b"[]"

    @rx.event
    async def on_load(self) -> AsyncIterator[None]:
        """Fetch the trace named in the URL and arrange it."""
        trace_id = self.router.url.path.rstrip("/").rsplit("/", 1)[-1].lower()
        if trace_id != self.trace:
            self.rows = []
            self.found = False
            self.selected = ""
        self.trace = trace_id
        self.loading = True
        self.error = ""
        yield
        await self._load(trace_id)

    @rx.event
    async def reload(self) -> None:
        """Fetch the trace again."""
        await self._load(self.trace)

    async def _load(self, trace_id: str) -> None:
        settings = api.settings()
        try:
            (head, events), names = await asyncio.gather(
                fetch_trace(trace_id, settings.max_trace_events), api.display_names()
            )
            definition = await _definition(head.process_name)
        except Exception as exc:
            self.error = api.error_text(exc)
            self.loading = False
            return
        self.loading = False
        self.found = bool(events)
        if not events:
            return
        self._show(head, events, names, definition)

    def _show(
        self,
        head: TraceEventsResponse,
        events: list[EventLogRecord],
        names: dict[str, str],
        definition: ProcessDefinition | None,
    ) -> None:
        timeline = build_timeline(events)
        status = derive_status(events)
        process = names.get(head.process_name or "", "") or humanize_name(head.process_name)
        duration = head.total_duration_ms
        self.process = process
        self.process_name = head.process_name or ""
        self.account = head.account_id or ""
        self.correlation_ids = list(dict.fromkeys(e.correlation_id for e in events))
        self.batch_ids = list(dict.fromkeys(e.batch_id for e in events if e.batch_id))
        self.event_count = format_count(head.total_count)
        self.duration = format_duration_ms(duration)
        self.systems = " → ".join(systems_in_order(events))
        self.started = format_clock(head.start_time)
        self.ended = format_clock(head.end_time)
        self.status_text = status_label(status)
        self.status_color_name = status_color(status)
        counts = head.status_counts
        self.tiles = status_tiles(
            {
                EventStatus.SUCCESS: counts.success if counts else 0,
                EventStatus.FAILURE: counts.failure if counts else 0,
                EventStatus.IN_PROGRESS: counts.in_progress if counts else 0,
                EventStatus.WARNING: counts.warning if counts else 0,
                EventStatus.SKIPPED: counts.skipped if counts else 0,
            }
        )
        verdict = sla_verdict(
            definition.sla_ms if definition else None,
            duration,
            status,
            int(time.time() * 1000),
            to_epoch_ms(head.start_time),
        )
        self.sla_label, self.sla_detail, self.sla_color = (
            verdict.label,
            verdict.detail,
            verdict.color,
        )
        self.narrative = journey_narrative(
            events,
            timeline,
            process=process,
            account_id=head.account_id,
            duration_ms=duration,
            total_events=head.total_count,
        )
        self.segments = segment_views(duration_breakdown(timeline))
        self.rows = timeline_rows(timeline, names)
        self.note = (
            f"Showing the first {len(events):,} of {head.total_count:,} events."
            if head.total_count > len(events)
            else ""
        )
        self._events_json = msgspec.json.encode(events)
        first_problem = next((e for e in events if e.event_status is EventStatus.FAILURE), None)
        self._select((first_problem or events[0]).execution_id, events)

    def _select(self, execution_id: str, events: list[EventLogRecord] | None = None) -> None:
        records = events if events is not None else _RECORDS.decode(self._events_json)
        event = next((e for e in records if e.execution_id == execution_id), None)
        if event is None:
            return
        self.selected = execution_id
        self.selected_title = (
            f"{humanize_name(event.event_type)} · {event.step_name or event.summary}"
        )
        self.groups = event_field_groups(event)
        self.payloads = event_payloads(event)
        self.expanded = []

    @rx.event
    def select(self, execution_id: str) -> None:
        """Show one event's details."""
        self._select(execution_id)

    @rx.event
    def toggle_payload(self, label: str) -> None:
        """Expand or collapse one payload."""
        self.expanded = (
            [x for x in self.expanded if x != label]
            if label in self.expanded
            else [*self.expanded, label]
        )

    @rx.event
    def download(self) -> EventSpec:
        """The trace's events as a JSON file."""
        body = msgspec.json.format(self._events_json, indent=2).decode()
        return rx.download(
            data=body, filename=f"trace-{self.trace}.json", mime_type="application/json"
        )


S = TraceDetailState


def _header() -> rx.Component:
    return ui.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    ui.status_badge(S.status_text, S.status_color_name, size="2"),
                    rx.badge(
                        S.sla_label,
                        color_scheme=S.sla_color,
                        variant="outline",
                        radius="full",
                        size="2",
                        id="sla-verdict",
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.heading(S.process, size="6", weight="bold", id="trace-process"),
                rx.text(S.sla_detail, size="2", color=rx.color("gray", 11)),
                spacing="2",
                align="start",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("download", size=14),
                    "Download JSON",
                    on_click=S.download,
                    variant="soft",
                    size="2",
                    id="download-json",
                ),
                rx.button(
                    rx.icon("refresh-cw", size=14),
                    "Reload",
                    on_click=S.reload,
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                ),
                spacing="2",
            ),
            justify="between",
            align="start",
            wrap="wrap",
            gap="12px",
        ),
        rx.grid(
            ui.label_value(
                "Trace id",
                rx.hstack(
                    ui.mono(S.trace, size="1", word_break="break-all", id="trace-id"),
                    ui.copy_button(S.trace, "Copy trace id"),
                    spacing="1",
                    align="center",
                ),
            ),
            ui.label_value(
                "Account",
                rx.cond(
                    S.account != "",
                    rx.hstack(
                        rx.link(ui.mono(S.account, size="1"), href="/accounts/" + S.account),
                        ui.copy_button(S.account, "Copy account id"),
                        spacing="1",
                        align="center",
                    ),
                    rx.text("—", size="2"),
                ),
            ),
            ui.label_value(
                "Correlation",
                rx.hstack(
                    rx.foreach(S.correlation_ids, lambda c: ui.mono(c, size="1")),
                    rx.cond(
                        S.correlation_ids.length() > 0,
                        ui.copy_button(S.correlation_ids[0], "Copy correlation id"),
                    ),
                    spacing="1",
                    align="center",
                    wrap="wrap",
                ),
            ),
            ui.label_value("Events", rx.text(S.event_count, size="2", id="trace-event-count")),
            ui.label_value("Duration", rx.text(S.duration, size="2", id="trace-duration")),
            ui.label_value("Started", rx.text(S.started, size="2")),
            ui.label_value("Ended", rx.text(S.ended, size="2")),
            ui.label_value(
                "Batch",
                rx.cond(
                    S.batch_ids.length() > 0,
                    rx.hstack(
                        rx.foreach(
                            S.batch_ids,
                            lambda b: rx.link(ui.mono(b, size="1"), href="/batches/" + b),
                        ),
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.text("—", size="2"),
                ),
            ),
            columns=rx.breakpoints(initial="1", xs="2", md="4"),
            spacing="4",
            margin_top="16px",
            width="100%",
        ),
        rx.box(
            ui.label_value("Systems", rx.text(S.systems, size="2")),
            margin_top="12px",
        ),
        rx.grid(
            rx.foreach(
                S.tiles,
                lambda t: rx.box(
                    rx.text(t.label, size="1", color=f"var(--{t.color}-11)", weight="medium"),
                    rx.text(t.count, size="5", weight="bold", color=f"var(--{t.color}-12)"),
                    padding="8px 12px",
                    border_radius="8px",
                    background=f"var(--{t.color}-3)",
                    class_name="status-tile",
                ),
            ),
            columns=rx.breakpoints(initial="2", xs="3", md="5"),
            spacing="2",
            margin_top="16px",
            width="100%",
        ),
    )


def _narrative() -> rx.Component:
    return ui.card(
        ui.section_title("Journey"),
        rx.vstack(
            rx.foreach(S.narrative, lambda line: rx.text(line, size="2", line_height="1.6")),
            spacing="2",
            align="start",
            id="narrative",
        ),
    )


def _breakdown() -> rx.Component:
    return ui.card(
        ui.section_title("Where the time went"),
        rx.cond(
            S.segments.length() > 0,
            rx.vstack(
                rx.hstack(
                    rx.foreach(
                        S.segments,
                        lambda s: rx.tooltip(
                            rx.box(
                                height="18px",
                                width=s.width,
                                background=f"var(--{s.color}-{s.shade})",
                                border_right=f"2px solid {rx.color('gray', 1)}",
                                class_name="breakdown-segment",
                            ),
                            content=s.label + " · " + s.duration + " · " + s.percent,
                        ),
                    ),
                    spacing="0",
                    width="100%",
                    border_radius="6px",
                    overflow="hidden",
                    id="duration-bar",
                ),
                rx.flex(
                    rx.foreach(
                        S.segments,
                        lambda s: rx.hstack(
                            ui.status_dot(s.color),
                            rx.text(s.label, size="1", weight="medium"),
                            rx.text(
                                s.duration + " · " + s.percent, size="1", color=rx.color("gray", 11)
                            ),
                            spacing="1",
                            align="center",
                        ),
                    ),
                    wrap="wrap",
                    gap="6px 16px",
                ),
                spacing="3",
                width="100%",
            ),
            rx.text("No step reported a duration.", size="2", color=rx.color("gray", 11)),
        ),
    )


def _timeline_row(row: TimelineRow) -> rx.Component:
    indent = rx.match(row.depth, (0, "0px"), (1, "24px"), (2, "48px"), "72px")
    heading = rx.hstack(
        rx.icon(
            rx.match(row.kind, ("parallel", "git-fork"), ("retry", "rotate-ccw"), "play"),
            size=16,
            color=rx.color("gray", 11),
        ),
        rx.text(row.title, weight="bold", size="2"),
        rx.badge(row.badge, color_scheme=row.badge_color, variant="soft", radius="full"),
        rx.text(row.detail, size="1", color=rx.color("gray", 11)),
        spacing="2",
        align="center",
        wrap="wrap",
        padding="8px 10px",
        margin_top="6px",
        border_left=f"3px solid var(--{row.badge_color}-8)",
        background=f"var(--{row.badge_color}-2)",
        border_radius="6px",
        class_name="timeline-group",
        custom_attrs={"data-kind": row.kind},
    )
    event = rx.hstack(
        ui.status_dot(row.color),
        rx.vstack(
            rx.hstack(
                rx.text(row.title, weight="medium", size="2"),
                rx.cond(
                    row.badge != "",
                    rx.badge(
                        row.badge,
                        color_scheme=row.badge_color,
                        variant="outline",
                        radius="full",
                        class_name="attempt-badge",
                    ),
                ),
                ui.status_badge(row.status_label, row.color, size="1"),
                rx.text(row.event_type, size="1", color=rx.color("gray", 10)),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(row.detail, size="1", color=rx.color("gray", 11), trim="both"),
            rx.cond(row.error != "", rx.text(row.error, size="1", color=rx.color("red", 11))),
            spacing="1",
            align="start",
            flex="1",
            min_width="0",
        ),
        rx.vstack(
            rx.text(row.offset, size="1", weight="medium", font_family=ui.MONO),
            rx.text(row.system, size="1", color=rx.color("gray", 11)),
            rx.cond(
                row.duration != "",
                rx.text("took " + row.duration, size="1", color=rx.color("gray", 11)),
            ),
            spacing="0",
            align="end",
            min_width="90px",
        ),
        spacing="3",
        align="start",
        padding="8px 10px",
        width="100%",
        border_radius="6px",
        cursor="pointer",
        on_click=S.select(row.execution_id),  # type: ignore[operator]
        background=rx.cond(S.selected == row.execution_id, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("accent", 2)},
        class_name="timeline-event",
        custom_attrs={"data-execution-id": row.execution_id, "data-status": row.status},
    )
    # The indent is padding on a full-width box, so every row ends at the same right edge.
    return rx.box(rx.cond(row.kind == "event", event, heading), padding_left=indent, width="100%")


def _timeline() -> rx.Component:
    return ui.card(
        ui.section_title("Timeline", rx.text(S.note, size="1", color=rx.color("amber", 11))),
        rx.vstack(rx.foreach(S.rows, _timeline_row), spacing="0", width="100%", id="timeline"),
    )


def _payload(p: Payload) -> rx.Component:
    open_ = S.expanded.contains(p.label)
    return rx.box(
        rx.hstack(
            rx.text(p.label, size="2", weight="bold"),
            rx.cond(p.is_json, rx.badge("JSON", variant="soft", size="1")),
            rx.spacer(),
            ui.copy_button(p.text, "Copy " + p.label),
            rx.cond(
                p.lines > 12,
                rx.button(
                    rx.cond(open_, "Collapse", "Expand"),
                    on_click=S.toggle_payload(p.label),  # type: ignore[operator]
                    size="1",
                    variant="ghost",
                    class_name="payload-toggle",
                ),
            ),
            align="center",
            width="100%",
        ),
        rx.box(
            rx.el.pre(
                p.text,
                margin="0",
                white_space="pre-wrap",
                word_break="break-word",
                font_family=ui.MONO,
                font_size="12px",
            ),
            max_height=rx.cond(open_, "none", "260px"),
            overflow="auto",
            padding="10px",
            border_radius="6px",
            background=rx.color("gray", 3),
            margin_top="6px",
            class_name="payload",
        ),
        width="100%",
    )


def _details() -> rx.Component:
    return ui.card(
        ui.section_title("Event details"),
        rx.cond(
            S.selected == "",
            rx.text("Select an event in the timeline.", size="2", color=rx.color("gray", 11)),
            rx.vstack(
                rx.text(S.selected_title, weight="bold", size="3"),
                rx.foreach(
                    S.groups,
                    lambda g: rx.box(
                        rx.text(
                            g.title,
                            size="1",
                            weight="bold",
                            color=rx.color("gray", 11),
                            text_transform="uppercase",
                            letter_spacing="0.04em",
                        ),
                        rx.grid(
                            rx.foreach(
                                g.fields,
                                lambda f: rx.fragment(
                                    rx.text(f.label, size="1", color=rx.color("gray", 11)),
                                    rx.cond(
                                        f.link != "",
                                        rx.link(
                                            rx.text(
                                                f.value,
                                                size="1",
                                                word_break="break-all",
                                                font_family=rx.cond(f.mono, ui.MONO, "inherit"),
                                            ),
                                            href=f.link,
                                        ),
                                        rx.text(
                                            f.value,
                                            size="1",
                                            word_break="break-word",
                                            font_family=rx.cond(f.mono, ui.MONO, "inherit"),
                                        ),
                                    ),
                                ),
                            ),
                            grid_template_columns="132px minmax(0, 1fr)",
                            gap="4px 12px",
                            margin_top="4px",
                        ),
                        width="100%",
                    ),
                ),
                rx.foreach(S.payloads, _payload),
                spacing="4",
                width="100%",
                align="start",
                id="event-details",
            ),
        ),
        position=["static", "static", "static", "sticky"],
        top="72px",
    )


def trace_detail_page() -> rx.Component:
    """The trace page."""
    body = rx.vstack(
        _header(),
        _narrative(),
        _breakdown(),
        rx.grid(
            _timeline(),
            _details(),
            columns=rx.breakpoints(initial="1", md="3fr 2fr"),
            spacing="4",
            width="100%",
            align_items="start",
        ),
        spacing="4",
        width="100%",
        align="stretch",
    )
    return ui.page(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.icon("arrow-left", size=14),
                    rx.text("All traces", size="2"),
                    spacing="1",
                    align="center",
                ),
                href="/",
            ),
            width="100%",
        ),
        rx.cond(
            S.error != "",
            ui.error_block(S.error, S.reload),
            rx.cond(
                S.loading & ~S.found,
                ui.loading_block("Loading trace…"),
                rx.cond(
                    S.found,
                    body,
                    ui.card(
                        ui.empty_block(
                            "Trace not found", "No events carry trace id " + S.trace + "."
                        )
                    ),
                ),
            ),
        ),
        custom_attrs={"data-loading": rx.cond(S.loading, "true", "false")},
        active="/",
    )
