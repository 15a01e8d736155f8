# mypy: disable-error-code="no-any-return"
# (Reflex's component constructors are typed as returning Any; every page function returns one.
# Calling an @rx.event handler with an argument is fine at run time but not to mypy: ignored.)
"""The home page: stat cards, filters (kept in the URL) and the trace table."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from eventlog_schemas import (
    SEARCH_PAGE,
    EventStatus,
    TextSearchRequest,
    TraceListResponse,
    TraceSummary,
)
from reflex.event import EventSpec

from . import api, ui
from .filters import TIME_PRESETS, TraceFilters
from .formatting import (
    format_clock,
    format_count,
    format_percent,
    status_color,
    status_label,
    success_rate_color,
)
from .views import (
    TraceRow,
    page_count,
    page_label,
    search_page_label,
    systems_summary,
    trace_row,
)

# Traces looked up at once when a text search turns matching events into trace rows.
_SEARCH_LOOKUPS = 8


async def _search_traces(
    filters: TraceFilters, start: datetime | None, end: datetime | None
) -> tuple[list[TraceSummary], int, int]:
    """Traces with events matching the free-text search, filtered like the list.

    Returns (traces, matching events, pages). The search pages over events, so a page
    holds the distinct traces of up to ``SEARCH_PAGE.maximum`` matching events.
    """
    client = api.client()
    found = await client.search_text(
        TextSearchRequest(
            query=filters.search,
            start_date=start if start is not None and end is not None else None,
            end_date=end if start is not None and end is not None else None,
            page=filters.page,
            page_size=SEARCH_PAGE.maximum,
        )
    )
    trace_ids = list(dict.fromkeys(e.trace_id for e in found.events))
    gate = asyncio.Semaphore(_SEARCH_LOOKUPS)

    async def one(trace_id: str) -> TraceListResponse:
        async with gate:
            return await client.list_traces(
                trace_id=trace_id,
                start_date=start,
                end_date=end,
                process_name=filters.process or None,
                account_id=filters.account or None,
                correlation_id=filters.correlation_id or None,
                event_status=list(filters.statuses) or None,
                has_errors=filters.has_errors,
                page_size=1,
            )

    answers = await asyncio.gather(*(one(t) for t in trace_ids))
    traces = [a.traces[0] for a in answers if a.traces]
    if filters.trace_id:
        traces = [t for t in traces if t.trace_id == filters.trace_id]
    return traces, found.total_count, page_count(found.total_count, SEARCH_PAGE.maximum)


class TraceListState(rx.State):
    """The trace list: filters mirrored from the URL, the rows, the stat cards."""

    f_range: str = "all"
    f_start: str = ""
    f_end: str = ""
    f_process: str = ""
    f_account: str = ""
    f_trace: str = ""
    f_correlation: str = ""
    f_statuses: rx.Field[list[str]] = rx.field(default_factory=list)
    f_errors: bool = False
    f_search: str = ""
    page: int = 1
    pages: int = 1

    rows: rx.Field[list[TraceRow]] = rx.field(default_factory=list)
    page_text: str = ""
    loading: bool = True
    error: str = ""
    filters_active: bool = False

    stat_traces: str = "—"
    stat_accounts: str = "—"
    stat_events: str = "—"
    stat_systems: str = "—"
    stat_systems_count: str = "—"
    stat_success: str = "—"
    stat_success_color: str = "gray"

    process_options: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    auto_refresh: bool = False
    updated: str = ""

    # --- URL ⇄ filters --------------------------------------------------------------

    def _filters(self) -> TraceFilters:
        return TraceFilters(
            range=self.f_range,
            start=self.f_start,
            end=self.f_end,
            process=self.f_process,
            account=self.f_account.strip(),
            trace_id=self.f_trace.strip().lower(),
            correlation_id=self.f_correlation.strip(),
            statuses=tuple(s for s in EventStatus if s in self.f_statuses),
            errors_only=self.f_errors,
            search=self.f_search.strip(),
            page=self.page,
        )

    def _show(self, filters: TraceFilters) -> None:
        self.f_range = filters.range
        self.f_start = filters.start
        self.f_end = filters.end
        self.f_process = filters.process
        self.f_account = filters.account
        self.f_trace = filters.trace_id
        self.f_correlation = filters.correlation_id
        self.f_statuses = list(filters.statuses)
        self.f_errors = filters.errors_only
        self.f_search = filters.search
        self.page = filters.page
        self.filters_active = filters.active

    def _go(self, filters: TraceFilters) -> EventSpec:
        # The URL is the single source of truth: navigating runs on_load, which fetches.
        return rx.redirect(filters.href("/"))

    # --- loading --------------------------------------------------------------------

    @rx.event
    async def on_load(self) -> AsyncIterator[None]:
        """Read the filters from the URL and fetch what they select."""
        filters = TraceFilters.from_query(self.router.url.query_parameters)
        self._show(filters)
        self.loading = True
        self.error = ""
        yield
        await self._fetch(filters)

    @rx.event
    async def refresh(self, _tick: Any = None) -> None:
        """Fetch again with the filters on screen (auto-refresh, the retry button)."""
        await self._fetch(TraceFilters.from_query(self.router.url.query_parameters))

    async def _fetch(self, filters: TraceFilters) -> None:
        now = datetime.now(UTC)
        start, end = filters.window(now)
        if start is not None and end is None:
            end = now
        client = api.client()
        try:
            stats_task = client.dashboard_stats(start_date=start, end_date=end)
            if filters.search:
                (traces, total, pages), stats, names, choices = await asyncio.gather(
                    _search_traces(filters, start, end),
                    stats_task,
                    api.display_names(),
                    api.process_choices(),
                )
                self.page_text = search_page_label(filters.page, pages, total, len(traces))
            else:
                size = api.settings().page_size
                listing, stats, names, choices = await asyncio.gather(
                    client.list_traces(
                        page=filters.page,
                        page_size=size,
                        start_date=start,
                        end_date=end,
                        process_name=filters.process or None,
                        account_id=filters.account or None,
                        trace_id=filters.trace_id or None,
                        correlation_id=filters.correlation_id or None,
                        event_status=list(filters.statuses) or None,
                        has_errors=filters.has_errors,
                    ),
                    stats_task,
                    api.display_names(),
                    api.process_choices(),
                )
                traces, total = list(listing.traces), listing.total_count
                pages = page_count(total, size)
                self.page_text = page_label(filters.page, total, size)
        except Exception as exc:
            self.error = api.error_text(exc)
            self.loading = False
            return
        self.rows = [trace_row(t, now, names) for t in traces]
        self.process_options = choices
        self.pages = pages
        self.stat_traces = format_count(stats.total_traces)
        self.stat_accounts = format_count(stats.total_accounts)
        self.stat_events = format_count(stats.total_events)
        self.stat_systems = systems_summary(stats.system_names)
        self.stat_systems_count = format_count(len(stats.system_names))
        rate = stats.success_rate if stats.total_traces else None
        self.stat_success = format_percent(rate)
        self.stat_success_color = success_rate_color(rate)
        self.updated = format_clock(now, with_date=False)[:8]
        self.error = ""
        self.loading = False

    # --- filter controls ------------------------------------------------------------

    @rx.event
    def set_range(self, value: str) -> EventSpec | None:
        """Pick a time preset (custom waits for its dates)."""
        self.f_range = value
        if value == "custom":
            return None
        return self._go(self._filters().with_changes(range=value))

    @rx.event
    def set_f_start(self, value: str) -> None:
        """Custom range start (typed)."""
        self.f_start = value

    @rx.event
    def set_f_end(self, value: str) -> None:
        """Custom range end (typed)."""
        self.f_end = value

    @rx.event
    def set_process(self, value: str) -> EventSpec:
        """Pick a process (``__all__`` for any)."""
        return self._go(self._filters().with_changes(process="" if value == "__all__" else value))

    @rx.event
    def set_f_account(self, value: str) -> None:
        """Account filter (typed; applied with the form)."""
        self.f_account = value

    @rx.event
    def set_f_trace(self, value: str) -> None:
        """Trace id filter (typed; applied with the form)."""
        self.f_trace = value

    @rx.event
    def set_f_correlation(self, value: str) -> None:
        """Correlation id filter (typed; applied with the form)."""
        self.f_correlation = value

    @rx.event
    def set_f_search(self, value: str) -> None:
        """Free-text search (typed; applied with the form)."""
        self.f_search = value

    @rx.event
    def toggle_status(self, status: str) -> EventSpec:
        """Add or remove one status of the status filter."""
        chosen = set(self.f_statuses) ^ {status}
        return self._go(
            self._filters().with_changes(statuses=tuple(s for s in EventStatus if s in chosen))
        )

    @rx.event
    def set_errors(self, value: bool) -> EventSpec:
        """Errors only on or off."""
        return self._go(self._filters().with_changes(errors_only=bool(value)))

    @rx.event
    def apply(self, form: dict[str, Any]) -> EventSpec:
        """Apply the typed filters (the form's submit).

        The text boxes are read from the submitted form, not from the state: their
        change events are debounced and may still be on the way.
        """
        typed = {
            "f_account": "account",
            "f_search": "q",
            "f_trace": "trace",
            "f_correlation": "correlation",
            "f_start": "from",
            "f_end": "to",
        }
        for attribute, name in typed.items():
            if name in form:
                setattr(self, attribute, str(form[name]))
        return self._go(self._filters().with_changes())

    @rx.event
    def clear(self) -> EventSpec:
        """Back to every trace."""
        return rx.redirect("/")

    @rx.event
    def next_page(self) -> EventSpec:
        """The next page."""
        return self._go(self._filters().with_changes(page=self.page + 1))

    @rx.event
    def prev_page(self) -> EventSpec:
        """The previous page."""
        return self._go(self._filters().with_changes(page=max(1, self.page - 1)))

    @rx.event
    def set_auto_refresh(self, value: bool) -> None:
        """Auto-refresh on or off."""
        self.auto_refresh = bool(value)

    @rx.var
    def has_prev(self) -> bool:
        """A previous page exists."""
        return self.page > 1

    @rx.var
    def has_next(self) -> bool:
        """A next page exists."""
        return self.page < self.pages


# --- the page ---------------------------------------------------------------------------

S = TraceListState


def _stat_cards() -> rx.Component:
    return rx.grid(
        ui.stat_card(
            "Traces",
            S.stat_traces,
            rx.text(S.stat_events, " events", size="1", color=rx.color("gray", 11)),
            test_id="stat-traces",
        ),
        ui.stat_card("Accounts", S.stat_accounts, "distinct accounts", test_id="stat-accounts"),
        ui.stat_card("Systems", S.stat_systems_count, S.stat_systems, test_id="stat-systems"),
        ui.stat_card(
            "Success rate",
            S.stat_success,
            "traces without a failure",
            color=S.stat_success_color,
            test_id="stat-success",
        ),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="4",
        width="100%",
    )


def _status_chip(status: EventStatus) -> rx.Component:
    chosen = S.f_statuses.contains(status.value)
    return rx.button(
        ui.status_dot(status_color(status)),
        status_label(status),
        on_click=S.toggle_status(status.value),  # type: ignore[operator]
        variant=rx.cond(chosen, "solid", "outline"),
        color_scheme=status_color(status),
        size="1",
        radius="full",
        type="button",
        class_name="status-chip",
        custom_attrs={"data-status": status.value, "aria-pressed": chosen},
    )


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=rx.color("gray", 11)),
        control,
        spacing="1",
        width="100%",
        align="stretch",
    )


def _filters_panel() -> rx.Component:
    return ui.card(
        rx.form(
            rx.grid(
                _labelled(
                    "Time range",
                    rx.select.root(
                        rx.select.trigger(width="100%", id="filter-range"),
                        rx.select.content(
                            *(
                                rx.select.item(label, value=key)
                                for key, (label, _) in TIME_PRESETS.items()
                            )
                        ),
                        value=S.f_range,
                        on_change=S.set_range,
                    ),
                ),
                _labelled(
                    "Process",
                    rx.select.root(
                        rx.select.trigger(
                            placeholder="All processes", width="100%", id="filter-process"
                        ),
                        rx.select.content(
                            rx.select.item("All processes", value="__all__"),
                            rx.foreach(
                                S.process_options,
                                lambda o: rx.select.item(o["label"], value=o["value"]),
                            ),
                        ),
                        value=rx.cond(S.f_process == "", "__all__", S.f_process),
                        on_change=S.set_process,
                    ),
                ),
                _labelled(
                    "Account",
                    rx.input(
                        value=S.f_account,
                        on_change=S.set_f_account,
                        placeholder="Account id contains…",
                        id="filter-account",
                        name="account",
                    ),
                ),
                _labelled(
                    "Search",
                    rx.input(
                        rx.input.slot(rx.icon("search", size=14)),
                        value=S.f_search,
                        on_change=S.set_f_search,
                        placeholder="Words in summaries, results, errors…",
                        id="filter-search",
                        name="q",
                    ),
                ),
                _labelled(
                    "Trace id",
                    rx.input(
                        value=S.f_trace,
                        on_change=S.set_f_trace,
                        placeholder="32 hex digits",
                        id="filter-trace",
                        name="trace",
                        font_family=ui.MONO,
                    ),
                ),
                _labelled(
                    "Correlation id",
                    rx.input(
                        value=S.f_correlation,
                        on_change=S.set_f_correlation,
                        placeholder="Exact correlation id",
                        id="filter-correlation",
                        name="correlation",
                    ),
                ),
                rx.cond(
                    S.f_range == "custom",
                    _labelled(
                        "From (UTC)",
                        rx.input(
                            type="datetime-local",
                            value=S.f_start,
                            on_change=S.set_f_start,
                            id="filter-from",
                            name="from",
                        ),
                    ),
                ),
                rx.cond(
                    S.f_range == "custom",
                    _labelled(
                        "To (UTC)",
                        rx.input(
                            type="datetime-local",
                            value=S.f_end,
                            on_change=S.set_f_end,
                            id="filter-to",
                            name="to",
                        ),
                    ),
                ),
                columns=rx.breakpoints(initial="1", xs="2", md="4"),
                spacing="3",
                width="100%",
            ),
            rx.flex(
                rx.hstack(
                    rx.text("Status", size="1", weight="medium", color=rx.color("gray", 11)),
                    *(_status_chip(s) for s in EventStatus),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.hstack(
                    rx.text("Errors only", size="2"),
                    rx.switch(
                        checked=S.f_errors,
                        on_change=S.set_errors,
                        id="filter-errors",
                        name="errors",
                    ),
                    rx.button(
                        rx.icon("filter", size=14),
                        "Apply",
                        type="submit",
                        size="2",
                        id="filter-apply",
                    ),
                    rx.cond(
                        S.filters_active,
                        rx.button(
                            "Clear",
                            on_click=S.clear,
                            variant="soft",
                            color_scheme="gray",
                            size="2",
                            type="button",
                            id="filter-clear",
                        ),
                    ),
                    spacing="3",
                    align="center",
                ),
                justify="between",
                align="center",
                wrap="wrap",
                gap="12px",
                margin_top="14px",
            ),
            on_submit=S.apply,
            reset_on_submit=False,
        ),
    )


def _row(row: TraceRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(ui.status_dot(row.status_color), vertical_align="middle"),
        rx.table.cell(
            rx.link(
                ui.mono(row.short_trace_id, weight="medium", white_space="nowrap"),
                href="/traces/" + row.trace_id,
                class_name="trace-link",
                custom_attrs={"data-trace-id": row.trace_id},
            ),
        ),
        rx.table.cell(rx.text(row.process, weight="medium", size="2")),
        rx.table.cell(
            rx.cond(
                row.account != "",
                rx.link(ui.mono(row.account, size="1"), href="/accounts/" + row.account),
                rx.text("—", color=rx.color("gray", 9)),
            ),
            display=ui.WIDE_ONLY,
        ),
        rx.table.cell(row.event_count, text_align="right", display=ui.WIDE_ONLY),
        rx.table.cell(
            ui.status_badge(row.status_label, row.status_color), class_name="status-cell"
        ),
        rx.table.cell(row.duration, white_space="nowrap", display=ui.WIDE_ONLY),
        rx.table.cell(
            rx.tooltip(rx.text(row.last_activity, size="2"), content=row.last_activity_exact),
            white_space="nowrap",
        ),
        rx.table.cell(
            ui.status_badge(row.sla_label, row.sla_color, variant="outline"), display=ui.WIDE_ONLY
        ),
        class_name="trace-row",
        custom_attrs={"data-trace-id": row.trace_id, "data-status": row.status},
        _hover={"background": rx.color("accent", 2)},
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            ui.table_header(
                "",
                "Trace",
                "Process",
                ("Account", ui.WIDE_ONLY),
                ("Events", ui.WIDE_ONLY),
                "Status",
                ("Duration", ui.WIDE_ONLY),
                "Last activity",
                ("SLA", ui.WIDE_ONLY),
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            variant="ghost",
            size="2",
            width="100%",
            id="trace-table",
        ),
        overflow_x="auto",
        width="100%",
    )


def _results() -> rx.Component:
    return ui.card(
        ui.section_title(
            "Traces",
            rx.hstack(
                rx.cond(
                    S.auto_refresh,
                    rx.moment(
                        interval=api.settings().refresh_interval_s * 1000,
                        format="HH:mm:ss",
                        on_change=S.refresh,
                        display="none",
                    ),
                ),
                rx.text(
                    "Updated ",
                    S.updated,
                    size="1",
                    color=rx.color("gray", 11),
                    display=["none", "block"],
                ),
                rx.text("Auto-refresh", size="2"),
                rx.switch(checked=S.auto_refresh, on_change=S.set_auto_refresh, id="auto-refresh"),
                rx.icon_button(
                    rx.icon("refresh-cw", size=14),
                    on_click=S.refresh,
                    size="1",
                    variant="soft",
                    aria_label="Refresh now",
                ),
                spacing="2",
                align="center",
            ),
        ),
        rx.cond(
            S.error != "",
            ui.error_block(S.error, S.refresh),
            rx.cond(
                S.loading & (S.rows.length() == 0),
                ui.loading_block("Loading traces…"),
                rx.cond(
                    S.rows.length() == 0,
                    ui.empty_block(
                        "No traces match",
                        rx.cond(
                            S.filters_active,
                            "Try a wider time range or clear the filters.",
                            "Nothing has been logged yet.",
                        ),
                        rx.cond(
                            S.filters_active,
                            rx.button("Clear filters", on_click=S.clear, variant="soft"),
                        ),
                    ),
                    rx.box(
                        _table(),
                        ui.pager(S.page_text, S.has_prev, S.has_next, S.prev_page, S.next_page),
                        opacity=rx.cond(S.loading, "0.6", "1"),
                        transition="opacity 0.15s",
                    ),
                ),
            ),
        ),
        id="trace-results",
        # Lets a test (or a script) tell fresh rows from rows about to be replaced.
        custom_attrs={"data-loading": rx.cond(S.loading, "true", "false")},
    )


def trace_list_page() -> rx.Component:
    """The home page."""
    return ui.page(
        ui.page_header("Traces", "Every process instance, newest activity first."),
        _stat_cards(),
        _filters_panel(),
        _results(),
        active="/",
    )
