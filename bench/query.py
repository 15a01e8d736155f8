"""Read latency at scale: p50/p95 through HTTP on a million seeded events.

For each database (SQLite, then PostgreSQL when reachable):

1. seed ``--events`` events (default 1,000,000) over ``--days`` days with
   ``eventlog-api seed`` (the normal write path, in-process, with its progress bar) into
   a fresh database, and time it;
2. serve the API (hypercorn subprocess, loopback) and time, one request at a time,
   ``--requests`` requests of each kind with varied parameters: trace detail, the trace
   list (unfiltered first and random pages, by status, by process, by a 24-hour
   window), dashboard stats, chart data, text search and the account timeline;
3. print p50/p95 per kind against the targets of DESIGN.md (p95: trace detail 10 ms,
   any trace-list page 30 ms, stats and charts 50 ms, search 50 ms, account timeline
   20 ms).

A missed target prints MISS and still exits 0; a failed request or seed exits non-zero.
``--sqlite-url`` / ``--postgres-url`` reuse an already seeded database (no seeding).

Run: ``make bench`` or ``.venv/bin/python bench/query.py [--events N] [--backends sqlite]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support import postgres
from support.api_server import ApiServer

DEFAULT_EVENTS = 1_000_000
DEFAULT_DAYS = 30.0
DEFAULT_REQUESTS = 100
WARMUP = 5
SEED = 1
BUSIEST_ACCOUNT = "ACC-00010007"  # the demo generator's most active account
SEARCHES = [
    "declined",
    "card declined",
    "insufficient funds",
    "timed out retrying",
    "Ivo Petrov",
    "identity verified",
    "statement rendered",
    "shipment booked DHL",
    "merchant evidence",
    "low confidence",
]
PROCESS_FILTERS = ["card", "order", "onboarding", "dispute", "statement", "address", "o"]
STATUS_FILTERS = ["FAILURE", "SUCCESS", "IN_PROGRESS", "WARNING", "FAILURE,WARNING"]

Url = Callable[[random.Random], str]


@dataclass
class Kind:
    """One kind of request: its target and how to make the next URL (or POST body)."""

    name: str
    target_ms: float
    make: Url
    body: Callable[[random.Random], dict[str, Any]] | None = None


@dataclass
class Result:
    """Latencies of one kind on one database."""

    times_ms: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times_ms, n=100, method="inclusive")[94]


@dataclass
class Sample:
    """Parameters found in the seeded data."""

    trace_ids: list[str]
    accounts: list[str]
    total_traces: int
    oldest: datetime
    newest: datetime


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def kinds(sample: Sample) -> list[Kind]:
    """Every request kind measured, with its target (DESIGN.md)."""
    last_page = max(1, sample.total_traces // 20)
    span_s = max(1.0, (sample.newest - sample.oldest - timedelta(days=1)).total_seconds())

    def window(rng: random.Random, days: float = 1.0) -> str:
        start = sample.oldest + timedelta(seconds=rng.uniform(0, span_s))
        end = start + timedelta(days=days)
        return f"startDate={_iso(start)}&endDate={_iso(end)}"

    return [
        Kind("trace detail", 10, lambda r: f"/v1/events/trace/{r.choice(sample.trace_ids)}"),
        Kind("trace list: unfiltered, page 1", 30, lambda r: "/v1/traces"),
        Kind(
            "trace list: unfiltered, any page",
            30,
            lambda r: f"/v1/traces?page={r.randint(1, last_page)}",
        ),
        Kind(
            "trace list: by status",
            30,
            lambda r: f"/v1/traces?eventStatus={r.choice(STATUS_FILTERS)}&page={r.randint(1, 5)}",
        ),
        Kind(
            "trace list: by process",
            30,
            lambda r: f"/v1/traces?processName={r.choice(PROCESS_FILTERS)}&page={r.randint(1, 5)}",
        ),
        Kind("trace list: 24-hour window", 30, lambda r: f"/v1/traces?{window(r)}"),
        Kind(
            "stats: everything / 24 h / 7 d",
            50,
            lambda r: r.choice(
                [
                    "/v1/dashboard/stats",
                    f"/v1/dashboard/stats?{window(r)}",
                    f"/v1/dashboard/stats?{window(r, 7)}",
                ]
            ),
        ),
        Kind(
            "charts: series, processes, SLA",
            50,
            lambda r: r.choice(
                [
                    "/v1/dashboard/timeseries",
                    f"/v1/dashboard/timeseries?{window(r)}",
                    "/v1/dashboard/processes",
                    "/v1/dashboard/sla",
                    f"/v1/dashboard/timeseries?{window(r, 7)}&processName=card_payment",
                ]
            ),
        ),
        Kind(
            "text search",
            50,
            lambda r: "/v1/events/search/text",
            body=lambda r: {"query": r.choice(SEARCHES)},
        ),
        Kind(
            "account timeline",
            20,
            lambda r: (
                f"/v1/events/account/{r.choice(sample.accounts)}"
                f"?includeLinked={r.choice(['true', 'false'])}"
            ),
        ),
    ]


async def discover(http: aiohttp.ClientSession, base: str) -> Sample:
    """Trace ids and accounts from random pages of the trace list, and the time range."""
    rng = random.Random(7)
    async with http.get(f"{base}/v1/traces?pageSize=100") as response:
        first = await response.json()
    total = int(first["totalCount"])
    pages = max(1, total // 100)
    trace_ids: list[str] = []
    accounts: list[str] = [BUSIEST_ACCOUNT]
    oldest = newest = datetime.fromisoformat(first["traces"][0]["endTime"].replace("Z", "+00:00"))
    for page in sorted({1, pages, *(rng.randint(1, pages) for _ in range(8))}):
        async with http.get(f"{base}/v1/traces?pageSize=100&page={page}") as response:
            body = await response.json()
        for trace in body["traces"]:
            trace_ids.append(trace["traceId"])
            if trace["accountId"]:
                accounts.append(trace["accountId"])
            started = datetime.fromisoformat(trace["startTime"].replace("Z", "+00:00"))
            oldest = min(oldest, started)
    return Sample(
        trace_ids=trace_ids,
        accounts=accounts[:200],
        total_traces=total,
        oldest=oldest,
        newest=newest,
    )


async def measure(base: str, requests: int) -> dict[str, Result]:
    """Time every kind, one request at a time (latency, not throughput)."""
    results: dict[str, Result] = {}
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        sample = await discover(http, base)
        for kind in kinds(sample):
            rng = random.Random(kind.name)
            result = results[kind.name] = Result()
            for i in range(WARMUP + requests):
                url = base + kind.make(rng)
                started = time.perf_counter()
                if kind.body is not None:
                    async with http.post(url, json=kind.body(rng)) as response:
                        payload = await response.read()
                else:
                    async with http.get(url) as response:
                        payload = await response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status != 200:
                    raise SystemExit(f"{url} answered {response.status}: {payload[:300]!r}")
                if i >= WARMUP:
                    result.times_ms.append(elapsed)
    return results


def seed(url: str, events: int, days: float) -> float:
    """Seed through ``eventlog-api seed``; returns the wall time in seconds."""
    env = {**os.environ, "EVENTLOG_DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "eventlog_api",
            "seed",
            "--events",
            str(events),
            "--days",
            str(days),
            "--seed",
            str(SEED),
        ],
        env=env,
        check=True,
    )
    return time.perf_counter() - started


@asynccontextmanager
async def database(backend: str, args: argparse.Namespace) -> AsyncIterator[tuple[str, bool]]:
    """The database URL to use and whether it must be seeded."""
    given = args.sqlite_url if backend == "sqlite" else args.postgres_url
    if given:
        yield given, False
        return
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="eventlog-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}", True
        return
    async with postgres.scratch_database("eventlog_bench") as url:
        yield url, True


async def run(args: argparse.Namespace) -> int:
    names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    table: dict[str, dict[str, Result]] = {}
    seeding: dict[str, float] = {}
    failures: list[str] = []
    for backend in backends:
        if backend == "postgres" and not args.postgres_url:
            problem = await postgres.server_reachable()
            if problem:
                print(f"skipping PostgreSQL: {problem}")
                continue
        try:
            async with database(backend, args) as (url, fresh):
                if fresh:
                    print(f"==> seeding {args.events:,} events into {names[backend]}", flush=True)
                    seeding[backend] = seed(url, args.events, args.days)
                print(f"==> measuring {names[backend]}", flush=True)
                async with ApiServer(url) as api:
                    table[backend] = await measure(api.base_url, args.requests)
        except (OSError, subprocess.CalledProcessError, asyncpg.PostgresError) as exc:
            # Report what was measured; the failure still fails the run.
            failures.append(f"{names[backend]}: {type(exc).__name__}: {exc}")
            print(f"!!! {names[backend]} failed: {exc}", flush=True)
    _report(table, seeding, names, args)
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


def _report(
    table: dict[str, dict[str, Result]],
    seeding: dict[str, float],
    names: dict[str, str],
    args: argparse.Namespace,
) -> None:
    print()
    print(f"Read latency through HTTP, {args.requests} requests per row, one at a time")
    for backend, seconds in seeding.items():
        print(
            f"  seeded {args.events:,} events into {names[backend]} in {seconds:.0f} s "
            f"({args.events / seconds:,.0f} events/s)"
        )
    header = f"{'query':34} {'p95 target':>10}"
    for backend in table:
        header += f" | {names[backend] + ' p50 / p95 ms':>27}"
    print(header)
    print("-" * len(header))
    sample = next(iter(table.values()), {})
    for kind in sample:
        target = _TARGETS[kind]
        line = f"{kind:34} {target:>7.0f} ms"
        for backend in table:
            result = table[backend][kind]
            verdict = "ok" if result.p95 <= target else "MISS"
            line += f" | {result.p50:>9.1f} / {result.p95:>7.1f} {verdict:>5}"
        print(line)


_TARGETS: dict[str, float] = {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--days", type=float, default=DEFAULT_DAYS)
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--sqlite-url", help="an already seeded SQLite database (no seeding)")
    parser.add_argument("--postgres-url", help="an already seeded PostgreSQL database")
    args = parser.parse_args()
    dummy = Sample([""], [""], 1, datetime.now(UTC), datetime.now(UTC))
    _TARGETS.update({kind.name: kind.target_ms for kind in kinds(dummy)})
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
