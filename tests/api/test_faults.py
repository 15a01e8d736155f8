"""The database fails under load: every event that got a 201 is stored exactly once.

Clients post keyed batches the way the SDK does: a 503 (or a broken connection) means
"send the same batch again later". Meanwhile the database links break (a proxy drops
them), the API's sessions are terminated, and PostgreSQL itself is stopped and started.
Afterwards the API answers without a restart, no request got a 500, and the database
holds each acknowledged event once, with the executionId the client was given.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import asyncpg
import pytest
from support.api_events import event
from support.api_server import ApiServer
from support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

BATCH_SIZE = 20
CLIENTS = 4


@dataclass
class Load:
    """Keyed batches posted until stopped; what the API acknowledged, and what it answered."""

    base_url: str
    acknowledged: dict[str, str] = field(default_factory=dict)  # key → executionId
    statuses: Counter[int | str] = field(default_factory=Counter)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    _keys: itertools.count[int] = field(default_factory=itertools.count)

    async def client(self, number: int) -> None:
        timeout = aiohttp.ClientTimeout(total=20)
        async with aiohttp.ClientSession(self.base_url, timeout=timeout) as http:
            while not self.stop.is_set():
                keys = [f"fault-{number}-{next(self._keys)}" for _ in range(BATCH_SIZE)]
                batch = {"events": [event(idempotencyKey=key) for key in keys]}
                for _attempt in range(200):  # the same batch until it is acknowledged
                    try:
                        async with http.post("/v1/events/batch", json=batch) as response:
                            self.statuses[response.status] += 1
                            body = await response.json()
                            if response.status == 201:
                                assert body["success"], body
                                self.acknowledged.update(
                                    zip(keys, body["executionIds"], strict=True)
                                )
                                break
                            assert response.status == 503, body
                            assert response.headers["Retry-After"].isdigit()
                    except (aiohttp.ClientError, TimeoutError) as exc:
                        self.statuses[type(exc).__name__] += 1
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("a batch was never acknowledged")

    async def run(self, fault: Callable[[], Awaitable[None]]) -> None:
        clients = [asyncio.create_task(self.client(n)) for n in range(CLIENTS)]
        try:
            await asyncio.sleep(1.0)  # load before the fault
            before = len(self.acknowledged)
            await fault()
            await asyncio.sleep(1.5)  # load after the fault
            self.stop.set()
            await asyncio.wait_for(asyncio.gather(*clients), timeout=60)
        finally:
            for task in clients:
                task.cancel()
            for task in clients:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        assert before > 0, "no load before the fault"
        assert len(self.acknowledged) > before, "no progress after the fault"
        assert 500 not in self.statuses, self.statuses


async def assert_stored_exactly_once(database_url: str, acknowledged: dict[str, str]) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT idempotency_key, execution_id, "
            "count(*) OVER (PARTITION BY idempotency_key) AS n "
            "FROM event_log WHERE idempotency_key LIKE 'fault-%'"
        )
        events = await conn.fetchval("SELECT count(*) FROM event_log")
        summarised = await conn.fetchval("SELECT sum(event_count) FROM trace_summary")
    finally:
        await conn.close()
    stored = {row["idempotency_key"]: row["execution_id"] for row in rows}
    assert all(row["n"] == 1 for row in rows), "an idempotency key was stored twice"
    missing = set(acknowledged) - set(stored)
    assert not missing, f"{len(missing)} acknowledged events are not stored"
    assert all(stored[key] == execution_id for key, execution_id in acknowledged.items())
    # Rows stored for batches whose answer was lost are fine (they were re-sent with the
    # same keys and then acknowledged); nothing else may be there.
    assert set(stored) == set(acknowledged)
    assert events == summarised == len(acknowledged)


async def wait_ready(base_url: str, limit_s: float = 30) -> None:
    deadline = time.monotonic() + limit_s
    async with aiohttp.ClientSession(base_url) as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get("/v1/healthcheck/ready") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise AssertionError("the API did not become ready again")


async def test_broken_database_links_under_load(postgres_database: str) -> None:
    target = urlsplit(postgres_database)
    async with TcpProxy(target.hostname or "127.0.0.1", target.port or 5432) as proxy:
        url = target._replace(netloc=f"{target.username}@127.0.0.1:{proxy.port}").geturl()
        async with ApiServer(url) as api:
            load = Load(api.base_url)

            async def fault() -> None:
                await proxy.drop_connections()  # every pooled connection dies at once
                await asyncio.sleep(0.5)
                await proxy.stop()  # the database is unreachable for a while
                await asyncio.sleep(1.0)
                await proxy.start()

            await load.run(fault)
            await wait_ready(api.base_url)
            assert api.running, "the API died"
    await assert_stored_exactly_once(postgres_database, load.acknowledged)
    assert load.statuses[503] > 0, load.statuses  # the outage was seen, as 503s


def _cluster() -> tuple[str, str] | None:
    if shutil.which("pg_ctlcluster") is None or shutil.which("pg_lsclusters") is None:
        return None
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False
    )
    for line in listing.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "5432" and parts[3] == "online":
            return parts[0], parts[1]
    return None


def _pg_ctl(action: str, version: str, name: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        check=True,
        timeout=60,
        capture_output=True,
    )


@pytest.mark.slow
async def test_postgres_stopped_and_started_under_load(
    postgres_database: str, tmp_path: Path
) -> None:
    cluster = _cluster()
    if cluster is None:
        pytest.skip("needs pg_ctlcluster and a local cluster on port 5432 to stop and start")
    version, name = cluster
    async with ApiServer(postgres_database) as api:
        load = Load(api.base_url)

        async def fault() -> None:
            admin = await asyncpg.connect(postgres_database)
            try:  # first the sessions alone (SQLSTATE 57P01 on each pooled connection)
                terminated = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = 'eventlog-api' AND datname = current_database()"
                )
            finally:
                await admin.close()
            assert terminated > 0
            await asyncio.sleep(0.5)
            try:  # then the whole server: stopped, down for a moment, started
                await asyncio.to_thread(_pg_ctl, "stop", version, name)
                await asyncio.sleep(1.0)
            finally:
                await asyncio.to_thread(_pg_ctl, "start", version, name)

        await load.run(fault)
        await wait_ready(api.base_url)
        assert api.running, "the API died"
    await assert_stored_exactly_once(postgres_database, load.acknowledged)
    assert load.statuses[503] > 0, load.statuses  # requests in flight were told to retry
