"""Zero loss: 50,000 events logged while the real API is killed, stopped and restarted."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from eventlog_sdk import AsyncEventLogger, LoggerConfig, LoggerHooks
from support.api_server import ApiServer

from sdk.helpers import make_event

TOTAL = 50_000
FIRST_OUTAGE_AT = 10_000
SECOND_OUTAGE_AFTER = 5_000
"""The second outage starts this many events after the API came back from the first..."""
SECOND_OUTAGE_BY = 40_000
"""... or at this count, whichever comes first."""
# The producer waits at these counts for the API to have gone through a phase, so that
# events are logged before, during and after each outage however slow a restart is.
WAIT_FOR_FIRST_RESTART_AT = 25_000
WAIT_FOR_SECOND_RESTART_AT = 47_000
OUTAGE_S = 1.0


def stored(db: Path) -> tuple[int, int, set[str]]:
    with sqlite3.connect(db) as conn:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM event_log"
        ).fetchone()
        keys = {row[0] for row in conn.execute("SELECT idempotency_key FROM event_log")}
    return total, distinct, keys


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_fifty_thousand_events_survive_two_api_restarts(
    tmp_path: Path, spill_dir: Path
) -> None:
    db = tmp_path / "zero-loss.db"
    api = ApiServer(f"sqlite:///{db}")
    await api.start()
    config = LoggerConfig(
        base_url=api.base_url,
        application_id="zero-loss",
        spillover_dir=spill_dir,
        linger_s=0.02,
        retry_base_s=0.05,
        retry_cap_s=0.5,
        retry_max_attempts=3,
        breaker_failure_threshold=3,
        breaker_reset_s=0.5,
        replay_interval_s=0.5,
        request_timeout_s=5.0,
        connect_timeout_s=1.0,
        shutdown_timeout_s=15.0,
    )
    transitions: list[str] = []
    hooks = LoggerHooks(
        on_circuit_open=lambda: transitions.append("open"),
        on_circuit_close=lambda: transitions.append("close"),
    )
    logger = AsyncEventLogger(config, hooks=hooks)
    logged = 0
    outages: list[tuple[str, int]] = []

    async def wait_for(count: int) -> None:
        while logged < count:  # noqa: ASYNC110 - polls the producer's plain counter
            await asyncio.sleep(0.01)

    first_restart = asyncio.Event()
    second_outage = asyncio.Event()
    second_restart = asyncio.Event()

    async def chaos() -> None:
        await wait_for(FIRST_OUTAGE_AT)
        outages.append(("kill", logged))
        await api.kill()  # abrupt: batches in flight get no answer
        await asyncio.sleep(OUTAGE_S)
        await api.start()
        first_restart.set()
        await wait_for(min(logged + SECOND_OUTAGE_AFTER, SECOND_OUTAGE_BY))
        outages.append(("stop", logged))
        stopping = asyncio.create_task(api.stop())  # graceful
        await asyncio.sleep(0)
        second_outage.set()
        await stopping
        await asyncio.sleep(OUTAGE_S)
        await api.start()
        second_restart.set()

    try:
        chaos_task = asyncio.create_task(chaos())
        for n in range(TOTAL):
            if n == WAIT_FOR_FIRST_RESTART_AT:
                await first_restart.wait()
            elif n == SECOND_OUTAGE_BY:
                await second_outage.wait()
            elif n == WAIT_FOR_SECOND_RESTART_AT:
                await second_restart.wait()
            await logger.log(make_event(n, idempotency_key=f"zl-{n:05d}"))
            logged += 1
            if n % 100 == 99:
                await asyncio.sleep(0.01)  # an application that does other work too
        await asyncio.wait_for(chaos_task, 60)
        assert await logger.flush(60)
        # Replay whatever spilled until the folder is empty (bounded).
        deadline = time.monotonic() + 90
        while logger.stats().spill_pending and time.monotonic() < deadline:
            await logger.replay_now()
            await asyncio.sleep(0.1)
        await logger.aclose()
        stats = logger.stats()
        total, distinct, keys = stored(db)
    finally:
        await logger.aclose()
        await api.stop()

    assert [kind for kind, _ in outages] == ["kill", "stop"]
    assert outages[0][1] < outages[1][1] < WAIT_FOR_SECOND_RESTART_AT, outages
    assert transitions.count("open") >= 2, transitions  # at least once per outage
    assert transitions[-1] == "close"
    assert stats.spilled > 0, stats
    assert stats.replayed > 0, stats
    assert stats.dropped_total == 0, stats.dropped
    assert stats.spill_pending == 0
    assert total == TOTAL
    assert distinct == TOTAL
    assert keys == {f"zl-{n:05d}" for n in range(TOTAL)}
