"""PostgreSQL's read-side counters (migration 0008) and full-text side table (0010)
against the real server.

``trace_totals`` (traces per process, derived status, has errors) and
``trace_activity_daily`` (traces per day of their last event) are kept by statement-level
triggers on ``trace_summary``. They must equal a count of the summaries after late events
change a trace's status, account, process or day, after idempotent repeats, after the
debug clear, and with writers in concurrent transactions; the trace list and the stats
that read them must answer what a count over ``trace_summary`` answers. A text search
driven by its rare words alone must find what all its words find.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from eventlog_api._private.storage.queries import search
from eventlog_schemas import new_span_id
from support.api_events import event

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.parametrize(
        "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    ),
]

T0 = datetime(2026, 3, 10, 22, 0, tzinfo=UTC)


def _ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _trace(n: int) -> str:
    return f"{n:032x}"


def _event(
    trace: int, at: datetime, kind: str = "STEP", status: str = "SUCCESS", **fields: Any
) -> dict[str, Any]:
    return event(
        traceId=_trace(trace),
        spanId=new_span_id(),
        eventType=kind,
        eventStatus=status,
        eventTimestamp=_ts(at),
        **fields,
    )


@pytest.fixture
async def db(database_url: str, client: httpx.AsyncClient) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the test database (after the app migrated it)."""
    del client
    conn = await asyncpg.connect(database_url)
    try:
        yield conn
    finally:
        await conn.close()


async def _post(http: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
    response = await http.post("/v1/events/batch", json={"events": events})
    assert response.status_code == 201, response.text
    assert response.json()["success"], response.text


async def _assert_exact(conn: asyncpg.Connection) -> None:
    """Both counters equal a count over trace_summary."""
    totals = await conn.fetch(
        "SELECT process_name, derived_status, has_errors, SUM(trace_count) AS n "
        "FROM trace_totals GROUP BY 1, 2, 3 HAVING SUM(trace_count) <> 0 ORDER BY 1, 2, 3"
    )
    counted = await conn.fetch(
        "SELECT coalesce(process_name, '') AS process_name, derived_status, has_errors, "
        "count(*) AS n FROM trace_summary GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    assert [tuple(r) for r in totals] == [tuple(r) for r in counted]
    days = await conn.fetch(
        "SELECT day, SUM(trace_count) AS n FROM trace_activity_daily GROUP BY day "
        "HAVING SUM(trace_count) <> 0 ORDER BY day"
    )
    by_day = await conn.fetch(
        "SELECT date_trunc('day', last_event_at, 'UTC') AS day, count(*) AS n "
        "FROM trace_summary GROUP BY 1 ORDER BY 1"
    )
    assert [tuple(r) for r in days] == [tuple(r) for r in by_day]


_LIST_FILTERS = [
    "",
    "eventStatus=SUCCESS",
    "eventStatus=FAILURE",
    "eventStatus=IN_PROGRESS,WARNING",
    "eventStatus=SKIPPED",
    "hasErrors=true",
    "hasErrors=false",
    "processName=card",
    "processName=o",
    "processName=card&eventStatus=FAILURE&hasErrors=true",
    "processName=order&hasErrors=false",
]


async def _assert_list_totals(http: httpx.AsyncClient, conn: asyncpg.Connection) -> None:
    """The trace list's totals (read from the counters) equal a count over the summaries."""
    conditions = {
        "": "true",
        "eventStatus=SUCCESS": "derived_status = 'SUCCESS'",
        "eventStatus=FAILURE": "derived_status = 'FAILURE'",
        "eventStatus=IN_PROGRESS,WARNING": "derived_status IN ('IN_PROGRESS', 'WARNING')",
        "eventStatus=SKIPPED": "false",
        "hasErrors=true": "failure_count > 0",
        "hasErrors=false": "failure_count = 0",
        "processName=card": "process_name ILIKE '%card%'",
        "processName=o": "process_name ILIKE '%o%'",
        "processName=card&eventStatus=FAILURE&hasErrors=true": (
            "process_name ILIKE '%card%' AND derived_status = 'FAILURE' AND failure_count > 0"
        ),
        "processName=order&hasErrors=false": "process_name ILIKE '%order%' AND failure_count = 0",
    }
    for query in _LIST_FILTERS:
        response = await http.get(f"/v1/traces?{query}")
        assert response.status_code == 200, response.text
        expected = await conn.fetchval(
            f"SELECT count(*) FROM trace_summary WHERE {conditions[query]}"
        )
        assert response.json()["totalCount"] == expected, query


async def test_late_events_repeats_and_clear_keep_the_counters_exact(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    http = client
    s = timedelta(seconds=1)
    await _post(
        http,
        [
            # 1: no PROCESS_START yet, account acct-b: ('', IN_PROGRESS)
            _event(1, T0 + 10 * s, status="IN_PROGRESS", accountId="acct-b"),
            # 2: card_payment, a failure: (card_payment, FAILURE, errors)
            _event(2, T0, "PROCESS_START", processName="card_payment"),
            _event(2, T0 + 5 * s, status="FAILURE", processName="card_payment"),
            # 3: order_fulfilment, a warning, last event just before midnight
            _event(3, T0, "PROCESS_START", processName="order_fulfilment"),
            _event(3, T0 + timedelta(minutes=119), status="WARNING"),
        ],
    )
    await _assert_exact(db)
    await _assert_list_totals(http, db)

    late = [
        # 1 gets an earlier PROCESS_START with another account and a process: its process,
        # account and group change.
        _event(1, T0, "PROCESS_START", processName="card_payment", accountId="acct-a"),
        # 2 ends well after a failure: SUCCESS with errors.
        _event(2, T0 + 20 * s, "PROCESS_END", processName="card_payment"),
        # 3 gets an event past midnight: its last event moves to the next day.
        _event(3, T0 + timedelta(hours=3), status="SUCCESS"),
        # 4 is new, keyed: its repeat below must count once.
        _event(4, T0 + s, "PROCESS_START", processName="order_fulfilment", idempotencyKey="k4"),
    ]
    await _post(http, late)
    await _assert_exact(db)
    await _assert_list_totals(http, db)
    summary = await db.fetchrow(
        "SELECT process_name, account_id FROM trace_summary WHERE trace_id = $1", _trace(1)
    )
    assert tuple(summary) == ("card_payment", "acct-a")

    # Idempotent repeat of the keyed event: nothing stored, nothing counted.
    await _post(http, [late[3]])
    await _assert_exact(db)
    stats = (await http.get("/v1/dashboard/stats")).json()
    assert stats["totalTraces"] == 4
    assert stats["totalAccounts"] == await db.fetchval(
        "SELECT count(DISTINCT account_id) FROM trace_summary"
    )
    assert stats["successRate"] == 75.0  # 2 ended after a failure; 1, 3 and 4 are clean

    response = await http.post("/v1/debug/events/clear", json={"confirm": True})
    assert response.status_code == 204
    assert await db.fetchval("SELECT count(*) FROM trace_totals") == 0
    assert await db.fetchval("SELECT count(*) FROM trace_activity_daily") == 0
    body = (await http.get("/v1/traces")).json()
    assert (body["totalCount"], body["traces"]) == (0, [])

    # And counting starts again from nothing.
    await _post(http, [_event(5, T0, "PROCESS_START", processName="card_payment")])
    await _assert_exact(db)
    assert (await http.get("/v1/traces")).json()["totalCount"] == 1


async def test_concurrent_writers_keep_the_counters_exact(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    """Many batches at once over the same traces (the app's writer pool), in random order."""
    http = client
    rng = random.Random(4)
    processes = ["card_payment", "order_fulfilment", "dispute_handling"]
    batches: list[list[dict[str, Any]]] = []
    for b in range(24):
        batch = []
        for _ in range(15):
            n = rng.randint(1, 40)
            at = T0 + timedelta(minutes=rng.randint(-3000, 3000))
            kind, status = rng.choice(
                [
                    ("PROCESS_START", "SUCCESS"),
                    ("STEP", "SUCCESS"),
                    ("STEP", "FAILURE"),
                    ("STEP", "WARNING"),
                    ("STEP", "IN_PROGRESS"),
                    ("PROCESS_END", "SUCCESS"),
                ]
            )
            batch.append(
                _event(
                    n,
                    at,
                    kind,
                    status,
                    processName=rng.choice(processes),
                    accountId=f"acct-{rng.randint(1, 9)}",
                    correlationId=f"corr-{b}",
                )
            )
        batches.append(batch)
    await asyncio.gather(*(_post(http, batch) for batch in batches))
    await _assert_exact(db)
    await _assert_list_totals(http, db)


async def test_open_transactions_never_wait_for_each_other_on_the_counters(
    database_url: str, client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    """Two writers' transactions, both open, insert and update summaries in crossing
    order; one of them first takes the shard the other would start from. Neither waits
    (a lock timeout would fail the statement) and the counters come out exact."""
    del client
    # Two backends whose pids differ modulo 16: the span bound of migration 0004 keeps a
    # row per pid % 16, and a wait there is not what this test is about.
    one = await asyncpg.connect(database_url)
    two = await asyncpg.connect(database_url)
    while await one.fetchval("SELECT pg_backend_pid() % 16") == await two.fetchval(
        "SELECT pg_backend_pid() % 16"
    ):
        await two.close()
        two = await asyncpg.connect(database_url)
    try:
        # The chart rollups (0006) and account counts (0009) make writers take turns by
        # design, holding the turn to commit (autocommit statements in the write path):
        # open transactions like these would wait there. What is tested here is 0008.
        for trigger in (
            "trace_chart_insert",
            "trace_chart_update",
            "account_counts_insert",
            "account_counts_update",
        ):
            await one.execute(f"ALTER TABLE trace_summary DISABLE TRIGGER {trigger}")
        for conn in (one, two):
            await conn.execute("SET lock_timeout = '2s'")
        upsert = (
            "INSERT INTO trace_summary (trace_id, first_event_at, last_event_at, event_count, "
            "success_count, failure_count, in_progress_count, skipped_count, warning_count, "
            "has_success_end, process_name, process_started_at, account_id, account_seen_at, "
            "created_at, updated_at) "
            "SELECT t, $2, $2, 1, 1, $3, 0, 0, 0, false, $4, $2, null, null, $2, $2 "
            "FROM unnest($1::text[]) t ORDER BY t "
            "ON CONFLICT (trace_id) DO UPDATE SET failure_count = "
            "trace_summary.failure_count + EXCLUDED.failure_count, "
            "last_event_at = GREATEST(trace_summary.last_event_at, EXCLUDED.last_event_at)"
        )
        at = T0
        one_tx, two_tx = one.transaction(), two.transaction()
        await one_tx.start()
        await two_tx.start()
        # One holds the shard two would start from, and has written to that shard the
        # very counter rows two is about to change (as a writer on that shard does).
        taken = await two.fetchval("SELECT pg_backend_pid() % 64")
        assert await one.fetchval("SELECT pg_try_advisory_xact_lock(4242008, $1)", taken)
        await one.execute(
            "INSERT INTO trace_totals VALUES ('card_payment', 'IN_PROGRESS', false, $1, 0), "
            "('card_payment', 'FAILURE', true, $1, 0)",
            taken,
        )
        await one.execute(
            "INSERT INTO trace_activity_daily VALUES ($1, $2, 0), ($3, $2, 0)",
            T0.replace(hour=0),
            taken,
            T0.replace(hour=0) + timedelta(days=1),
        )
        # Two starts its traces on the next day: the same counter rows of 0008 (same group,
        # and one's updates and two's inserts end on the same day), but other rows of the
        # chart rollups of 0006 (keyed by the first event's hour and day, and shared by
        # all writers: a wait there is not what this test is about).
        later = at + timedelta(hours=3)
        await one.execute(upsert, ["a1", "a2"], at, 0, "card_payment")
        await two.execute(upsert, ["b1", "b2"], later, 0, "card_payment")
        # Crossing: each updates its own traces into another group and inserts more.
        await two.execute(upsert, ["b1", "b3"], later + timedelta(days=1), 1, "card_payment")
        await one.execute(upsert, ["a1", "a3"], at + timedelta(days=1), 1, "card_payment")
        await two_tx.commit()
        await one_tx.commit()
        await _assert_exact(db)
        # Two wrote elsewhere: the rows of the shard taken from it are still one's zeros.
        assert (
            await db.fetchval(
                "SELECT count(*) FROM trace_totals WHERE shard = $1 AND trace_count <> 0", taken
            )
            == 0
        )
    finally:
        await one.close()
        await two.close()


async def test_trace_list_pages_and_windows_match_a_scan(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    """Deep pages (started at their day) and windows (short and long traces read apart)
    answer what ordering and filtering every summary answers."""
    http = client
    rng = random.Random(9)
    events = []
    for n in range(1, 121):
        start = T0 + timedelta(minutes=rng.randint(-6000, 6000))
        # Durations around the one-hour split: seconds, 59-61 minutes, days.
        duration = rng.choice(
            [timedelta(seconds=3), timedelta(minutes=59), timedelta(minutes=61), timedelta(days=2)]
        )
        events.append(_event(n, start, "PROCESS_START", processName="card_payment"))
        events.append(_event(n, start + duration, "STEP", rng.choice(["SUCCESS", "FAILURE"])))
    for i in range(0, len(events), 60):
        await _post(http, events[i : i + 60])
    await _assert_exact(db)

    order = "ORDER BY last_event_at DESC, trace_id"
    everything = [r[0] for r in await db.fetch(f"SELECT trace_id FROM trace_summary {order}")]
    for page in range(1, 14):
        body = (await http.get(f"/v1/traces?pageSize=10&page={page}")).json()
        assert body["totalCount"] == 120
        assert [t["traceId"] for t in body["traces"]] == everything[(page - 1) * 10 : page * 10]

    for _ in range(12):
        lo = T0 + timedelta(minutes=rng.randint(-7000, 6000))
        hi = lo + rng.choice([timedelta(minutes=30), timedelta(hours=5), timedelta(days=2)])
        expected = [
            r[0]
            for r in await db.fetch(
                f"SELECT trace_id FROM trace_summary WHERE last_event_at >= $1 "
                f"AND first_event_at <= $2 {order}",
                lo,
                hi,
            )
        ]
        window = f"startDate={_ts(lo)}&endDate={_ts(hi)}"
        body = (await http.get(f"/v1/traces?{window}&pageSize=100")).json()
        assert body["totalCount"] == len(expected)
        assert [t["traceId"] for t in body["traces"]] == expected[:100]
        stats = (await http.get(f"/v1/dashboard/stats?{window}")).json()
        assert stats["totalTraces"] == len(expected)


async def test_search_driven_by_its_rare_words_finds_what_every_word_finds(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    """With statistics saying "card" is in most events, "card declined" is looked up by
    "declined" alone and "card" checked on the rows found: the same events, in the same
    order, with the same total as the words' full query over event_search (migration
    0010, which event_log's own inserts keep)."""
    http = client
    events = []
    both = 0
    for n in range(1, 301):
        text = "card payment captured" if n % 10 else "card payment declined by issuer"
        if n % 37 == 0:
            text = "cardholder declined the offer"  # "card" as a prefix only
        if n % 41 == 0:
            text = "transfer declined"  # "declined" without "card"
        both += "card" in text and "declined" in text
        events.append(_event(n % 60 + 1, T0 + timedelta(seconds=n), summary=text, result="DONE"))
    for i in range(0, len(events), 100):
        await _post(http, events[i : i + 100])
    await db.execute("ANALYZE event_search")
    search._LEXEMES._read_at = float("-inf")  # read this database's statistics

    expected = [
        r[0]
        for r in await db.fetch(
            "SELECT e.execution_id FROM event_search s JOIN event_log e USING (event_log_id) "
            "WHERE s.search_vector @@ to_tsquery('simple', 'card:* & declined:*') "
            "ORDER BY e.event_timestamp DESC, e.event_log_id DESC"
        )
    ]
    assert len(expected) == both
    got: list[str] = []
    for page in (1, 2):
        response = await http.post(
            "/v1/events/search/text", json={"query": "Card, declined!", "page": page}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["totalCount"] == len(expected)
        got.extend(e["executionId"] for e in body["events"])
    assert got == expected

    shares = dict(
        await db.fetch(
            "SELECT u.l, u.f FROM pg_stats s, unnest(CAST(CAST(s.most_common_elems AS text) "
            "AS text[]), s.most_common_elem_freqs) AS u(l, f) WHERE s.tablename = 'event_search'"
        )
    )
    assert shares["card"] > search.RARE_WORD
    assert search._LEXEMES._shares, "the statistics were read"
