# mypy: disable-error-code="no-any-return"
# (Reflex's component constructors are typed as returning Any; every page function returns one.)
"""The statistics page: success rate, volume and durations over time; per-process and SLA charts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import reflex as rx
from reflex.event import EventSpec

from . import api, ui
from .charts import (
    DEFAULT_STATS_RANGE,
    STATS_RANGES,
    ChartRow,
    process_rows,
    series_rows,
    sla_rows,
    stats_window,
    window_text,
)
from .formatting import format_count, format_percent, success_rate_color


class StatsState(rx.State):
    """The charts' data for the range in the URL (``?range=7d``)."""

    range_key: str = DEFAULT_STATS_RANGE
    loading: bool = True
    error: str = ""
    window: str = ""
    bucket: str = ""
    series: rx.Field[list[ChartRow]] = rx.field(default_factory=list)
    processes: rx.Field[list[ChartRow]] = rx.field(default_factory=list)
    sla: rx.Field[list[ChartRow]] = rx.field(default_factory=list)
    total_traces: str = "—"
    overall_rate: str = "—"
    overall_color: str = "gray"
    total_failures: str = "—"

    @rx.event
    async def on_load(self) -> AsyncIterator[None]:
        """Fetch the charts of the range in the URL."""
        key = self.router.url.query_parameters.get("range", DEFAULT_STATS_RANGE)
        self.range_key = key if key in STATS_RANGES else DEFAULT_STATS_RANGE
        self.loading = True
        self.error = ""
        yield
        await self._fetch()

    @rx.event
    async def reload(self) -> None:
        """Fetch again."""
        await self._fetch()

    @rx.event
    def set_range(self, value: str) -> EventSpec:
        """Pick another range (kept in the URL)."""
        return rx.redirect(f"/stats?range={value}")

    async def _fetch(self) -> None:
        start, end, bucket = stats_window(self.range_key, datetime.now(UTC))
        try:
            series, processes, sla = await asyncio.gather(
                api.time_series(start=start, end=end, bucket=bucket),
                api.process_stats(start=start, end=end),
                api.sla_compliance(start=start, end=end),
            )
        except Exception as exc:
            self.error = api.error_text(exc)
            self.loading = False
            return
        self.series = series_rows(series.points, series.bucket)
        self.processes = process_rows(processes.processes)
        self.sla = sla_rows(sla.processes)
        self.window = window_text(series.start_date, series.end_date)
        self.bucket = "per hour" if series.bucket.value == "hour" else "per day"
        traces = sum(p.trace_count for p in series.points)
        errors = sum(p.error_trace_count for p in series.points)
        rate = (traces - errors) / traces * 100 if traces else None
        self.total_traces = format_count(traces)
        self.total_failures = format_count(sum(p.failure_count for p in series.points))
        self.overall_rate = format_percent(rate)
        self.overall_color = success_rate_color(rate)
        self.loading = False


S = StatsState

_AXIS = {"font_size": 11, "stroke": "var(--gray-9)"}


def _chart_card(title: str, subtitle: str, chart: rx.Component, test_id: str) -> rx.Component:
    return ui.card(
        ui.section_title(title, rx.text(subtitle, size="1", color=rx.color("gray", 11))),
        rx.box(chart, width="100%", height="280px"),
        custom_attrs={"data-testid": test_id},
        class_name="chart-card",
    )


def _grid() -> rx.Component:
    return rx.recharts.cartesian_grid(
        stroke_dasharray="3 3", stroke="var(--gray-5)", vertical=False
    )


def _tooltip() -> rx.Component:
    return rx.recharts.graphing_tooltip(
        content_style={
            "background": "var(--gray-1)",
            "border": "1px solid var(--gray-6)",
            "borderRadius": "8px",
            "fontSize": "12px",
        },
        label_style={"color": "var(--gray-12)", "fontWeight": 600},
        item_style={"color": "var(--gray-12)"},
    )


def _success_chart() -> rx.Component:
    return rx.recharts.area_chart(
        _grid(),
        rx.recharts.x_axis(data_key="label", **_AXIS, min_tick_gap=24),
        rx.recharts.y_axis(domain=[0, 100], unit="%", width=48, **_AXIS),
        _tooltip(),
        rx.recharts.area(
            data_key="success_rate",
            name="Success rate",
            unit="%",
            type_="monotone",
            stroke="var(--green-9)",
            fill="var(--green-4)",
            stroke_width=2,
            connect_nulls=True,
            is_animation_active=False,
        ),
        data=S.series,
        width="100%",
        height="100%",
    )


def _volume_chart() -> rx.Component:
    def bar(key: str, name: str, color: str) -> rx.Component:
        return rx.recharts.bar(
            data_key=key,
            name=name,
            stack_id="v",
            fill=f"var(--{color}-9)",
            is_animation_active=False,
        )

    return rx.recharts.bar_chart(
        _grid(),
        rx.recharts.x_axis(data_key="label", **_AXIS, min_tick_gap=24),
        rx.recharts.y_axis(width=48, allow_decimals=False, **_AXIS),
        _tooltip(),
        rx.recharts.legend(icon_size=10, wrapper_style={"fontSize": "12px"}),
        bar("success", "Success", "green"),
        bar("failure", "Failure", "red"),
        bar("warning", "Warning", "amber"),
        bar("in_progress", "In progress", "blue"),
        data=S.series,
        width="100%",
        height="100%",
    )


def _duration_chart() -> rx.Component:
    return rx.recharts.line_chart(
        _grid(),
        rx.recharts.x_axis(data_key="label", **_AXIS, min_tick_gap=24),
        rx.recharts.y_axis(unit=" s", width=56, **_AXIS),
        _tooltip(),
        rx.recharts.legend(icon_size=10, wrapper_style={"fontSize": "12px"}),
        rx.recharts.line(
            data_key="p50_s",
            name="p50",
            unit=" s",
            stroke="var(--indigo-9)",
            stroke_width=2,
            dot=False,
            connect_nulls=True,
            is_animation_active=False,
        ),
        rx.recharts.line(
            data_key="p95_s",
            name="p95",
            unit=" s",
            stroke="var(--orange-9)",
            stroke_width=2,
            dot=False,
            connect_nulls=True,
            is_animation_active=False,
        ),
        data=S.series,
        width="100%",
        height="100%",
    )


def _process_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        _grid(),
        rx.recharts.x_axis(type_="number", domain=[0, 100], unit="%", **_AXIS),
        rx.recharts.y_axis(data_key="name", type_="category", width=150, **_AXIS),
        _tooltip(),
        rx.recharts.bar(
            data_key="success_rate",
            name="Success rate",
            unit="%",
            fill="var(--green-9)",
            radius=[0, 4, 4, 0],
            is_animation_active=False,
        ),
        data=S.processes,
        layout="vertical",
        width="100%",
        height="100%",
    )


def _sla_chart() -> rx.Component:
    def bar(key: str, name: str, color: str) -> rx.Component:
        return rx.recharts.bar(
            data_key=key,
            name=name,
            stack_id="s",
            fill=f"var(--{color}-9)",
            is_animation_active=False,
        )

    return rx.recharts.bar_chart(
        _grid(),
        rx.recharts.x_axis(type_="number", allow_decimals=False, **_AXIS),
        rx.recharts.y_axis(data_key="name", type_="category", width=150, **_AXIS),
        _tooltip(),
        rx.recharts.legend(icon_size=10, wrapper_style={"fontSize": "12px"}),
        bar("within", "Within SLA", "green"),
        bar("breached", "Breached", "red"),
        bar("open_past", "Open past SLA", "orange"),
        bar("open_within", "Open within SLA", "blue"),
        data=S.sla,
        layout="vertical",
        width="100%",
        height="100%",
    )


def _process_table() -> rx.Component:
    return ui.card(
        ui.section_title("Per process"),
        rx.box(
            rx.table.root(
                ui.table_header(
                    "Process",
                    "Traces",
                    "Success rate",
                    ("With a failure", ui.WIDE_ONLY),
                    ("p50", ui.WIDE_ONLY),
                    ("p95", ui.WIDE_ONLY),
                    "SLA",
                    "SLA compliance",
                ),
                rx.table.body(
                    rx.foreach(
                        S.processes,
                        lambda p: rx.table.row(
                            rx.table.cell(rx.text(p["name"], weight="medium")),
                            rx.table.cell(p["traces"]),
                            rx.table.cell(p["success_rate_text"]),
                            rx.table.cell(p["failures"], display=ui.WIDE_ONLY),
                            rx.table.cell(p["p50"], display=ui.WIDE_ONLY),
                            rx.table.cell(p["p95"], display=ui.WIDE_ONLY),
                            rx.table.cell(p["sla"]),
                            rx.table.cell(p["sla_compliance_text"]),
                            class_name="process-stats-row",
                        ),
                    )
                ),
                variant="ghost",
                size="1",
                width="100%",
            ),
            overflow_x="auto",
        ),
    )


def stats_page() -> rx.Component:
    """The statistics page."""
    charts = rx.vstack(
        rx.grid(
            ui.stat_card("Traces started", S.total_traces, S.window),
            ui.stat_card(
                "Success rate", S.overall_rate, "traces without a failure", color=S.overall_color
            ),
            ui.stat_card("Failed traces", S.total_failures, "derived status FAILURE"),
            columns=rx.breakpoints(initial="1", xs="3"),
            spacing="4",
            width="100%",
        ),
        rx.grid(
            _chart_card("Success rate over time", S.bucket, _success_chart(), "chart-success"),
            _chart_card("Volume over time", S.bucket, _volume_chart(), "chart-volume"),
            _chart_card("Duration p50 / p95", S.bucket, _duration_chart(), "chart-duration"),
            _chart_card(
                "Success rate per process", "busiest first", _process_chart(), "chart-process"
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.cond(
            S.sla.length() > 0,
            _chart_card(
                "SLA compliance per process", "finished and open traces", _sla_chart(), "chart-sla"
            ),
            ui.card(
                ui.empty_block("No process has an SLA", "Register an SLA on the Processes page.")
            ),
        ),
        _process_table(),
        spacing="4",
        width="100%",
    )
    return ui.page(
        ui.page_header(
            "Statistics",
            S.window,
            rx.select.root(
                rx.select.trigger(id="stats-range"),
                rx.select.content(
                    *(rx.select.item(label, value=key) for key, (label, _) in STATS_RANGES.items())
                ),
                value=S.range_key,
                on_change=S.set_range,
            ),
        ),
        rx.cond(
            S.error != "",
            ui.error_block(S.error, S.reload),
            rx.cond(
                S.loading & (S.series.length() == 0),
                ui.loading_block("Loading statistics…"),
                charts,
            ),
        ),
        custom_attrs={"data-loading": rx.cond(S.loading, "true", "false")},
        active="/stats",
    )
