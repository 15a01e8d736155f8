"""Time windows of the trace list and the stats on the real SQLite driver and the real
PostgreSQL server: short and long traces are read apart (migrations 0008 and 0011), and
every window answers exactly what filtering every summary answers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pyodbc
from eventlog_schemas import new_span_id, new_trace_id
from support.api_events import event

from .conftest import AppClient

_T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _scan(conn: pyodbc.Connection, lo: str, hi: str, extra: str = "") -> list[tuple[str, int]]:
    rows = conn.execute(
        "SELECT trace_id, failure_count FROM trace_summary WHERE last_event_at >= ? "
        f"AND first_event_at <= ?{extra} ORDER BY last_event_at DESC, trace_id",
        lo,
        hi,
    ).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


async def test_windows_match_a_scan_of_every_summary(client: AppClient) -> None:
    rng = random.Random(11)
    events: list[dict[str, Any]] = []
    for n in range(150):
        trace = new_trace_id()
        start = _T0 + timedelta(minutes=rng.randint(-5000, 5000))
        # Durations around the one-hour split: seconds, 59-61 minutes, days.
        duration = rng.choice(
            [
                timedelta(seconds=3),
                timedelta(minutes=59),
                timedelta(minutes=61),
                timedelta(days=2),
            ]
        )
        common = {"traceId": trace, "processName": "card_payment", "accountId": f"acct-{n % 9}"}
        events.append(
            event(
                **common,
                spanId=new_span_id(),
                eventType="PROCESS_START",
                eventStatus="IN_PROGRESS",
                eventTimestamp=_ts(start),
            )
        )
        events.append(
            event(
                **common,
                spanId=new_span_id(),
                eventStatus=rng.choice(["SUCCESS", "FAILURE"]),
                eventTimestamp=_ts(start + duration),
            )
        )
    for i in range(0, len(events), 50):
        response = await client.post("/v1/events/batch", json={"events": events[i : i + 50]})
        assert response.status_code == 201, response.text

    checked = 0
    for _ in range(15):
        lo_at = _T0 + timedelta(minutes=rng.randint(-6000, 5000))
        hi_at = lo_at + rng.choice([timedelta(minutes=30), timedelta(hours=5), timedelta(days=2)])
        lo, hi = _ts(lo_at), _ts(hi_at)

        def scan(conn: pyodbc.Connection, lo: str = lo, hi: str = hi) -> list[tuple[str, int]]:
            return _scan(conn, lo, hi)

        expected = await client.storage.database.read(scan)
        window = f"startDate={lo}&endDate={hi}"
        body = (await client.get(f"/v1/traces?{window}&pageSize=100")).json()
        assert body["totalCount"] == len(expected)
        assert [t["traceId"] for t in body["traces"]] == [t for t, _ in expected[:100]]
        errors = (await client.get(f"/v1/traces?{window}&hasErrors=true&pageSize=100")).json()
        assert [t["traceId"] for t in errors["traces"]] == [t for t, f in expected if f][:100]
        stats = (await client.get(f"/v1/dashboard/stats?{window}")).json()
        assert stats["totalTraces"] == len(expected)
        checked += len(expected)
    # Not an empty agreement: the windows held traces.
    assert checked > 100
