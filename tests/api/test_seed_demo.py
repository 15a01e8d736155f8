"""The demo data: the generator (exact, deterministic, plausible, valid on the wire) and
``eventlog-api seed`` writing it through the normal write path on SQLite and PostgreSQL."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from eventlog_api import load_settings
from eventlog_api._private.demo.catalog import PROCESSES, demo_process_definitions
from eventlog_api._private.demo.generator import DemoTrace, generate_demo
from eventlog_api._private.demo.seeding import seed_demo
from eventlog_api._private.storage.repository import Storage
from eventlog_schemas import EventStatus, EventType, decode_event, encode
from support.read_dataset import serving

END = datetime(2026, 2, 26, 12, 0, tzinfo=UTC)


def _demo(events: int, *, days: float = 5, seed: int = 3) -> list[DemoTrace]:
    return list(generate_demo(events=events, days=days, seed=seed, end=END))


@pytest.mark.parametrize("events", [0, 1, 7, 500, 4321])
def test_exactly_the_requested_number_of_events(events: int) -> None:
    assert sum(len(t.entries) for t in _demo(events)) == events


def test_same_arguments_same_traffic_and_another_seed_differs() -> None:
    first = [encode(e) for t in _demo(800) for e in t.entries]
    again = [encode(e) for t in _demo(800) for e in t.entries]
    other = [encode(e) for t in _demo(800, seed=4) for e in t.entries]
    assert first == again
    assert first != other


def test_events_are_valid_on_the_wire_and_inside_the_window() -> None:
    traces = _demo(3000, days=2)
    for trace in traces:
        for entry in trace.entries:
            assert decode_event(encode(entry)) == entry  # every constraint of the contract
            assert END - timedelta(days=2) <= entry.event_timestamp <= END
        times = [e.event_timestamp for e in trace.entries]
        assert times == sorted(times)
        assert len({e.trace_id for e in trace.entries}) == 1


def test_the_traffic_has_every_feature_the_dashboard_shows() -> None:
    traces = _demo(20_000, days=10)
    events = [e for t in traces for e in t.entries]
    processes = {e.process_name for e in events}
    assert processes == {p.name for p in PROCESSES}
    statuses = collections.Counter(e.event_status for e in events)
    assert set(statuses) == set(EventStatus)
    assert statuses[EventStatus.SUCCESS] > statuses[EventStatus.FAILURE] > 0
    # Failures carry error codes; unhandled errors appear as ERROR events.
    assert all(e.error_code for e in events if e.event_status is EventStatus.FAILURE)
    assert any(e.event_type is EventType.ERROR for e in events)
    # Parallel steps joined by span links, and step retries repeating the sequence.
    linked = [e for e in events if e.span_links]
    assert linked
    assert all(len(e.span_links or []) >= 2 for e in linked)
    assert any(e.event_status is EventStatus.WARNING and e.result == "RETRYING" for e in events)
    # Trace-level retries: several PROCESS_START in one trace.
    starts = collections.Counter(
        e.trace_id for e in events if e.event_type is EventType.PROCESS_START
    )
    assert max(starts.values()) >= 2
    # In-progress instances: traces without any PROCESS_END or ERROR.
    ends = {e.trace_id for e in events if e.event_type in (EventType.PROCESS_END, EventType.ERROR)}
    assert len({e.trace_id for e in events} - ends) > 0
    # Nightly batches sharing a batchId.
    batches = collections.Counter(e.batch_id for e in events if e.batch_id)
    assert len(batches) >= 5
    assert min(batches.values()) > 10
    # Accounts unknown at first and linked later.
    assert any(t.link is not None for t in traces)
    for trace in traces:
        if trace.link is not None:
            assert trace.entries[0].account_id is None
            assert any(e.account_id == trace.link.account_id for e in trace.entries)
    # Business-hours rhythm: the busiest hour has clearly more traffic than the quietest.
    by_hour = collections.Counter(t.entries[0].event_timestamp.hour for t in traces)
    assert max(by_hour.values()) > 3 * min(by_hour.values())


def test_process_definitions_have_slas() -> None:
    definitions = demo_process_definitions()
    assert len(definitions) == 5
    assert all(d.sla_ms and d.expected_steps for d in definitions)


def _cli(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "EVENTLOG_DATABASE_URL": url,
        "EVENTLOG_DATA_DIR": str(tmp_path / "data"),
    }
    return subprocess.run(
        [sys.executable, "-m", "eventlog_api", "seed", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_seed_command_on_sqlite_is_idempotent_unless_forced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    first = _cli(url, tmp_path, "--events", "1500", "--days", "3", "--seed", "9")
    assert first.returncode == 0, first.stderr
    assert "seeded 1,500 events" in first.stdout
    again = _cli(url, tmp_path, "--events", "1500")
    assert again.returncode == 0, again.stderr
    assert "database not empty, skipping" in again.stdout
    forced = _cli(url, tmp_path, "--events", "200", "--seed", "10", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "seeded 200 events" in forced.stdout
    bad = _cli(url, tmp_path, "--events", "0")
    assert bad.returncode == 2
    async with serving(url, tmp_path) as http:
        stats = (await http.get("/v1/dashboard/stats")).json()
        assert stats["totalEvents"] == 1700
        processes = (await http.get("/v1/processes")).json()["processes"]
        assert len(processes) == 5


@pytest.mark.postgres
async def test_seed_writes_through_the_write_path_on_postgres(
    postgres_database: str, tmp_path: Path
) -> None:
    settings = load_settings(
        {"EVENTLOG_DATABASE_URL": postgres_database, "EVENTLOG_POOL_SIZE": "2"}
    )
    async with Storage(settings) as storage:
        report = await seed_demo(storage, events=2500, days=4, seed=5, end=END)
        assert (report.events, report.skipped, report.processes_created) == (2500, False, 5)
        skipped = await seed_demo(storage, events=10, days=1, seed=6, end=END)
        assert skipped.skipped
    async with serving(postgres_database, tmp_path) as http:
        stats = (await http.get("/v1/dashboard/stats")).json()
        assert stats["totalEvents"] == 2500
        assert stats["totalTraces"] == report.traces
        traces = (await http.get("/v1/traces?pageSize=100")).json()
        assert traces["totalCount"] == report.traces
        # Trace summaries agree with the events they summarise.
        first = traces["traces"][0]
        detail = (await http.get(f"/v1/events/trace/{first['traceId']}")).json()
        assert detail["totalCount"] == first["eventCount"] == len(detail["events"])
        # The links were stored after the events: the early, account-less events of an
        # onboarding now belong to the account through includeLinked.
        link = next(t.link for t in generate_demo(events=2500, days=4, seed=5, end=END) if t.link)
        assert report.links > 0
        correlation = (await http.get(f"/v1/events/correlation/{link.correlation_id}")).json()
        assert (correlation["isLinked"], correlation["accountId"]) == (True, link.account_id)
        unlinked = [e for e in correlation["events"] if e["accountId"] is None]
        assert unlinked
        own = (await http.get(f"/v1/events/account/{link.account_id}?pageSize=100")).json()
        with_links = (
            await http.get(f"/v1/events/account/{link.account_id}?includeLinked=true&pageSize=100")
        ).json()
        assert with_links["totalCount"] == own["totalCount"] + len(unlinked)


async def test_rollups_follow_the_events_through_a_clear(storage: Storage) -> None:
    """The hourly rollup and the other read-side tables stay right after the debug clear."""
    await seed_demo(storage, events=400, days=2, seed=8, end=END)
    before = await storage.reads.dashboard_stats(None, None)
    assert (before.total_events, before.total_traces > 0) == (400, True)
    assert before.system_names
    await storage.clear()
    after = await storage.reads.dashboard_stats(None, None)
    assert (after.total_events, after.total_traces, after.system_names) == (0, 0, [])
    assert after.success_rate == 100.0
    again = await seed_demo(storage, events=50, days=1, seed=9, end=END)
    assert not again.skipped
    assert (await storage.reads.dashboard_stats(None, None)).total_events == 50
