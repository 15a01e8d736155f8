"""The chart rollups of migration 0006 on the real SQLite driver and the real PostgreSQL
server: kept exact by the triggers through everything that changes a trace's group, and
the chart endpoints answer the same from them as from trace_summary alone."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pyodbc
import pytest
from eventlog_api._private.settings import Dialect
from eventlog_api._private.storage.queries import chart_sources
from eventlog_schemas import new_span_id, new_trace_id
from support.api_events import event

from .conftest import AppClient

_START = datetime(2026, 3, 1, 21, 40, tzinfo=UTC)
_PROCESSES = ["card_payment", "onboarding", "dispute"]


def _ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _traffic(rng: random.Random, traces: int) -> list[list[dict[str, Any]]]:
    """Batches of events for ``traces`` traces spread over three days, sent in an order
    that makes the triggers work: steps before their PROCESS_START (the process arrives
    late), late events earlier than the first (the trace moves to an earlier hour or
    day), failures and ends after the trace was counted open, repeats."""
    events: list[dict[str, Any]] = []
    for _ in range(traces):
        trace = new_trace_id()
        process = rng.choice(_PROCESSES)
        started = _START + timedelta(minutes=rng.uniform(0, 3 * 24 * 60))
        steps = rng.randint(1, 5)
        common = {"traceId": trace, "processName": process}
        events.append(
            event(
                **common,
                spanId=new_span_id(),
                eventType="PROCESS_START",
                eventStatus="IN_PROGRESS",
                eventTimestamp=_ts(started),
            )
        )
        at = started
        for step in range(steps):
            at += timedelta(milliseconds=rng.choice([5, 40, 90, 400, 2500, 60_000, 5_400_000]))
            status = rng.choice(["SUCCESS", "SUCCESS", "WARNING", "FAILURE", "SKIPPED"])
            events.append(
                event(
                    **common,
                    spanId=new_span_id(),
                    stepSequence=step + 1,
                    eventStatus=status,
                    eventTimestamp=_ts(at),
                    idempotencyKey=f"{trace}-{step}",
                )
            )
        if rng.random() < 0.6:
            events.append(
                event(
                    **common,
                    spanId=new_span_id(),
                    eventType="PROCESS_END",
                    eventStatus="SUCCESS",
                    eventTimestamp=_ts(at + timedelta(milliseconds=rng.randint(1, 3000))),
                )
            )
        if rng.random() < 0.2:
            # A late event from before the start: the trace moves to an earlier bucket.
            earlier = started - timedelta(minutes=rng.uniform(1, 300))
            events.append(event(**common, spanId=new_span_id(), eventTimestamp=_ts(earlier)))
    rng.shuffle(events)
    # A few idempotent repeats (stored once, never counted twice).
    events.extend(rng.sample([e for e in events if "idempotencyKey" in e], 5))
    return [events[i : i + 37] for i in range(0, len(events), 37)]


def _rollup(conn: pyodbc.Connection, table: str) -> dict[tuple[Any, ...], int]:
    rows = conn.execute(
        f"SELECT bucket, process_name, g, trace_count FROM {table} WHERE trace_count <> 0"
    ).fetchall()
    return {(int(b), str(p), int(g)): int(n) for b, p, g, n in rows}


def _recomputed(conn: pyodbc.Connection, dialect: Dialect, day: bool) -> dict[tuple[Any, ...], int]:
    """The rollup as it should be, grouped afresh from trace_summary."""
    if dialect is Dialect.SQLITE:
        column = "day" if day else "hour"
        sql = f"SELECT {column}, process_name, g, COUNT(*) FROM trace_chart_keys GROUP BY 1, 2, 3"
    else:
        bucket = "(k).hour / 24" if day else "(k).hour"
        sql = (
            f"SELECT {bucket}, (k).process_name, (k).g, COUNT(*) FROM ("
            "SELECT trace_chart_delta_of(x, p.sla_ms, 1) AS k FROM trace_summary x "
            "LEFT JOIN process_definitions p ON p.process_name = x.process_name) s "
            "GROUP BY 1, 2, 3"
        )
    return {(int(b), str(p), int(g)): int(n) for b, p, g, n in conn.execute(sql).fetchall()}


async def _assert_rollups_exact(client: AppClient) -> None:
    storage = client.storage
    if storage.dialect is Dialect.MSSQL:
        return

    def check(conn: pyodbc.Connection) -> None:
        hourly = _rollup(conn, "trace_chart_hourly")
        daily = _rollup(conn, "trace_chart_daily")
        assert hourly == _recomputed(conn, storage.dialect, day=False)
        assert daily == _recomputed(conn, storage.dialect, day=True)
        traces = conn.execute("SELECT COUNT(*) FROM trace_summary").fetchone()[0]
        assert sum(hourly.values()) == sum(daily.values()) == traces

    await storage.database.read(check)


async def _post_all(client: AppClient, batches: list[list[dict[str, Any]]]) -> None:
    for batch in batches:
        response = await client.post("/v1/events/batch", json={"events": batch})
        assert response.status_code == 201, response.text


async def _charts(client: AppClient, window: str) -> list[Any]:
    out: list[Any] = []
    for path in (
        f"/v1/dashboard/timeseries?{window}",
        f"/v1/dashboard/timeseries?{window}&bucket=hour",
        f"/v1/dashboard/timeseries?{window}&processName=card_payment",
        f"/v1/dashboard/processes?{window}",
        f"/v1/dashboard/sla?{window}",
    ):
        response = await client.get(path)
        assert response.status_code == 200, response.text
        out.append(response.json())
    return out


def _definition(name: str, sla_ms: int) -> dict[str, Any]:
    return {
        "processName": name,
        "displayName": name.title(),
        "description": "chart rollup test",
        "owningTeam": "reads",
        "slaMs": sla_ms,
    }


def _window(start: datetime, end: datetime) -> str:
    return f"startDate={_ts(start)}&endDate={_ts(end)}"


_WINDOWS = [
    # Edges inside hours, whole hours and whole days between.
    (_START - timedelta(hours=6, minutes=13), _START + timedelta(days=3, hours=7, seconds=3)),
    # Less than an hour, inside one hour.
    (_START + timedelta(minutes=25), _START + timedelta(minutes=55)),
    # Exactly whole days.
    (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)),
    # Whole hours, no whole day.
    (datetime(2026, 3, 2, 3, tzinfo=UTC), datetime(2026, 3, 2, 19, tzinfo=UTC)),
]


async def test_rollups_stay_exact_and_charts_match_the_summaries(
    client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(6)
    # An SLA before any trace, one added later and one changed later (rebuilds).
    response = await client.post(
        "/v1/processes",
        json=_definition("card_payment", 3000),
    )
    assert response.status_code == 201, response.text
    await _post_all(client, _traffic(rng, 160))
    await _assert_rollups_exact(client)
    response = await client.post(
        "/v1/processes",
        json=_definition("onboarding", 60_000),
    )
    assert response.status_code == 201, response.text
    response = await client.patch("/v1/processes/card_payment", json={"slaMs": 20_000})
    assert response.status_code == 200, response.text
    await _post_all(client, _traffic(rng, 60))
    await _assert_rollups_exact(client)

    from_rollups = [await _charts(client, _window(s, e)) for s, e in _WINDOWS]
    monkeypatch.setattr(chart_sources, "_ROLLUP_DIALECTS", frozenset())
    from_summaries = [await _charts(client, _window(s, e)) for s, e in _WINDOWS]
    _agree(from_rollups, from_summaries)
    # Not an empty agreement: the windows hold traces, SLA judgements and percentiles.
    series = from_rollups[0][0]["points"]
    assert sum(p["traceCount"] for p in series) > 100
    assert any(p["p95DurationMs"] for p in series)
    card = next(p for p in from_rollups[0][3]["processes"] if p["processName"] == "card_payment")
    assert card["withinSla"]
    assert card["breached"]


def _agree(ours: Any, theirs: Any) -> None:
    """Equal, except that a percentile may be another duration of the same 1 % bin (a
    rollup's smallest duration can be one its bin no longer holds)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        assert ours.keys() == theirs.keys()
        for key in ours:
            if key in {"p50DurationMs", "p95DurationMs"} and ours[key] != theirs[key]:
                assert ours[key] is not None
                assert theirs[key] is not None
                assert abs(ours[key] - theirs[key]) <= max(1, theirs[key] // 100), key
            else:
                _agree(ours[key], theirs[key])
        return
    if isinstance(ours, list) and isinstance(theirs, list):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            _agree(a, b)
        return
    assert ours == theirs


async def test_clearing_empties_the_rollups(client: AppClient) -> None:
    await _post_all(client, _traffic(random.Random(7), 30))
    await _assert_rollups_exact(client)
    response = await client.post("/v1/debug/events/clear", json={"confirm": True})
    assert response.status_code == 204, response.text
    if client.storage.dialect is Dialect.MSSQL:
        return

    def counts(conn: pyodbc.Connection) -> list[int]:
        return [
            int(conn.execute(f"SELECT COALESCE(SUM(trace_count), 0) FROM {t}").fetchone()[0])
            for t in ("trace_chart_hourly", "trace_chart_daily")
        ]

    assert await client.storage.database.read(counts) == [0, 0]
    await _post_all(client, _traffic(random.Random(8), 10))
    await _assert_rollups_exact(client)


_UPSERT = (
    "INSERT INTO trace_summary (trace_id, first_event_at, last_event_at, event_count, "
    "success_count, failure_count, in_progress_count, skipped_count, warning_count, "
    "has_success_end, process_name, process_started_at, account_id, account_seen_at, "
    "created_at, updated_at) "
    "SELECT t, $2::timestamptz, $2::timestamptz + make_interval(secs => $3), 1, 1, $4, "
    "0, 0, 0, false, "
    "'card_payment', $2, null, null, $2, $2 FROM unnest($1::text[]) t ORDER BY t "
    "ON CONFLICT (trace_id) DO UPDATE SET failure_count = "
    "trace_summary.failure_count + EXCLUDED.failure_count, "
    "last_event_at = GREATEST(trace_summary.last_event_at, EXCLUDED.last_event_at)"
)


async def test_concurrent_writers_share_rollup_rows_without_deadlocks(
    client: AppClient, database_url: str
) -> None:
    """Writers upsert summaries of the same hour and process at once, as group statements
    do: each statement fires the update trigger and then the insert trigger, both on
    rollup rows the other writers change too. None deadlocks (PostgreSQL would cancel one
    after a second) and the rollups stay exact."""
    if client.storage.dialect is not Dialect.POSTGRESQL:
        return
    pool = [f"trace-{n:03d}" for n in range(60)]

    async def writer(seed: int) -> int:
        rng = random.Random(seed)
        conn = await asyncpg.connect(database_url)
        deadlocks = 0
        try:
            for _ in range(150):
                traces = rng.sample(pool, 12)
                try:
                    await conn.execute(
                        _UPSERT,
                        traces,
                        _START,
                        rng.choice([0.05, 0.5, 5.0, 50.0]),
                        rng.choice([0, 1]),
                    )
                except asyncpg.DeadlockDetectedError:
                    deadlocks += 1
        finally:
            await conn.close()
        return deadlocks

    assert await asyncio.gather(*(writer(n) for n in range(4))) == [0] * 4
    await _assert_rollups_exact(client)
