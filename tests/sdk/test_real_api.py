"""The SDK against the real API (hypercorn subprocess on a loopback port, SQLite file)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import aiohttp
import asyncpg
import msgspec
import pytest
from eventlog_schemas import (
    CorrelationLinkRequest,
    CreateProcessRequest,
    EventStatus,
    LookupRequest,
    TextSearchRequest,
    UpdateProcessRequest,
)
from eventlog_sdk import (
    AsyncEventLogger,
    DropReason,
    EventLogApiError,
    EventLogClient,
    EventLogConnectionError,
    RetryPolicy,
)
from support.api_server import ApiServer, free_port
from support.tcp_proxy import TcpProxy

from sdk.helpers import fast_config, make_event


def db_path(api: ApiServer) -> Path:
    return Path(api.database_url.removeprefix("sqlite:///"))


def stored_keys(api: ApiServer, prefix: str = "") -> list[str]:
    with sqlite3.connect(db_path(api)) as conn:
        rows = conn.execute(
            "SELECT idempotency_key FROM event_log WHERE idempotency_key LIKE ?", (prefix + "%",)
        ).fetchall()
    return [r[0] for r in rows]


def counting_trace_config(counter: list[str]) -> aiohttp.TraceConfig:
    async def on_start(
        _session: aiohttp.ClientSession, _ctx: object, params: aiohttp.TraceRequestStartParams
    ) -> None:
        counter.append(f"{params.method} {params.url.path}")

    config = aiohttp.TraceConfig()
    config.on_request_start.append(on_start)
    return config


# --- the client ------------------------------------------------------------------------


async def test_client_ingest_and_idempotency(sqlite_api: ApiServer) -> None:
    async with EventLogClient(sqlite_api.base_url) as client:
        assert (await client.healthcheck()).status == "ok"
        assert (await client.readiness()).status == "ready"
        assert (await client.version()).version
        one = await client.create_event(make_event(1, idempotency_key="same"))
        again = await client.create_event(make_event(2, idempotency_key="same"))
        assert one.execution_ids == again.execution_ids
        batch = await client.create_events(
            [make_event(3), make_event(4, summary=""), make_event(5)], batch_id="b-1"
        )
    assert batch.total_received == 3
    assert batch.total_inserted == 2
    assert not batch.success
    assert batch.errors is not None
    (error,) = batch.errors
    assert error.index == 1
    assert not error.retryable
    assert len(stored_keys(sqlite_api)) == 3  # every stored event got a key from the client


async def test_client_400_is_raised_with_details_and_not_retried(sqlite_api: ApiServer) -> None:
    requests: list[str] = []
    async with EventLogClient(
        sqlite_api.base_url,
        retry=RetryPolicy(base_s=0.01, max_attempts=5),
        trace_configs=[counting_trace_config(requests)],
    ) as client:
        with pytest.raises(EventLogApiError) as caught:
            await client.create_event(make_event(1, correlation_id=""))
    assert requests == ["POST /v1/events"]
    assert caught.value.status == 400
    assert caught.value.error.error == "Validation Error"
    assert caught.value.error.details
    assert caught.value.error.details[0].field == "correlationId"


async def test_a_lost_create_process_answer_is_not_a_conflict(sqlite_api: ApiServer) -> None:
    """The first POST stores the definition but its answer is lost; the retry's 409 is ours."""
    definition = CreateProcessRequest(
        process_name="Refunds", display_name="Refunds", description="d", owning_team="t", sla_ms=900
    )
    fast = RetryPolicy(base_s=0.01, cap_s=0.05, max_attempts=3)
    async with (
        TcpProxy("127.0.0.1", sqlite_api.port) as proxy,
        EventLogClient(f"http://127.0.0.1:{proxy.port}", retry=fast) as client,
    ):
        proxy.drop_answers(1)
        created = await client.create_process(definition)
        assert proxy.answers_dropped == 1
        assert created.process_name == "Refunds"
        assert created.sla_ms == 900
        # A different definition under the same name stays a conflict, lost answer or not.
        proxy.drop_answers(1)
        with pytest.raises(EventLogApiError) as conflict:
            await client.create_process(
                msgspec.structs.replace(definition, display_name="Other refunds")
            )
        assert conflict.value.status == 409
        assert proxy.answers_dropped == 2
    async with EventLogClient(sqlite_api.base_url) as client:
        listed = await client.list_processes()
    assert [p.display_name for p in listed.processes] == ["Refunds"]


async def test_ids_with_a_slash_round_trip_through_the_server(sqlite_api: ApiServer) -> None:
    """The SDK percent-encodes "/" in ids; hypercorn decodes it; the API still routes."""
    async with EventLogClient(sqlite_api.base_url) as client:
        events = [make_event(n, correlation_id="ORD/2026/17", account_id="ACC/9") for n in range(2)]
        await client.create_events(events, batch_id="B/1")
        by_order = await client.get_correlation_events("ORD/2026/17")
        by_account = await client.get_account_events("ACC/9")
        by_batch = await client.get_batch_summary("B/1")
    assert (by_order.correlation_id, by_order.total_count) == ("ORD/2026/17", 2)
    assert by_account.total_count == 2
    assert by_batch.total_processes == 1


async def test_client_processes_links_and_404s(sqlite_api: ApiServer) -> None:
    async with EventLogClient(sqlite_api.base_url) as client:
        created = await client.create_process(
            CreateProcessRequest(
                process_name="OrderFlow",
                display_name="Order flow",
                description="Orders from cart to shipment",
                owning_team="checkout",
                sla_ms=5000,
            )
        )
        assert created.is_active
        with pytest.raises(EventLogApiError) as conflict:
            await client.create_process(
                CreateProcessRequest(
                    process_name="OrderFlow",
                    display_name="x",
                    description="x",
                    owning_team="x",
                )
            )
        assert conflict.value.status == 409
        assert conflict.value.error.error == "CONFLICT"
        fetched = await client.get_process("OrderFlow")
        assert fetched.sla_ms == 5000
        updated = await client.update_process(
            "OrderFlow", UpdateProcessRequest(is_active=False, sla_ms=None)
        )
        assert not updated.is_active
        assert updated.sla_ms is None
        active = await client.list_processes(is_active=True)
        assert all(p.process_name != "OrderFlow" for p in active.processes)
        with pytest.raises(EventLogApiError) as missing:
            await client.get_process("NoSuchFlow")
        assert missing.value.status == 404
        assert missing.value.error.error == "NOT_FOUND"

        link = await client.create_correlation_link(
            CorrelationLinkRequest(correlation_id="c with space:1", account_id="acc-1")
        )
        assert link.success
        got = await client.get_correlation_link("c with space:1")
        assert got.account_id == "acc-1"
        with pytest.raises(EventLogApiError) as no_link:
            await client.get_correlation_link("unknown")
        assert no_link.value.status == 404

        await client.create_event(make_event(1))
        await client.clear_all()
        assert await client.list_processes() is not None
    assert stored_keys(sqlite_api) == []


async def test_client_connection_refused_is_retried_then_raised() -> None:
    port = free_port()
    policy = RetryPolicy(base_s=0.01, cap_s=0.02, max_attempts=3)
    async with EventLogClient(f"http://127.0.0.1:{port}", retry=policy) as client:
        with pytest.raises(EventLogConnectionError) as caught:
            await client.healthcheck()
    assert caught.value.attempts == 3


# --- the logger ------------------------------------------------------------------------


async def test_logger_delivers_and_drops_invalid_entries_with_a_count(
    sqlite_api: ApiServer, spill_dir: Path
) -> None:
    config = fast_config(spill_dir, base_url=sqlite_api.base_url, batch_size=50)
    async with AsyncEventLogger(config) as logger:
        for i in range(200):
            await logger.log(make_event(i, idempotency_key=f"ok-{i}"))
        await logger.log(make_event(999, result="", idempotency_key="bad-1"))
        assert await logger.flush(10)
        stats = logger.stats()
    assert sorted(stored_keys(sqlite_api, "ok-")) == sorted(f"ok-{i}" for i in range(200))
    assert stored_keys(sqlite_api, "bad-") == []
    assert stats.sent == 200
    assert stats.dropped == {DropReason.INVALID_EVENT: 1}
    assert stats.spilled == 0


async def test_logger_splits_batches_the_server_refuses_with_413(
    tmp_path: Path, spill_dir: Path
) -> None:
    env = {"EVENTLOG_MAX_BODY_BYTES": "8192"}
    async with ApiServer(f"sqlite:///{tmp_path / 'small.db'}", env=env) as api:
        config = fast_config(
            spill_dir, base_url=api.base_url, batch_size=100, batch_max_bytes=500_000
        )
        async with AsyncEventLogger(config) as logger:
            for i in range(60):
                await logger.log(make_event(i, idempotency_key=f"split-{i}"))
            await logger.log(
                make_event(99, idempotency_key="huge", metadata={"blob": "x" * 20_000})
            )
            assert await logger.flush(20)
            stats = logger.stats()
        keys = stored_keys(api, "split-")
        assert stored_keys(api, "huge") == []
    assert len(keys) == 60
    assert stats.sent == 60
    assert stats.dropped == {DropReason.INVALID_EVENT: 1}  # too large even alone


async def test_aclose_is_bounded_while_the_api_hangs_and_nothing_is_lost(
    sqlite_api: ApiServer, spill_dir: Path
) -> None:
    pid = sqlite_api.pid
    assert pid is not None
    config = fast_config(
        spill_dir, base_url=sqlite_api.base_url, request_timeout_s=30.0, batch_size=20
    )
    logger = AsyncEventLogger(config)
    os.kill(pid, signal.SIGSTOP)  # the server accepts connections but never answers
    try:
        for i in range(50):
            await logger.log(make_event(i, idempotency_key=f"hang-{i}"))
        await asyncio.sleep(0.2)  # a batch is in flight, hanging
        start = time.monotonic()
        await logger.aclose(timeout=1.0)
        elapsed = time.monotonic() - start
    finally:
        os.kill(pid, signal.SIGCONT)
    assert elapsed < 2.5  # the 1 s budget plus spilling, on a busy machine
    stats = logger.stats()
    assert stats.spilled == 50
    assert stats.dropped_total == 0
    # The API is back: a new logger replays; the in-flight batch the server may have
    # stored after all is deduplicated by its idempotencyKey.
    async with AsyncEventLogger(fast_config(spill_dir, base_url=sqlite_api.base_url)) as later:
        await later.replay_now()
    keys = stored_keys(sqlite_api, "hang-")
    assert sorted(keys) == sorted(f"hang-{i}" for i in range(50))


async def test_fork_gives_the_child_a_working_logger(
    sqlite_api: ApiServer, spill_dir: Path
) -> None:
    config = fast_config(spill_dir, base_url=sqlite_api.base_url)
    logger = AsyncEventLogger(config)
    await logger.log(make_event(0, idempotency_key="parent-0"))
    assert await logger.flush(5)

    async def child_main() -> int:
        for i in range(20):
            await logger.log(make_event(i, idempotency_key=f"child-{i}"))
        await logger.aclose(timeout=5)
        stats = logger.stats()
        ok = stats.sent == 20 and stats.queued == 20 and stats.dropped_total == 0
        return 0 if ok else 3

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
        pid = os.fork()
    if pid == 0:  # the child: a new event loop, the inherited logger object
        code = 4
        try:
            code = asyncio.run(child_main())
        finally:
            os._exit(code)
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)  # noqa: ASYNC222 - WNOHANG never blocks
        if done:
            break
        await asyncio.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the forked child did not finish")
    assert os.waitstatus_to_exitcode(status) == 0
    # The parent's logger still works after the fork.
    await logger.log(make_event(1, idempotency_key="parent-1"))
    await logger.aclose(timeout=5)
    assert logger.stats().sent == 2
    assert sorted(stored_keys(sqlite_api, "child-")) == sorted(f"child-{i}" for i in range(20))
    assert sorted(stored_keys(sqlite_api, "parent-")) == ["parent-0", "parent-1"]


TESTS_DIR = Path(__file__).resolve().parents[1]
EXIT_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from eventlog_sdk import AsyncEventLogger, LoggerConfig
    from sdk.helpers import make_event

    async def main():
        config = LoggerConfig(
            base_url=sys.argv[1], spillover_dir=Path(sys.argv[2]), linger_s=30.0,
            batch_size=1000, connect_timeout_s=0.5, atexit_timeout_s=3.0,
        )
        logger = AsyncEventLogger(config)
        for i in range(40):
            await logger.log(make_event(i, idempotency_key=f"exit-{i}"))
        # No aclose(): the program just ends with 40 events queued.

    asyncio.run(main())
    """
)


async def test_atexit_flushes_a_logger_that_was_not_closed(
    sqlite_api: ApiServer, spill_dir: Path, tmp_path: Path
) -> None:
    tests_dir = str(TESTS_DIR)
    script = tmp_path / "exit_app.py"
    script.write_text(EXIT_SCRIPT)
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(script), sqlite_api.base_url, str(spill_dir), tests_dir],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert sorted(stored_keys(sqlite_api, "exit-")) == sorted(f"exit-{i}" for i in range(40))

    # With the API unreachable, the exit handler spills instead.
    dead = f"http://127.0.0.1:{free_port()}"
    other_spill = tmp_path / "spill-dead"
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(script), dead, str(other_spill), tests_dir],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    lines = [
        line
        for path in sorted(other_spill.iterdir())
        for line in path.read_bytes().splitlines()
        if line
    ]
    assert len(lines) == 40


async def test_process_logger_span_tree_reads_back_through_the_trace_endpoint(
    sqlite_api: ApiServer, spill_dir: Path
) -> None:
    config = fast_config(spill_dir, base_url=sqlite_api.base_url, application_id="shop")
    async with AsyncEventLogger(config) as logger:
        proc = logger.process(
            "OrderFulfilment", correlation_id="order-77", account_id="acc-9", batch_id="b-7"
        )
        root = await proc.start("Order 77 received", await_completion=True)
        reserve = await proc.step("ReserveStock", "Stock reserved")
        fork = proc.next_sequence()
        pay = await proc.step("TakePayment", "Payment taken", step_sequence=fork)
        ship = await proc.step("BookCourier", "Courier booked", step_sequence=fork)
        join = await proc.step(
            "Confirm", "Order confirmed", span_links=[pay, ship], http_status_code=200
        )
        end = await proc.end("Order 77 fulfilled")
        assert await logger.flush(5)
    async with EventLogClient(sqlite_api.base_url) as client:
        trace = await client.get_trace_events(proc.trace_id)
    by_span = {e.span_id: e for e in trace.events}
    assert set(by_span) == {root, reserve, pay, ship, join, end}
    assert by_span[root].event_type == "PROCESS_START"
    assert by_span[root].event_status == EventStatus.IN_PROGRESS
    assert by_span[root].parent_span_id is None
    for span in (reserve, pay, ship, join, end):
        assert by_span[span].parent_span_id == root
    assert by_span[pay].step_sequence == by_span[ship].step_sequence == fork
    assert by_span[join].span_links == [pay, ship]
    assert by_span[join].http_status_code == 200
    assert {e.account_id for e in trace.events} == {"acc-9"}
    assert {e.batch_id for e in trace.events} == {"b-7"}
    assert {e.correlation_id for e in trace.events} == {"order-77"}
    assert trace.process_name == "OrderFulfilment"
    assert trace.total_count == 6


async def test_client_read_endpoints_against_logged_processes(
    sqlite_api: ApiServer, spill_dir: Path
) -> None:
    config = fast_config(spill_dir, base_url=sqlite_api.base_url, application_id="shop")
    async with AsyncEventLogger(config) as logger:
        good = logger.process(
            "Payout", correlation_id="payout-1", account_id="acc-r", batch_id="batch-r"
        )
        async with good:
            await good.step("Transfer funds", "Funds transferred to the beneficiary bank")
        bad = logger.process(
            "Payout", correlation_id="payout-2", account_id="acc-r", batch_id="batch-r"
        )
        with pytest.raises(RuntimeError):
            async with bad:
                raise RuntimeError("beneficiary bank rejected the transfer")
        assert await logger.flush(5)

    async with EventLogClient(sqlite_api.base_url) as client:
        await client.create_process(
            CreateProcessRequest(
                process_name="Payout",
                display_name="Payouts",
                description="Money out",
                owning_team="treasury",
                sla_ms=60_000,
            )
        )
        trace = await client.get_trace_events(good.trace_id, page_size=500)
        assert trace.total_count == 3
        one = await client.get_event(trace.events[0].execution_id)
        assert one.span_id == trace.events[0].span_id

        correlation = await client.get_correlation_events("payout-2")
        assert {e.event_type for e in correlation.events} == {
            "PROCESS_START",
            "ERROR",
            "PROCESS_END",
        }
        account = await client.get_account_events("acc-r", page_size=100)
        assert account.total_count == 6
        summary = await client.get_account_summary("acc-r")
        assert summary.summary.total_events == 6
        assert summary.summary.error_count >= 1
        batch = await client.get_batch_events("batch-r", event_status=EventStatus.FAILURE)
        assert batch.failure_count == 1
        batch_summary = await client.get_batch_summary("batch-r")
        assert (batch_summary.completed, batch_summary.failed) == (1, 1)

        found = await client.search_text(TextSearchRequest(query="beneficiary transf"))
        assert found.total_count >= 2
        looked = await client.lookup(
            LookupRequest(account_id="acc-r", event_status=EventStatus.FAILURE)
        )
        assert looked.total_count >= 1

        traces = await client.list_traces(process_name="payout", event_status=["FAILURE"])
        assert [t.trace_id for t in traces.traces] == [bad.trace_id]
        both = await client.list_traces(event_status=["SUCCESS", "FAILURE"], page_size=10)
        assert both.total_count == 2
        errors_only = await client.list_traces(has_errors=True)
        assert errors_only.total_count == 1
        assert errors_only.traces[0].sla_ms == 60_000

        stats = await client.dashboard_stats()
        assert stats.total_traces == 2
        assert stats.success_rate == 50.0
        series = await client.dashboard_timeseries(bucket="hour")
        assert sum(p.trace_count for p in series.points) == 2
        per_process = await client.dashboard_processes()
        assert [p.process_name for p in per_process.processes] == ["Payout"]
        sla = await client.dashboard_sla()
        assert [p.process_name for p in sla.processes] == ["Payout"]
        with pytest.raises(EventLogApiError) as bad_page:
            await client.get_trace_events(good.trace_id, page_size=501)
        assert bad_page.value.status == 400


@pytest.mark.postgres
async def test_logger_into_postgres_through_the_api(
    postgres_api: ApiServer, spill_dir: Path
) -> None:
    config = fast_config(spill_dir, base_url=postgres_api.base_url)
    async with AsyncEventLogger(config) as logger:
        for i in range(2_000):
            await logger.log(make_event(i, idempotency_key=f"pg-{i}"))
            if i % 200 == 199:
                await asyncio.sleep(0)
        assert await logger.flush(30)
        stats = logger.stats()
    conn = await asyncpg.connect(postgres_api.database_url)
    try:
        total, distinct = await conn.fetchrow(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM event_log"
            " WHERE idempotency_key LIKE 'pg-%'"
        )
    finally:
        await conn.close()
    assert (total, distinct) == (2_000, 2_000)
    assert (stats.sent, stats.spilled, stats.dropped_total) == (2_000, 0, 0)
