"""The Reflex app: every page and its route (``app_module_import`` in ``rxconfig.py``)."""

from __future__ import annotations

import reflex as rx

from . import api, ui
from .entity_pages import (
    AccountState,
    BatchState,
    account_lookup_page,
    account_page,
    batch_lookup_page,
    batch_page,
)
from .processes_page import ProcessesState, processes_page
from .stats_page import StatsState, stats_page
from .trace_detail import TraceDetailState, trace_detail_page
from .trace_list import TraceListState, trace_list_page

app = rx.App(
    head_components=[
        rx.el.meta(name="color-scheme", content="light dark"),
        rx.el.link(rel="icon", href=ui.FAVICON, type="image/svg+xml"),
    ]
)
app.register_lifespan_task(api.lifespan)

app.add_page(trace_list_page, route="/", title="Traces · Event Log", on_load=TraceListState.on_load)
app.add_page(
    trace_detail_page,
    route="/traces/[trace_id]",
    title="Trace · Event Log",
    on_load=TraceDetailState.on_load,
)
app.add_page(stats_page, route="/stats", title="Statistics · Event Log", on_load=StatsState.on_load)
app.add_page(
    processes_page,
    route="/processes",
    title="Processes · Event Log",
    on_load=ProcessesState.on_load,
)
app.add_page(
    account_lookup_page,
    route="/accounts",
    title="Accounts · Event Log",
    on_load=AccountState.load_recent,
)
app.add_page(
    account_page,
    route="/accounts/[account_id]",
    title="Account · Event Log",
    on_load=AccountState.on_load,
)
app.add_page(batch_lookup_page, route="/batches", title="Batches · Event Log")
app.add_page(
    batch_page, route="/batches/[batch_id]", title="Batch · Event Log", on_load=BatchState.on_load
)
