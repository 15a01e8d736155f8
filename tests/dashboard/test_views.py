"""Rows the pages show, computed from API answers."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from eventlog_dashboard._private.timeline import build_timeline, duration_breakdown
from eventlog_dashboard._private.views import (
    event_field_groups,
    event_payloads,
    event_row,
    page_label,
    process_row,
    search_page_label,
    segment_views,
    sla_badge,
    sla_verdict,
    status_tiles,
    systems_summary,
    timeline_rows,
    trace_row,
)
from eventlog_schemas import EventStatus, ProcessDefinition, TraceSummary

from dashboard.scenarios import (
    big_trace,
    hex_id,
    parallel_retry_trace,
    to_records,
    trace_retry_trace,
)

NOW = datetime(2026, 2, 26, 14, 30, tzinfo=UTC)
T0 = datetime(2026, 2, 26, 14, 0, tzinfo=UTC)


def _summary(**changes: object) -> TraceSummary:
    fields: dict[str, object] = {
        "trace_id": hex_id(1),
        "event_count": 12,
        "has_errors": False,
        "latest_status": EventStatus.SUCCESS,
        "duration_ms": 4200,
        "process_name": "order_fulfilment",
        "account_id": "ACC-1",
        "start_time": "2026-02-26T14:20:00.000Z",
        "end_time": "2026-02-26T14:25:00.000Z",
    }
    fields.update(changes)
    return TraceSummary(**fields)  # type: ignore[arg-type]


def test_trace_row() -> None:
    row = trace_row(
        _summary(sla_ms=3000, sla_breached=True), NOW, {"order_fulfilment": "Order fulfilment (EU)"}
    )
    assert row.process == "Order fulfilment (EU)"
    assert row.short_trace_id == hex_id(1)[:12] + "…" + hex_id(1)[-4:]
    assert (row.duration, row.last_activity, row.event_count) == ("4.2 s", "5 min ago", "12")
    assert (row.status_label, row.status_color) == ("Success", "green")
    assert (row.sla_label, row.sla_color) == ("Breached (3 s)", "red")
    plain = trace_row(_summary(process_name=None, account_id=None), NOW)
    assert (plain.process, plain.account, plain.sla_label) == ("—", "", "No SLA")


def test_sla_badges_and_verdicts() -> None:
    assert sla_badge(None, None, 10) == ("No SLA", "gray")
    assert sla_badge(5000, False, 4000) == ("Within 5 s", "green")
    assert sla_badge(5000, None, 6000)[1] == "red"
    done = EventStatus.SUCCESS
    assert sla_verdict(None, 100, done, 0, 0).label == "No SLA"
    within = sla_verdict(10_000, 4000, done, 0, 0)
    assert (within.label, within.detail, within.color) == (
        "Within SLA",
        "Used 40% of the 10 s SLA.",
        "green",
    )
    breached = sla_verdict(10_000, 12_500, EventStatus.FAILURE, 0, 0)
    assert (breached.label, breached.detail) == (
        "SLA breached",
        "Took 2.5 s longer than the 10 s SLA.",
    )
    running = sla_verdict(10_000, 1000, EventStatus.IN_PROGRESS, now_ms=4000, start_ms=0)
    assert (running.label, running.detail) == ("Within SLA so far", "6 s left of the 10 s SLA.")
    late = sla_verdict(10_000, 1000, EventStatus.IN_PROGRESS, now_ms=25_000, start_ms=0)
    assert (late.label, late.detail) == ("SLA breached", "Still open, 15 s past the 10 s SLA.")


def test_timeline_rows_have_group_headings_and_numbered_attempts() -> None:
    rows = timeline_rows(build_timeline(to_records(parallel_retry_trace(hex_id(2), T0))))
    kinds = [(r.kind, r.depth, r.title) for r in rows]
    assert kinds == [
        ("event", 0, "Process started"),
        ("event", 0, "Validate order"),
        ("parallel", 0, "Parallel · 3 steps"),
        ("retry", 1, "Charge card"),
        ("event", 2, "Charge card"),
        ("event", 2, "Charge card"),
        ("event", 2, "Charge card"),
        ("event", 1, "Reserve stock"),
        ("event", 1, "Notify customer"),
        ("event", 0, "Ship parcel"),
        ("event", 0, "Process ended"),
    ]
    attempts = [r for r in rows if r.title == "Charge card" and r.kind == "event"]
    assert [r.badge for r in attempts] == ["Attempt 1 of 3", "Attempt 2 of 3", "Attempt 3 of 3"]
    assert [r.status for r in attempts] == ["FAILURE", "FAILURE", "SUCCESS"]
    retry = rows[3]
    assert retry.badge == "Retried · 3 attempts · resolved"
    assert rows[2].detail == "step 2 · Charge card, Reserve stock, Notify customer"
    assert rows[1].offset == "+120 ms"
    assert attempts[0].error == "GATEWAY_TIMEOUT — The payment gateway did not answer in time"
    assert len({r.key for r in rows}) == len(rows)


def test_run_headings_only_with_several_runs() -> None:
    rows = timeline_rows(build_timeline(to_records(trace_retry_trace(hex_id(3), T0))))
    runs = [r for r in rows if r.kind == "run"]
    assert [r.title for r in runs] == ["Run 1 · Payment capture", "Run 2 · Payment capture"]
    assert [r.badge for r in runs] == ["Run", "Retry 2"]
    assert runs[1].detail.startswith(
        "Trace-level retry: attempt 2 of this process · started +1 min"
    )
    single = timeline_rows(build_timeline(to_records(parallel_retry_trace(hex_id(4), T0))))
    assert not [r for r in single if r.kind == "run"]


def test_big_trace_rows_cover_every_event_once() -> None:
    events = to_records(big_trace(hex_id(5), T0, events=500))
    rows = timeline_rows(build_timeline(events))
    assert sorted(r.execution_id for r in rows if r.kind == "event") == sorted(
        e.execution_id for e in events
    )


def test_segment_views() -> None:
    views = segment_views(
        duration_breakdown(build_timeline(to_records(parallel_retry_trace(hex_id(6), T0))))
    )
    assert [v.percent for v in views] == ["5%", "61%", "35%"]  # 110, 1400 and 800 ms of 2310
    assert views[1].color == "green"
    assert [v.shade for v in views] == [9, 7, 9]
    assert views[0].width.endswith("%")


def test_event_details_grouped_with_payloads() -> None:
    events = to_records(parallel_retry_trace(hex_id(7), T0))
    failed = next(e for e in events if e.event_status is EventStatus.FAILURE)
    groups = {g.title: {f.label: f for f in g.fields} for g in event_field_groups(failed)}
    assert list(groups) == ["Event", "Timing", "Correlation", "Systems", "Error"]
    assert groups["Error"]["Error code"].value == "GATEWAY_TIMEOUT"
    assert groups["Correlation"]["Account"].link == "/accounts/ACC-PARALLEL-1"
    slashed = msgspec.structs.replace(failed, account_id="ACC/9", batch_id="B/1")
    groups = {g.title: {f.label: f for f in g.fields} for g in event_field_groups(slashed)}
    assert groups["Correlation"]["Account"].link == "/accounts/ACC%2F9"
    assert groups["Correlation"]["Batch"].link == "/batches/B%2F1"
    assert event_row(slashed, T0).account_href == "/accounts/ACC%2F9"
    assert groups["Correlation"]["Trace id"].mono
    assert "Parent span id" in groups["Correlation"]
    payloads = {p.label: p for p in event_payloads(failed)}
    assert list(payloads) == ["Identifiers", "Request payload", "Response payload"]
    assert payloads["Request payload"].is_json
    assert payloads["Request payload"].text.startswith('{\n  "amount": 42.5')
    assert payloads["Response payload"].lines == 3


def test_tiles_labels_processes() -> None:
    tiles = status_tiles({"SUCCESS": 3, "FAILURE": 1})
    assert [(t.label, t.count) for t in tiles] == [
        ("Success", 3),
        ("Failure", 1),
        ("In progress", 0),
        ("Skipped", 0),
        ("Warning", 0),
    ]
    assert page_label(2, 128, 20) == "Page 2 of 7 (128 traces)"
    assert page_label(1, 0, 20) == "Page 1 of 1 (0 traces)"
    assert page_label(1, 1, 20) == "Page 1 of 1 (1 trace)"
    assert (
        search_page_label(1, 3, 120, 17)
        == "Page 1 of 3 (120 matching events; 17 traces on this page)"
    )
    assert search_page_label(1, 1, 1, 1) == "Page 1 of 1 (1 matching event; 1 trace on this page)"
    assert systems_summary(["a", "b", "c", "d", "e"]) == "a, b, c +2 more"
    assert systems_summary([]) == "None yet"
    definition = ProcessDefinition(
        process_id=1,
        process_name="order_fulfilment",
        display_name="Order fulfilment",
        description="d",
        owning_team="Fulfilment",
        expected_steps=6,
        sla_ms=30_000,
        is_active=True,
        created_at="2026-02-26T14:00:00.000Z",
        updated_at="2026-02-26T14:00:00.000Z",
    )
    row = process_row(definition, NOW)
    assert (row.sla, row.sla_ms, row.expected_steps, row.updated) == (
        "30 s",
        "30000",
        "6",
        "30 min ago",
    )
