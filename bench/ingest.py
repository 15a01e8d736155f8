"""Ingestion throughput through HTTP, next to references measured in the same run.

Three ratios (targets from DESIGN.md, issue 3):

1. batch ingest through HTTP into PostgreSQL  ≥ 0.6 × asyncpg COPY into the same table;
2. batch ingest through HTTP into SQLite      ≥ 0.8 × ``sqlite3.executemany`` into the
   same table;
3. single-event POSTs, 64 concurrent clients  ≥ 0.5 × the same server's no-database
   echo route (mounted by this benchmark only, never shipped).

The API runs as its own process (hypercorn, one worker, the shipped app plus the echo
route), started by this script re-invoking itself with ``--serve``. Every arm writes the
same events into tables made by the same migrations (indexes, triggers, full text and
all): the HTTP arm into one database, the reference into a twin. HTTP batches are 100
events, sent by several concurrent clients; the references use the same batch size
(COPY over as many connections, ``executemany`` on one connection - SQLite has one
writer), one transaction per batch. Arms alternate over rounds and the median of the
per-round ratios is reported (the machines are shared and noisy).

Run: ``make bench`` or ``.venv/bin/python bench/ingest.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg
import msgspec
from eventlog_api import create_app, load_settings
from eventlog_api._private.body import read_json_body
from eventlog_api._private.cli import hypercorn_config, serve_app
from eventlog_api._private.errors import invalid_body
from eventlog_api._private.routes.common import json_response
from eventlog_api._private.storage.rows import EVENT_COLUMNS
from eventlog_schemas import CreateEventResponse, decode_event
from litestar import Request, Response, post

BATCH_SIZE = 100
BATCH_CLIENTS = 4
SINGLE_CLIENTS = 64
TARGETS = {"postgresql": 0.6, "sqlite": 0.8, "single": 0.5}
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
_STEPS = ["validate order", "reserve stock", "authorise payment", "pick", "pack", "ship", "notify"]
_STATUSES = ["SUCCESS"] * 6 + ["FAILURE", "IN_PROGRESS", "WARNING", "SKIPPED"]


# -- data -----------------------------------------------------------------------------


def make_events(count: int, seed: int) -> list[dict[str, Any]]:
    """Realistic events: traces of 7 steps, keys as the SDK sends them, varied text."""
    rng = random.Random(seed)
    start = datetime(2026, 2, 26, 8, 0, tzinfo=UTC)
    events: list[dict[str, Any]] = []
    trace_id = span = ""
    for index in range(count):
        step = index % len(_STEPS)
        if step == 0:
            trace_id = secrets.token_hex(16)
            order = f"ORD-{rng.randrange(10**7):07d}"
            account = f"ACC-{rng.randrange(10**5):05d}"
            root = secrets.token_hex(8)
        parent, span = (None if step == 0 else root), (root if step == 0 else secrets.token_hex(8))
        status = "IN_PROGRESS" if step == 0 else rng.choice(_STATUSES)
        ts = start + timedelta(milliseconds=index * 37 + rng.randrange(30))
        event: dict[str, Any] = {
            "traceId": trace_id,
            "spanId": span,
            "correlationId": f"order-{order}",
            "accountId": account,
            "applicationId": "order-service",
            "targetSystem": rng.choice(["payment-gateway", "warehouse", "carrier-api", "crm"]),
            "originatingSystem": "web-shop",
            "processName": "ORDER_FULFILMENT",
            "stepSequence": step,
            "stepName": _STEPS[step],
            "eventType": "PROCESS_START" if step == 0 else "STEP",
            "eventStatus": status,
            "identifiers": {"orderId": order, "sku": f"SKU-{rng.randrange(999):03d}"},
            "summary": f"Order {order} for {account}: {_STEPS[step]} finished with {status}",
            "result": status.lower(),
            "metadata": {"attempt": 1, "region": rng.choice(["eu-west", "eu-central"])},
            "eventTimestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z",
            "executionTimeMs": rng.randrange(5, 900),
            "endpoint": f"/api/orders/{order}",
            "httpMethod": "POST",
            "httpStatusCode": 200 if status != "FAILURE" else 502,
            "idempotencyKey": str(uuid.uuid4()),
        }
        if parent is not None:
            event["parentSpanId"] = parent
        if status == "FAILURE":
            event["errorCode"] = "UPSTREAM_TIMEOUT"
            event["errorMessage"] = "The carrier API did not answer within 5 s"
        events.append(event)
    return events


def storage_row(event: dict[str, Any], created_at: str) -> tuple[Any, ...]:
    """The row the write path stores for ``event`` (for the reference inserts)."""
    values = {
        "execution_id": str(uuid.uuid4()),
        "trace_id": event["traceId"],
        "span_id": event["spanId"],
        "parent_span_id": event.get("parentSpanId"),
        "span_links": None,
        "correlation_id": event["correlationId"],
        "account_id": event.get("accountId"),
        "batch_id": None,
        "application_id": event["applicationId"],
        "target_system": event["targetSystem"],
        "originating_system": event["originatingSystem"],
        "process_name": event["processName"],
        "step_sequence": event.get("stepSequence"),
        "step_name": event.get("stepName"),
        "event_type": event["eventType"],
        "event_status": event["eventStatus"],
        "identifiers": json.dumps(event["identifiers"], separators=(",", ":")),
        "summary": event["summary"],
        "result": event["result"],
        "metadata": json.dumps(event["metadata"], separators=(",", ":")),
        "event_timestamp": event["eventTimestamp"],
        "execution_time_ms": event.get("executionTimeMs"),
        "endpoint": event.get("endpoint"),
        "http_method": event.get("httpMethod"),
        "http_status_code": event.get("httpStatusCode"),
        "error_code": event.get("errorCode"),
        "error_message": event.get("errorMessage"),
        "request_payload": None,
        "response_payload": None,
        "idempotency_key": event.get("idempotencyKey"),
        "created_at": created_at,
    }
    return tuple(values[column] for column in EVENT_COLUMNS)


def batches_of(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# -- the API process ------------------------------------------------------------------


def serve(port: int) -> None:
    """``--serve``: the shipped app plus the benchmark's echo route, on hypercorn."""
    settings = load_settings()

    @post("/bench/echo", status_code=201)
    async def echo(request: Request[Any, Any, Any]) -> Response[CreateEventResponse]:
        """What POST /v1/events does, minus the database."""
        body = await read_json_body(request, settings.max_body_bytes)
        try:
            entry = decode_event(body)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise invalid_body(exc) from None
        return json_response(
            CreateEventResponse(
                success=True, execution_ids=[str(uuid.uuid4())], correlation_id=entry.correlation_id
            ),
            status_code=201,
        )

    app = create_app(settings, extra_route_handlers=[echo])
    raise SystemExit(asyncio.run(serve_app(app, hypercorn_config("127.0.0.1", port))))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(path: str) -> str:
    return Path(path).read_text(errors="replace")[-3000:]


@contextlib.asynccontextmanager
async def api_process(database_url: str, log_dir: Path) -> AsyncIterator[str]:
    """The API (with the echo route) on a free loopback port; yields its base URL."""
    port = free_port()
    log = (log_dir / f"api-{port}.log").open("wb")
    env = {
        **os.environ,
        "EVENTLOG_DATABASE_URL": database_url,
        "EVENTLOG_LOG_FORMAT": "json",
    }
    # Popen returns at once (nothing here waits on the child).
    process = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, __file__, "--serve", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        async with aiohttp.ClientSession() as http:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the API exited ({process.returncode}):\n{_tail(log.name)}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{base_url}/v1/healthcheck/ready") as response:
                        if response.status == 200:
                            break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the API did not get ready:\n{_tail(log.name)}")
                await asyncio.sleep(0.1)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def migrate(database_url: str) -> None:
    """Create the schema with the API's own migrations (``eventlog-api migrate``)."""
    result = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "eventlog_api",
        "migrate",
        env={**os.environ, "EVENTLOG_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await result.communicate()
    if result.returncode != 0:
        raise RuntimeError(f"migrate failed: {err.decode()[-2000:]}")


# -- the arms -------------------------------------------------------------------------


async def http_batches(base_url: str, bodies: list[bytes], clients: int) -> float:
    """Post pre-encoded batch bodies with ``clients`` concurrent senders; events/s."""
    queue = list(reversed(bodies))
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=clients)

    async with aiohttp.ClientSession(base_url, connector=connector) as http:

        async def sender() -> None:
            while queue:
                body = queue.pop()
                async with http.post("/v1/events/batch", data=body, headers=headers) as response:
                    answer = await response.read()
                    if response.status != 201:
                        raise RuntimeError(f"batch failed: {response.status} {answer[:300]!r}")

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return len(bodies) * BATCH_SIZE / elapsed


async def http_singles(base_url: str, path: str, bodies: list[bytes], clients: int) -> float:
    """POST one event per request from ``clients`` concurrent senders; requests/s."""
    queue = list(reversed(bodies))
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(base_url, connector=connector) as http:

        async def sender() -> None:
            while queue:
                body = queue.pop()
                async with http.post(path, data=body, headers=headers) as response:
                    answer = await response.read()
                    if response.status != 201:
                        raise RuntimeError(f"POST failed: {response.status} {answer[:300]!r}")

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return len(bodies) / elapsed


async def copy_reference(url: str, batches: list[list[tuple[Any, ...]]], clients: int) -> float:
    """asyncpg COPY of the same rows, one transaction per batch, ``clients`` connections."""

    def pg_values(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for column in ("event_timestamp", "created_at"):
            index = EVENT_COLUMNS.index(column)
            values[index] = datetime.fromisoformat(values[index].replace("Z", "+00:00"))
        return tuple(values)

    prepared = [[pg_values(row) for row in batch] for batch in batches]
    queue = list(reversed(prepared))
    connections = [await asyncpg.connect(url) for _ in range(clients)]
    try:

        async def copier(conn: asyncpg.Connection) -> None:
            while queue:
                batch = queue.pop()
                await conn.copy_records_to_table("event_log", records=batch, columns=EVENT_COLUMNS)

        started = time.perf_counter()
        await asyncio.gather(*(copier(conn) for conn in connections))
        elapsed = time.perf_counter() - started
    finally:
        for conn in connections:
            await conn.close()
    return sum(len(b) for b in batches) / elapsed


def executemany_reference(path: Path, batches: list[list[tuple[Any, ...]]]) -> float:
    """``sqlite3.executemany`` of the same rows, one transaction per batch, the API's pragmas."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        sql = (
            f"INSERT INTO event_log ({', '.join(EVENT_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})"
        )
        started = time.perf_counter()
        for batch in batches:
            conn.execute("BEGIN")
            conn.executemany(sql, batch)
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    return sum(len(b) for b in batches) / elapsed


# -- orchestration --------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    target: float
    ours: list[float]
    reference: list[float]
    unit: str
    label: str
    reference_label: str

    @property
    def ratio(self) -> float:
        return statistics.median(o / r for o, r in zip(self.ours, self.reference, strict=True))

    def report(self) -> str:
        verdict = "PASS" if self.ratio >= self.target else "MISS"
        return (
            f"{self.name}: {self.label} {statistics.median(self.ours):,.0f} {self.unit} vs "
            f"{self.reference_label} {statistics.median(self.reference):,.0f} {self.unit} "
            f"-> ratio {self.ratio:.2f} (target >= {self.target}) {verdict}"
        )


async def rounds(
    count: int,
    ours: Callable[[int], Awaitable[float]],
    reference: Callable[[int], Awaitable[float]],
) -> tuple[list[float], list[float]]:
    mine: list[float] = []
    theirs: list[float] = []
    for n in range(count):
        # Alternate which arm goes first, so that drift does not favour one.
        if n % 2 == 0:
            mine.append(await ours(n))
            theirs.append(await reference(n))
        else:
            theirs.append(await reference(n))
            mine.append(await ours(n))
        print(f"    round {n + 1}: {mine[-1]:,.0f} vs {theirs[-1]:,.0f}", flush=True)
    return mine, theirs


def encode_batches(events: list[dict[str, Any]]) -> list[bytes]:
    return [json.dumps({"events": batch}).encode() for batch in batches_of(events, BATCH_SIZE)]


def reference_batches(events: list[dict[str, Any]]) -> list[list[tuple[Any, ...]]]:
    created = datetime.now(UTC)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{created.microsecond // 1000:03d}Z"
    return batches_of([storage_row(e, stamp) for e in events], BATCH_SIZE)


async def bench_postgres(work: Path, events_per_round: int, count: int) -> Outcome | None:
    server = os.environ.get(
        "EVENTLOG_BENCH_POSTGRES_URL",
        os.environ.get("EVENTLOG_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
    )
    try:
        admin = await asyncpg.connect(server, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"  PostgreSQL at {server} is not reachable ({exc}): skipped")
        return None
    names = [f"eventlog_bench_{secrets.token_hex(4)}" for _ in range(2)]
    try:
        for name in names:
            await admin.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(server)
        api_url, copy_url = (urlunsplit(parts._replace(path=f"/{name}")) for name in names)
        await migrate(api_url)
        await migrate(copy_url)
        async with api_process(api_url, work) as base_url:
            # Warm up both arms (connections, caches, server-side prepares).
            warm = make_events(2000, seed=1)
            await http_batches(base_url, encode_batches(warm), BATCH_CLIENTS)
            await copy_reference(copy_url, reference_batches(make_events(2000, 2)), BATCH_CLIENTS)

            async def ours(n: int) -> float:
                events = make_events(events_per_round, seed=100 + n)
                return await http_batches(base_url, encode_batches(events), BATCH_CLIENTS)

            async def reference(n: int) -> float:
                events = make_events(events_per_round, seed=200 + n)
                return await copy_reference(copy_url, reference_batches(events), BATCH_CLIENTS)

            mine, theirs = await rounds(count, ours, reference)
    finally:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return Outcome(
        "batch ingest, PostgreSQL",
        TARGETS["postgresql"],
        mine,
        theirs,
        "events/s",
        f"HTTP {BATCH_SIZE}-event batches x{BATCH_CLIENTS} clients",
        f"asyncpg COPY x{BATCH_CLIENTS}",
    )


async def bench_sqlite(work: Path, events_per_round: int, count: int) -> Outcome:
    api_file, ref_file = work / "api.db", work / "reference.db"
    await migrate(f"sqlite:///{api_file}")
    await migrate(f"sqlite:///{ref_file}")
    async with api_process(f"sqlite:///{api_file}", work) as base_url:
        await http_batches(base_url, encode_batches(make_events(2000, seed=3)), BATCH_CLIENTS)
        executemany_reference(ref_file, reference_batches(make_events(2000, seed=4)))

        async def ours(n: int) -> float:
            events = make_events(events_per_round, seed=300 + n)
            return await http_batches(base_url, encode_batches(events), BATCH_CLIENTS)

        async def reference(n: int) -> float:
            batches = reference_batches(make_events(events_per_round, seed=400 + n))
            return await asyncio.to_thread(executemany_reference, ref_file, batches)

        mine, theirs = await rounds(count, ours, reference)
    return Outcome(
        "batch ingest, SQLite",
        TARGETS["sqlite"],
        mine,
        theirs,
        "events/s",
        f"HTTP {BATCH_SIZE}-event batches x{BATCH_CLIENTS} clients",
        "sqlite3.executemany",
    )


async def bench_singles(work: Path, requests_per_round: int, count: int) -> Outcome:
    api_file = work / "singles.db"
    await migrate(f"sqlite:///{api_file}")
    async with api_process(f"sqlite:///{api_file}", work) as base_url:
        warm = [json.dumps(e).encode() for e in make_events(1000, seed=5)]
        await http_singles(base_url, "/v1/events", warm, SINGLE_CLIENTS)
        await http_singles(base_url, "/bench/echo", warm, SINGLE_CLIENTS)

        async def ours(n: int) -> float:
            bodies = [json.dumps(e).encode() for e in make_events(requests_per_round, 500 + n)]
            return await http_singles(base_url, "/v1/events", bodies, SINGLE_CLIENTS)

        async def reference(n: int) -> float:
            bodies = [json.dumps(e).encode() for e in make_events(requests_per_round, 600 + n)]
            return await http_singles(base_url, "/bench/echo", bodies, SINGLE_CLIENTS)

        mine, theirs = await rounds(count, ours, reference)
    return Outcome(
        "single-event POSTs, SQLite",
        TARGETS["single"],
        mine,
        theirs,
        "requests/s",
        f"POST /v1/events x{SINGLE_CLIENTS} clients",
        "no-database echo route",
    )


async def main(quick: bool, only: set[str]) -> int:
    scale = 0.3 if quick else 1.0
    count = 3 if quick else 5
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="eventlog-bench-") as tmp:
        work = Path(tmp)
        if not only or "postgresql" in only:
            print("PostgreSQL: HTTP batches vs asyncpg COPY", flush=True)
            pg = await bench_postgres(work, int(20_000 * scale), count)
            if pg is not None:
                outcomes.append(pg)
        if not only or "sqlite" in only:
            print("SQLite: HTTP batches vs sqlite3.executemany", flush=True)
            outcomes.append(await bench_sqlite(work, int(20_000 * scale), count))
        if not only or "single" in only:
            print("Single events: POST /v1/events vs the echo route", flush=True)
            outcomes.append(await bench_singles(work, int(6_000 * scale), count))
    print()
    for outcome in outcomes:
        print(outcome.report())
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer and smaller rounds")
    parser.add_argument(
        "--only",
        action="append",
        choices=["postgresql", "sqlite", "single"],
        help="run only this part (repeatable)",
    )
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
    sys.exit(asyncio.run(main(args.quick, set(args.only or ()))))
