# mypy: disable-error-code="no-any-return"
# (Reflex's component constructors are typed as returning Any; every page function returns one.)
"""Account and batch pages (and the small forms that open one by id)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import reflex as rx
from eventlog_schemas import STANDARD_PAGE, EventStatus
from eventlog_sdk import EventLogApiError
from reflex.event import EventSpec

from . import api, ui
from .formatting import format_clock, format_count, status_label
from .views import (
    AccountLink,
    EventRow,
    SummaryItem,
    account_summary_items,
    entity_href,
    event_row,
    page_count,
    page_label,
)


def _last_segment(path: str) -> str:
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])


def _page_param(params: Any) -> int:
    try:
        return max(1, int(params.get("page", "1")))
    except ValueError:
        return 1


def _event_table(rows: Any, *, show_account: bool, test_id: str) -> rx.Component:
    def row(r: EventRow) -> rx.Component:
        return rx.table.row(
            rx.table.cell(ui.status_dot(r.color)),
            rx.table.cell(
                rx.tooltip(rx.text(r.relative, size="2", white_space="nowrap"), content=r.clock),
            ),
            rx.table.cell(
                rx.vstack(
                    rx.text(r.process, weight="medium", size="2"),
                    rx.text(r.step, size="1", color=rx.color("gray", 11)),
                    spacing="0",
                )
            ),
            rx.table.cell(
                rx.text(r.summary, size="2"),
                rx.cond(r.error != "", rx.text(r.error, size="1", color=rx.color("red", 11))),
                display=ui.WIDE_ONLY,
                max_width="420px",
            ),
            rx.table.cell(ui.status_badge(r.status_label, r.color)),
            rx.table.cell(
                rx.cond(
                    r.account != "",
                    rx.link(ui.mono(r.account, size="1"), href=r.account_href),
                    rx.badge("no account (linked)", variant="soft", color_scheme="gray", size="1"),
                ),
                display=ui.WIDE_ONLY if show_account else "none",
            ),
            rx.table.cell(
                rx.link(ui.mono(r.short_trace_id, size="1"), href="/traces/" + r.trace_id)
            ),
            class_name="event-row",
            custom_attrs={"data-status": r.status},
        )

    return rx.box(
        rx.table.root(
            ui.table_header(
                "",
                "When",
                "Process / step",
                ("Summary", ui.WIDE_ONLY),
                "Status",
                ("Account", ui.WIDE_ONLY if show_account else "none"),
                "Trace",
            ),
            rx.table.body(rx.foreach(rows, row)),
            variant="ghost",
            size="1",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        custom_attrs={"data-testid": test_id},
    )


def _summary_grid(items: Any) -> rx.Component:
    return rx.grid(
        rx.foreach(
            items, lambda i: ui.label_value(i.label, rx.text(i.value, size="2", weight="medium"))
        ),
        columns=rx.breakpoints(initial="1", xs="2", md="4"),
        spacing="4",
        width="100%",
    )


# --- accounts ---------------------------------------------------------------------------


class AccountState(rx.State):
    """One account: summary, timeline (linked correlations included), recent errors."""

    account: str = ""
    loading: bool = True
    error: str = ""
    found: bool = False
    summary: rx.Field[list[SummaryItem]] = rx.field(default_factory=list)
    correlation_ids: rx.Field[list[str]] = rx.field(default_factory=list)
    events: rx.Field[list[EventRow]] = rx.field(default_factory=list)
    errors: rx.Field[list[EventRow]] = rx.field(default_factory=list)
    page: int = 1
    pages: int = 1
    page_text: str = ""
    lookup: str = ""
    recent: rx.Field[list[AccountLink]] = rx.field(default_factory=list)

    @rx.event
    async def load_recent(self) -> None:
        """The accounts of the most recently active traces (for the lookup page)."""
        try:
            listing = await api.client().list_traces(page_size=STANDARD_PAGE.maximum)
        except Exception as exc:
            self.error = api.error_text(exc)
            return
        self.error = ""
        accounts = list(dict.fromkeys(t.account_id for t in listing.traces if t.account_id))
        self.recent = [AccountLink(a, entity_href("accounts", a)) for a in accounts[:24]]

    @rx.event
    async def on_load(self) -> AsyncIterator[None]:
        """Fetch the account named in the URL."""
        self.account = _last_segment(self.router.url.path)
        self.page = _page_param(self.router.url.query_parameters)
        self.loading = True
        self.error = ""
        yield
        await self._fetch()

    @rx.event
    async def reload(self) -> None:
        """Fetch again."""
        await self._fetch()

    async def _fetch(self) -> None:
        client = api.client()
        now = datetime.now(UTC)
        try:
            summary_task = client.get_account_summary(self.account)
            events_task = client.get_account_events(
                self.account, page=self.page, page_size=STANDARD_PAGE.default, include_linked=True
            )
            results = await asyncio.gather(
                summary_task, events_task, api.display_names(), return_exceptions=True
            )
        except Exception as exc:
            self.error = api.error_text(exc)
            self.loading = False
            return
        summary, events, names = results
        for result in results:
            if isinstance(result, EventLogApiError) and result.status == 404:
                continue
            if isinstance(result, BaseException):
                self.error = api.error_text(result)
                self.loading = False
                return
        self.loading = False
        names = names if isinstance(names, dict) else {}
        if isinstance(summary, BaseException) or isinstance(events, BaseException):
            self.found = False
            return
        self.found = events.total_count > 0 or summary.summary.total_events > 0
        self.summary = account_summary_items(summary.summary, now)
        self.correlation_ids = list(summary.summary.correlation_ids)[:20]
        self.events = [event_row(e, now, names) for e in events.events]
        self.errors = [event_row(e, now, names) for e in summary.recent_errors]
        self.pages = page_count(events.total_count, STANDARD_PAGE.default)
        self.page_text = page_label(self.page, events.total_count, STANDARD_PAGE.default, "events")

    @rx.event
    def next_page(self) -> EventSpec:
        """The next page of the timeline."""
        return rx.redirect(f"{entity_href('accounts', self.account)}?page={self.page + 1}")

    @rx.event
    def prev_page(self) -> EventSpec:
        """The previous page of the timeline."""
        return rx.redirect(f"{entity_href('accounts', self.account)}?page={max(1, self.page - 1)}")

    @rx.event
    def set_lookup(self, value: str) -> None:
        """The account id typed in the lookup form."""
        self.lookup = value

    @rx.event
    def open_lookup(self, _form: dict[str, Any] | None = None) -> EventSpec | None:
        """Open the typed account."""
        value = self.lookup.strip()
        return rx.redirect(entity_href("accounts", value)) if value else None

    @rx.var
    def has_prev(self) -> bool:
        """A previous page exists."""
        return self.page > 1

    @rx.var
    def has_next(self) -> bool:
        """A next page exists."""
        return self.page < self.pages


A = AccountState


def account_page() -> rx.Component:
    """One account."""
    body = rx.vstack(
        ui.card(
            ui.section_title("Summary"),
            _summary_grid(A.summary),
            rx.box(
                rx.text("Correlation ids", size="1", color=rx.color("gray", 11), weight="medium"),
                rx.flex(
                    rx.foreach(
                        A.correlation_ids,
                        lambda c: rx.badge(c, variant="soft", color_scheme="gray"),
                    ),
                    wrap="wrap",
                    gap="6px",
                    margin_top="4px",
                ),
                margin_top="16px",
            ),
        ),
        ui.card(
            ui.section_title("Recent errors"),
            rx.cond(
                A.errors.length() > 0,
                _event_table(A.errors, show_account=False, test_id="account-errors"),
                rx.text(
                    "No failures recorded for this account.", size="2", color=rx.color("gray", 11)
                ),
            ),
        ),
        ui.card(
            ui.section_title(
                "Timeline",
                rx.text(
                    "newest first · linked correlations included",
                    size="1",
                    color=rx.color("gray", 11),
                ),
            ),
            _event_table(A.events, show_account=True, test_id="account-timeline"),
            ui.pager(A.page_text, A.has_prev, A.has_next, A.prev_page, A.next_page),
        ),
        spacing="4",
        width="100%",
    )
    return ui.page(
        ui.page_header(
            rx.hstack(
                rx.text("Account"),
                ui.mono(A.account, size="6"),
                ui.copy_button(A.account),
                spacing="3",
                align="center",
            ),
            "Everything this account did.",
        ),
        rx.cond(
            A.error != "",
            ui.error_block(A.error, A.reload),
            rx.cond(
                A.loading & ~A.found,
                ui.loading_block("Loading account…"),
                rx.cond(
                    A.found, body, ui.card(ui.empty_block("No events for this account", A.account))
                ),
            ),
        ),
        custom_attrs={"data-loading": rx.cond(A.loading, "true", "false")},
        active="/accounts",
    )


def _lookup_form(
    placeholder: str, value: Any, on_change: Any, on_submit: Any, test_id: str
) -> rx.Component:
    return ui.card(
        rx.form(
            rx.hstack(
                rx.input(
                    value=value,
                    on_change=on_change,
                    placeholder=placeholder,
                    flex="1",
                    size="3",
                    name="lookup",
                    custom_attrs={"data-testid": test_id},
                ),
                rx.button("Open", type="submit", size="3"),
                width="100%",
            ),
            on_submit=on_submit,
            reset_on_submit=False,
        )
    )


def account_lookup_page() -> rx.Component:
    """Open an account by id."""
    return ui.page(
        ui.page_header("Accounts", "Open an account's timeline, summary and recent errors."),
        _lookup_form("Account id", A.lookup, A.set_lookup, A.open_lookup, "account-lookup"),
        ui.card(
            ui.section_title("Recently active accounts"),
            rx.cond(A.error != "", ui.error_block(A.error, A.load_recent)),
            rx.flex(
                rx.foreach(
                    A.recent,
                    lambda a: rx.link(
                        rx.badge(ui.mono(a.account, size="1"), variant="soft", size="2"),
                        href=a.href,
                        class_name="recent-account",
                    ),
                ),
                wrap="wrap",
                gap="8px",
            ),
        ),
        active="/accounts",
    )


# --- batches ----------------------------------------------------------------------------


class BatchState(rx.State):
    """One batch: summary and its events (optionally of one status)."""

    batch: str = ""
    loading: bool = True
    error: str = ""
    found: bool = False
    summary: rx.Field[list[SummaryItem]] = rx.field(default_factory=list)
    events: rx.Field[list[EventRow]] = rx.field(default_factory=list)
    status: str = "__all__"
    page: int = 1
    pages: int = 1
    page_text: str = ""
    lookup: str = ""

    @rx.event
    async def on_load(self) -> AsyncIterator[None]:
        """Fetch the batch named in the URL."""
        params = self.router.url.query_parameters
        self.batch = _last_segment(self.router.url.path)
        self.page = _page_param(params)
        wanted = params.get("status", "")
        self.status = wanted if wanted in set(EventStatus) else "__all__"
        self.loading = True
        self.error = ""
        yield
        await self._fetch()

    @rx.event
    async def reload(self) -> None:
        """Fetch again."""
        await self._fetch()

    async def _fetch(self) -> None:
        client = api.client()
        now = datetime.now(UTC)
        status = None if self.status == "__all__" else self.status
        try:
            summary, events, names = await asyncio.gather(
                client.get_batch_summary(self.batch),
                client.get_batch_events(
                    self.batch, page=self.page, page_size=STANDARD_PAGE.default, event_status=status
                ),
                api.display_names(),
            )
        except Exception as exc:
            self.error = api.error_text(exc)
            self.loading = False
            return
        self.loading = False
        self.found = summary.total_processes > 0 or events.total_count > 0
        self.summary = [
            SummaryItem("Processes", format_count(summary.total_processes)),
            SummaryItem("Completed", format_count(summary.completed)),
            SummaryItem("In progress", format_count(summary.in_progress)),
            SummaryItem("Failed", format_count(summary.failed)),
            SummaryItem(
                "Events",
                format_count(events.total_count)
                + ("" if status is None else f" {status_label(status).lower()}"),
            ),
            SummaryItem("Correlations", format_count(events.unique_correlation_ids)),
            SummaryItem("Started", format_clock(summary.started_at)),
            SummaryItem("Last event", format_clock(summary.last_event_at)),
        ]
        self.events = [event_row(e, now, names) for e in events.events]
        self.pages = page_count(events.total_count, STANDARD_PAGE.default)
        self.page_text = page_label(self.page, events.total_count, STANDARD_PAGE.default, "events")

    def _href(self, page: int, status: str) -> str:
        query = f"?page={page}" + ("" if status == "__all__" else f"&status={status}")
        return entity_href("batches", self.batch) + query

    @rx.event
    def set_status(self, value: str) -> EventSpec:
        """Show only the events of one status."""
        return rx.redirect(self._href(1, value))

    @rx.event
    def next_page(self) -> EventSpec:
        """The next page."""
        return rx.redirect(self._href(self.page + 1, self.status))

    @rx.event
    def prev_page(self) -> EventSpec:
        """The previous page."""
        return rx.redirect(self._href(max(1, self.page - 1), self.status))

    @rx.event
    def set_lookup(self, value: str) -> None:
        """The batch id typed in the lookup form."""
        self.lookup = value

    @rx.event
    def open_lookup(self, _form: dict[str, Any] | None = None) -> EventSpec | None:
        """Open the typed batch."""
        value = self.lookup.strip()
        return rx.redirect(entity_href("batches", value)) if value else None

    @rx.var
    def has_prev(self) -> bool:
        """A previous page exists."""
        return self.page > 1

    @rx.var
    def has_next(self) -> bool:
        """A next page exists."""
        return self.page < self.pages


B = BatchState


def batch_page() -> rx.Component:
    """One batch."""
    status_select = rx.select.root(
        rx.select.trigger(),
        rx.select.content(
            rx.select.item("All statuses", value="__all__"),
            *(rx.select.item(status_label(s), value=s.value) for s in EventStatus),
        ),
        value=B.status,
        on_change=B.set_status,
        size="1",
    )
    body = rx.vstack(
        ui.card(ui.section_title("Summary"), _summary_grid(B.summary)),
        ui.card(
            ui.section_title("Events", status_select),
            _event_table(B.events, show_account=True, test_id="batch-events"),
            ui.pager(B.page_text, B.has_prev, B.has_next, B.prev_page, B.next_page),
        ),
        spacing="4",
        width="100%",
    )
    return ui.page(
        ui.page_header(
            rx.hstack(
                rx.text("Batch"),
                ui.mono(B.batch, size="6"),
                ui.copy_button(B.batch),
                spacing="3",
                align="center",
            ),
            "The processes one batch started.",
        ),
        rx.cond(
            B.error != "",
            ui.error_block(B.error, B.reload),
            rx.cond(
                B.loading & ~B.found,
                ui.loading_block("Loading batch…"),
                rx.cond(B.found, body, ui.card(ui.empty_block("No events in this batch", B.batch))),
            ),
        ),
        custom_attrs={"data-loading": rx.cond(B.loading, "true", "false")},
        active="/batches",
    )


def batch_lookup_page() -> rx.Component:
    """Open a batch by id."""
    return ui.page(
        ui.page_header(
            "Batches",
            "Open a batch's summary and events. Batch ids show on a trace's events and on "
            "account timelines.",
        ),
        _lookup_form("Batch id", B.lookup, B.set_lookup, B.open_lookup, "batch-lookup"),
        active="/batches",
    )
