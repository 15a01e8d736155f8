"""Process logger, trace context, traceparent propagation (ASGI in, aiohttp out), test double."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from eventlog_schemas import EventStatus, EventType, new_span_id, new_trace_id
from eventlog_sdk import (
    TraceContext,
    TraceContextMiddleware,
    current_context,
    extract,
    inject,
    new_context,
    trace_config,
    use_context,
)
from eventlog_sdk.testing import CapturingLogger

# --- the process logger ----------------------------------------------------------------


async def test_span_tree_of_a_fork_join_process() -> None:
    logger = CapturingLogger()
    proc = logger.process("Checkout", correlation_id="cart-1", account_id="acc-1")
    root = await proc.start()
    seq = proc.next_sequence()
    a = await proc.step("ChargeCard", step_sequence=seq)
    b = await proc.step("ReserveStock", step_sequence=seq)
    join = await proc.step("Confirm", span_links=[a, b])
    end = await proc.end()

    events = logger.events_for("Checkout")
    assert [e.event_type for e in events] == [
        EventType.PROCESS_START,
        EventType.STEP,
        EventType.STEP,
        EventType.STEP,
        EventType.PROCESS_END,
    ]
    assert [e.span_id for e in events] == [root, a, b, join, end]
    assert len({root, a, b, join, end}) == 5
    assert events[0].parent_span_id is None
    assert all(e.parent_span_id == root for e in events[1:])
    assert events[1].step_sequence == events[2].step_sequence == seq
    assert events[0].step_sequence == 0
    assert events[3].span_links == [a, b]
    assert events[3].step_sequence == seq + 1
    assert {e.trace_id for e in events} == {proc.trace_id}
    assert {e.correlation_id for e in events} == {"cart-1"}
    assert {e.account_id for e in events} == {"acc-1"}
    assert all(e.application_id == "test-application" for e in events)


async def test_sticky_fields_bind_and_one_shot_fields_do_not_stick() -> None:
    logger = CapturingLogger()
    proc = logger.process(
        "Onboarding", correlation_id="app-7", identifiers={"applicationRef": "A7"}
    )
    await proc.start(endpoint="/apply", http_method="post", http_status_code=202)
    proc.bind(account_id="acc-new", metadata={"channel": "web"}, identifiers={"customer": "C1"})
    await proc.step(
        "KycCheck",
        request_payload='{"q":1}',
        response_payload='{"ok":true}',
        idempotency_key="kyc-1",
        metadata={"vendor": "x"},
    )
    await proc.step("Welcome")
    start, kyc, welcome = logger.events
    assert start.endpoint == "/apply"
    assert start.http_method == "POST"
    assert start.http_status_code == 202
    assert start.account_id is None
    assert kyc.account_id == welcome.account_id == "acc-new"
    assert kyc.identifiers == {"applicationRef": "A7", "customer": "C1"}
    assert kyc.metadata == {"channel": "web", "vendor": "x"}
    assert kyc.idempotency_key == "kyc-1"
    assert welcome.metadata == {"channel": "web"}
    assert welcome.endpoint is None
    assert welcome.request_payload is None
    assert welcome.idempotency_key is None


async def test_unknown_field_is_a_programming_error() -> None:
    proc = CapturingLogger().process("P")
    with pytest.raises(TypeError, match="colour"):
        await proc.step("s", colour="red")


async def test_await_completion_leaves_the_start_in_progress() -> None:
    logger = CapturingLogger()
    async with logger.process("Settlement", correlation_id="s-1", await_completion=True) as proc:
        await proc.step("Submitted")
    explicit = logger.process("Refund")
    await explicit.start(await_completion=True)
    assert explicit.awaiting_completion
    start = logger.assert_logged(process_name="Settlement", event_type="PROCESS_START")
    assert start.event_status == EventStatus.IN_PROGRESS
    logger.assert_not_logged(event_type="PROCESS_END")  # completion comes later, elsewhere


async def test_async_with_ends_the_process_or_records_the_error() -> None:
    logger = CapturingLogger()
    async with logger.process("Good") as proc:
        await proc.step("one")
    logger.assert_process_completed("Good")

    with pytest.raises(ValueError, match="bad input"):
        async with logger.process("Bad"):
            raise ValueError("bad input")
    error = logger.assert_logged(process_name="Bad", event_type="ERROR")
    assert error.error_code == "ValueError"
    assert error.error_message == "bad input"
    assert error.event_status == EventStatus.FAILURE
    logger.assert_logged(process_name="Bad", event_type="PROCESS_END", event_status="FAILURE")


async def test_timed_step_records_duration_and_failure() -> None:
    logger = CapturingLogger()
    proc = logger.process("Timed")
    async with proc.timed_step("Fast") as step:
        assert current_context() == TraceContext(
            trace_id=proc.trace_id, span_id=step.span_id, correlation_id=proc.correlation_id
        )
        await asyncio.sleep(0.02)
        step.fields["http_status_code"] = 201
    with pytest.raises(TimeoutError):
        async with proc.timed_step("Slow"):
            raise TimeoutError
    fast, slow = logger.events
    assert fast.execution_time_ms is not None
    assert fast.execution_time_ms >= 15
    assert fast.http_status_code == 201
    assert fast.event_status == EventStatus.SUCCESS
    assert slow.event_status == EventStatus.FAILURE
    assert slow.error_code == "TimeoutError"
    assert current_context() is None


async def test_process_joins_the_incoming_trace() -> None:
    logger = CapturingLogger()
    upstream = TraceContext(
        trace_id=new_trace_id(), span_id=new_span_id(), correlation_id="corr-up"
    )
    with use_context(upstream):
        proc = logger.process("Downstream")
        await proc.start()
    (event,) = logger.events
    assert event.trace_id == upstream.trace_id
    assert event.parent_span_id == upstream.span_id
    assert event.correlation_id == "corr-up"
    assert proc.traceparent() == f"00-{upstream.trace_id}-{proc.root_span_id}-01"


# --- context and headers ---------------------------------------------------------------


def test_inject_and_extract_round_trip() -> None:
    ctx = TraceContext(trace_id=new_trace_id(), span_id=new_span_id(), correlation_id="c-9")
    headers = inject({}, ctx)
    assert headers["traceparent"] == f"00-{ctx.trace_id}-{ctx.span_id}-01"
    assert headers["X-Correlation-Id"] == "c-9"
    assert extract({"TraceParent": headers["traceparent"], "x-correlation-id": "c-9"}) == ctx
    assert extract({"traceparent": "garbage"}) is None
    assert extract({}) is None
    kept = inject({"traceparent": "mine"}, ctx)
    assert kept["traceparent"] == "mine"
    assert inject({}, None) == {}  # no context, nothing added


def test_a_context_without_span_still_makes_a_valid_header() -> None:
    ctx = new_context(correlation_id="c")
    parsed = extract(inject({}, ctx))
    assert parsed is not None
    assert parsed.trace_id == ctx.trace_id


async def test_context_is_per_task() -> None:
    seen: dict[str, Any] = {}

    async def worker(name: str, ctx: TraceContext) -> None:
        with use_context(ctx):
            await asyncio.sleep(0.01)
            seen[name] = current_context()

    a, b = new_context(), new_context()
    await asyncio.gather(worker("a", a), worker("b", b))
    assert seen == {"a": a, "b": b}
    assert current_context() is None


async def test_asgi_middleware_reads_traceparent_and_correlation_id() -> None:
    seen: list[TraceContext | None] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(current_context())

    middleware = TraceContextMiddleware(app)
    trace_id, span_id = new_trace_id(), new_span_id()
    scope = {
        "type": "http",
        "headers": [
            (b"traceparent", f"00-{trace_id}-{span_id}-01".encode()),
            (b"x-correlation-id", b"order-5"),
        ],
    }
    await middleware(scope, None, None)
    await middleware({"type": "http", "headers": [(b"x-correlation-id", b"only")]}, None, None)
    strict = TraceContextMiddleware(app, start_trace=False)
    await strict({"type": "http", "headers": []}, None, None)
    await middleware({"type": "lifespan"}, None, None)
    first, fresh, none, lifespan = seen
    assert first == TraceContext(trace_id=trace_id, span_id=span_id, correlation_id="order-5")
    assert scope["state"]["trace_context"] == first  # type: ignore[index]
    assert fresh is not None
    assert fresh.correlation_id == "only"
    assert fresh.span_id is None
    assert none is None
    assert lifespan is None
    assert current_context() is None


async def test_aiohttp_trace_config_injects_the_current_context() -> None:
    received: list[Any] = []

    async def echo(request: web.Request) -> web.Response:
        received.append(request.headers.copy())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert site._server is not None
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    ctx = TraceContext(trace_id=new_trace_id(), span_id=new_span_id(), correlation_id="k-1")
    try:
        async with aiohttp.ClientSession(trace_configs=[trace_config()]) as session:
            with use_context(ctx):
                async with session.get(f"http://127.0.0.1:{port}/") as response:
                    await response.read()
            async with session.get(f"http://127.0.0.1:{port}/") as response:
                await response.read()
    finally:
        await runner.cleanup()
    with_ctx, without = received
    assert with_ctx["traceparent"] == f"00-{ctx.trace_id}-{ctx.span_id}-01"
    assert with_ctx["X-Correlation-Id"] == "k-1"
    assert "traceparent" not in without


# --- the test double -------------------------------------------------------------------


async def test_capturing_logger_helpers() -> None:
    async with CapturingLogger() as logger:
        async with logger.process("A", correlation_id="c-a") as proc:
            await proc.step("x", summary="declined by issuer", status=EventStatus.FAILURE)
        async with logger.process("B", correlation_id="c-b"):
            pass
    assert logger.closed
    assert logger.count() == 5
    assert logger.count(process_name="A") == 3
    assert len(logger.events_for(correlation_id="c-b")) == 2
    assert logger.assert_logged(summary=lambda s: "declined" in s).step_name == "x"
    logger.assert_logged(event_type="PROCESS_START", times=2)
    with pytest.raises(AssertionError, match="expected exactly 3"):
        logger.assert_logged(event_type="PROCESS_START", times=3)
    with pytest.raises(AssertionError, match="found 1"):
        logger.assert_not_logged(process_name="B", event_type="PROCESS_START")
    with pytest.raises(TypeError, match="unknown EventLogEntry field"):
        logger.find(colour="red")
    assert logger.as_dicts()[0]["processName"] == "A"
    logger.clear()
    assert logger.count() == 0
