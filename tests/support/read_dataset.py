"""A small, hand-made dataset whose every read answer is known, and an app serving it.

The read tests (``tests/api/test_read_*.py``, ``test_search*.py``, ``test_stats*.py``)
load it once per module and backend through the real write path (``POST
/v1/events/batch``, ``/v1/processes``, ``/v1/correlation-links``) and then only read.

Times are fixed (February 2026) so that windows, buckets and orderings are exact.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from eventlog_api import create_app, load_settings
from litestar import Litestar

from support import postgres

T0 = datetime(2026, 2, 20, 10, 0, 0, tzinfo=UTC)
BATCH_ID = "batch-20260221-test-abc123"

_span_counter = itertools.count(1)


def ts(at: datetime) -> str:
    """Wire form of a timestamp."""
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def trace_id(n: int) -> str:
    """A readable, valid trace id."""
    return f"{n:032x}"


def span() -> str:
    """A fresh valid span id."""
    return f"{next(_span_counter):016x}"


@dataclass
class Trace:
    """One trace of the dataset and what the API must say about it."""

    trace_id: str
    events: list[dict[str, Any]]
    status: str
    has_errors: bool
    process_name: str | None
    account_id: str | None
    first: datetime
    last: datetime

    @property
    def duration_ms(self) -> int:
        return int((self.last - self.first) / timedelta(milliseconds=1))


@dataclass
class Dataset:
    """Everything loaded, with the expected facts the tests compare against."""

    traces: dict[str, Trace] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    slas: dict[str, int] = field(default_factory=dict)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [e for t in self.traces.values() for e in t.events]


def _event(
    tid: str,
    *,
    corr: str,
    process: str,
    etype: str,
    status: str,
    at: datetime,
    account: str | None,
    target: str = "orchestrator",
    step: int | None = None,
    step_name: str | None = None,
    summary: str = "",
    result: str = "OK",
    batch: str | None = None,
    error_code: str | None = None,
    error_message: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "traceId": tid,
        "correlationId": corr,
        "spanId": span(),
        "applicationId": "test-app",
        "targetSystem": target,
        "originatingSystem": "test-origin",
        "processName": process,
        "eventType": etype,
        "eventStatus": status,
        "identifiers": {"ref": corr},
        "summary": summary or f"{etype.title()} {status.lower()} for {corr}",
        "result": result,
        "eventTimestamp": ts(at),
        "accountId": account,
    }
    if step is not None:
        body["stepSequence"] = step
    if step_name is not None:
        body["stepName"] = step_name
    if batch is not None:
        body["batchId"] = batch
    if error_code is not None:
        body["errorCode"] = error_code
    if error_message is not None:
        body["errorMessage"] = error_message
    return body


def build_dataset() -> Dataset:
    """The dataset (pure: no I/O)."""
    data = Dataset(
        slas={"order_fulfilment": 3_000, "card_payment": 2_000, "customer_onboarding": 600_000}
    )
    s = timedelta(seconds=1)

    def add(
        n: int,
        events: list[dict[str, Any]],
        status: str,
        errors: bool,
        process: str | None,
        account: str | None,
    ) -> None:
        times = [datetime.fromisoformat(e["eventTimestamp"].replace("Z", "+00:00")) for e in events]
        tid = events[0]["traceId"]
        data.traces[f"t{n}"] = Trace(
            tid, events, status, errors, process, account, min(times), max(times)
        )

    # t1: succeeded after a failed step attempt (derived SUCCESS, has errors), SLA breached.
    t1 = trace_id(1)
    add(
        1,
        [
            _event(
                t1,
                corr="ORD-77123",
                process="order_fulfilment",
                etype="PROCESS_START",
                status="IN_PROGRESS",
                at=T0,
                account="ACC-1001",
                step=0,
                summary="Order ORD-77123 received from the web shop",
            ),
            _event(
                t1,
                corr="ORD-77123",
                process="order_fulfilment",
                etype="STEP",
                status="SUCCESS",
                at=T0 + s,
                account="ACC-1001",
                target="order-service",
                step=1,
                step_name="Validate order",
                summary="Order ORD-77123 validated with three items",
            ),
            _event(
                t1,
                corr="ORD-77123",
                process="order_fulfilment",
                etype="STEP",
                status="FAILURE",
                at=T0 + 2 * s,
                account="ACC-1001",
                target="payment-gateway",
                step=2,
                step_name="Authorise payment",
                summary="Payment gateway timed out for ORD-77123",
                result="TIMEOUT",
                error_code="UPSTREAM_TIMEOUT",
                error_message="gateway timeout",
            ),
            _event(
                t1,
                corr="ORD-77123",
                process="order_fulfilment",
                etype="STEP",
                status="SUCCESS",
                at=T0 + 3 * s,
                account="ACC-1001",
                target="payment-gateway",
                step=2,
                step_name="Authorise payment",
                summary="Payment authorised for order ORD-77123",
            ),
            _event(
                t1,
                corr="ORD-77123",
                process="order_fulfilment",
                etype="PROCESS_END",
                status="SUCCESS",
                at=T0 + 4 * s,
                account="ACC-1001",
                step=3,
                summary="Order ORD-77123 fulfilled",
            ),
        ],
        "SUCCESS",
        True,
        "order_fulfilment",
        "ACC-1001",
    )

    # t2: a declined card payment (FAILURE), within its SLA.
    t2, at2 = trace_id(2), T0 + timedelta(hours=1)
    add(
        2,
        [
            _event(
                t2,
                corr="PAY-2",
                process="card_payment",
                etype="PROCESS_START",
                status="IN_PROGRESS",
                at=at2,
                account="ACC-2002",
                step=0,
                summary="Card payment PAY-2 started at the till",
            ),
            _event(
                t2,
                corr="PAY-2",
                process="card_payment",
                etype="STEP",
                status="FAILURE",
                at=at2 + timedelta(milliseconds=500),
                account="ACC-2002",
                target="card-network",
                step=1,
                step_name="Authorise",
                summary="Payment declined by issuer for PAY-2",
                result="CARD_DECLINED",
                error_code="CARD_DECLINED",
                error_message="do not honour",
            ),
            _event(
                t2,
                corr="PAY-2",
                process="card_payment",
                etype="PROCESS_END",
                status="FAILURE",
                at=at2 + timedelta(milliseconds=600),
                account="ACC-2002",
                step=2,
                summary="Card payment PAY-2 failed",
            ),
        ],
        "FAILURE",
        True,
        "card_payment",
        "ACC-2002",
    )

    # t3: a warning and no end (derived WARNING), lower-case account, no process definition.
    t3, at3 = trace_id(3), T0 + timedelta(hours=2)
    add(
        3,
        [
            _event(
                t3,
                corr="ADR-3",
                process="address_change",
                etype="PROCESS_START",
                status="IN_PROGRESS",
                at=at3,
                account="acc-3003",
                step=0,
                summary="Address change ADR-3 requested",
            ),
            _event(
                t3,
                corr="ADR-3",
                process="address_change",
                etype="STEP",
                status="WARNING",
                at=at3 + s,
                account="acc-3003",
                target="address-lookup",
                step=1,
                step_name="Validate address",
                summary="Address matched with low confidence",
            ),
        ],
        "WARNING",
        False,
        "address_change",
        "acc-3003",
    )

    # t4: onboarding before the account existed (no accountId), linked to ACC-1001 later.
    t4, at4 = trace_id(4), T0 + timedelta(hours=3)
    add(
        4,
        [
            _event(
                t4,
                corr="APP-4",
                process="customer_onboarding",
                etype="PROCESS_START",
                status="IN_PROGRESS",
                at=at4,
                account=None,
                step=0,
                summary="Application APP-4 submitted from the mobile app",
            ),
            _event(
                t4,
                corr="APP-4",
                process="customer_onboarding",
                etype="STEP",
                status="SUCCESS",
                at=at4 + 2 * s,
                account=None,
                target="kyc-provider",
                step=1,
                step_name="Verify identity",
                summary="Identity verified for application APP-4",
            ),
        ],
        "IN_PROGRESS",
        False,
        "customer_onboarding",
        None,
    )
    data.links["APP-4"] = "ACC-1001"

    # t5: no PROCESS_START at all (processName null), only steps.
    t5, at5 = trace_id(5), T0 + timedelta(days=1)
    add(
        5,
        [
            _event(
                t5,
                corr="LEG-5",
                process="legacy_sync",
                etype="STEP",
                status="SUCCESS",
                at=at5,
                account="ACC-5005",
                target="mainframe",
                step=1,
                step_name="Copy records",
                summary="Legacy records copied",
            ),
            _event(
                t5,
                corr="LEG-5",
                process="legacy_sync",
                etype="STEP",
                status="SUCCESS",
                at=at5 + s,
                account="ACC-5005",
                target="mainframe",
                step=2,
                step_name="Verify copy",
                summary="Legacy copy verified",
            ),
        ],
        "IN_PROGRESS",
        False,
        None,
        "ACC-5005",
    )

    # t6..t8: one nightly batch of three statements: completed, failed, in progress.
    at6 = T0 + timedelta(days=1, hours=2)
    for n, corr, tail in ((6, "STM-1", "done"), (7, "STM-2", "failed"), (8, "STM-3", "open")):
        tid = trace_id(n)
        base = at6 + timedelta(minutes=n)
        account = f"ACC-600{n - 5}"
        events = [
            _event(
                tid,
                corr=corr,
                process="statement_generation",
                etype="PROCESS_START",
                status="IN_PROGRESS",
                at=base,
                account=account,
                step=0,
                batch=BATCH_ID,
                summary=f"Statement {corr} started",
            ),
        ]
        if tail != "open":
            ok = tail == "done"
            events.append(
                _event(
                    tid,
                    corr=corr,
                    process="statement_generation",
                    etype="STEP",
                    status="SUCCESS" if ok else "FAILURE",
                    at=base + s,
                    account=account,
                    target="document-service",
                    step=1,
                    step_name="Render PDF",
                    batch=BATCH_ID,
                    summary=f"Statement {corr} rendered" if ok else f"Rendering {corr} failed",
                    error_code=None if ok else "RENDER_FAILED",
                )
            )
        if tail == "done":
            events.append(
                _event(
                    tid,
                    corr=corr,
                    process="statement_generation",
                    etype="PROCESS_END",
                    status="SUCCESS",
                    at=base + 2 * s,
                    account=account,
                    step=2,
                    batch=BATCH_ID,
                    summary=f"Statement {corr} completed",
                )
            )
        status = {"done": "SUCCESS", "failed": "FAILURE", "open": "IN_PROGRESS"}[tail]
        add(n, events, status, tail == "failed", "statement_generation", account)

    # t9: a trace-level retry: the first attempt fails, the second succeeds (SUCCESS).
    t9, at9 = trace_id(9), T0 + timedelta(days=1, hours=5)
    add(
        9,
        [
            _event(
                t9,
                corr="PAY-9",
                process="card_payment",
                etype="PROCESS_START",
                status="IN_PROGRESS",
                at=at9,
                account="ACC-9009",
                step=0,
            ),
            _event(
                t9,
                corr="PAY-9",
                process="card_payment",
                etype="STEP",
                status="FAILURE",
                at=at9 + s,
                account="ACC-9009",
                target="card-network",
                step=1,
                summary="Network timeout for PAY-9",
                error_code="NETWORK_TIMEOUT",
            ),
            _event(
                t9,
                corr="PAY-9",
                process="card_payment",
                etype="PROCESS_END",
                status="FAILURE",
                at=at9 + 2 * s,
                account="ACC-9009",
                step=2,
            ),
            _event(
                t9,
                corr="PAY-9",
                process="card_payment",
                etype="PROCESS_START",
                status="IN_PROGRESS",
                at=at9 + 60 * s,
                account="ACC-9009",
                step=0,
            ),
            _event(
                t9,
                corr="PAY-9",
                process="card_payment",
                etype="PROCESS_END",
                status="SUCCESS",
                at=at9 + 61 * s,
                account="ACC-9009",
                step=1,
            ),
        ],
        "SUCCESS",
        True,
        "card_payment",
        "ACC-9009",
    )

    # t10..t34: 25 quick card payments for paging (one minute apart on day 3).
    for i in range(25):
        n = 10 + i
        tid = trace_id(n)
        at = T0 + timedelta(days=2, minutes=i)
        account = f"ACC-77{i:02d}"
        add(
            n,
            [
                _event(
                    tid,
                    corr=f"PAY-Q{i}",
                    process="card_payment",
                    etype="PROCESS_START",
                    status="IN_PROGRESS",
                    at=at,
                    account=account,
                    step=0,
                ),
                _event(
                    tid,
                    corr=f"PAY-Q{i}",
                    process="card_payment",
                    etype="PROCESS_END",
                    status="SUCCESS",
                    at=at + timedelta(milliseconds=100 * (i + 1)),
                    account=account,
                    step=1,
                    target="card-network",
                ),
            ],
            "SUCCESS",
            False,
            "card_payment",
            account,
        )
    return data


_PROCESSES = {
    "order_fulfilment": "Order fulfilment",
    "card_payment": "Card payment",
    "customer_onboarding": "Customer onboarding",
}


async def load(http: httpx.AsyncClient, data: Dataset) -> None:
    """Store the dataset through the API."""
    for name, display in _PROCESSES.items():
        response = await http.post(
            "/v1/processes",
            json={
                "processName": name,
                "displayName": display,
                "description": f"{display} (test)",
                "owningTeam": "tests",
                "slaMs": data.slas[name],
            },
        )
        assert response.status_code == 201, response.text
    response = await http.post("/v1/events/batch", json={"events": data.events})
    assert response.status_code == 201, response.text
    assert response.json()["totalInserted"] == len(data.events)
    for corr, account in data.links.items():
        response = await http.post(
            "/v1/correlation-links", json={"correlationId": corr, "accountId": account}
        )
        assert response.status_code == 201, response.text


@contextlib.asynccontextmanager
async def database_for(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database URL of the backend's kind."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'reads.db'}"
    else:
        async with postgres.scratch_database("eventlog_reads") as url:
            yield url


@contextlib.asynccontextmanager
async def serving(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The in-process app on ``database_url`` and a client bound to it."""
    settings = load_settings(
        {
            "EVENTLOG_DATABASE_URL": database_url,
            "EVENTLOG_DATA_DIR": str(tmp_path / "data"),
            "EVENTLOG_POOL_SIZE": "4",
        }
    )
    app = create_app(settings, configure_logs=False)
    async with (
        running(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://eventlog.local"
        ) as http,
    ):
        yield http


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """Run the app's lifespan in a task of its own (its cancel scope must be left by the
    task that entered it, while pytest-asyncio may set up and tear down in different
    tasks)."""
    started = asyncio.Event()
    stop = asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED, timeout=60)
    if not started.is_set():
        waiter.cancel()
        await task
        raise RuntimeError("the app did not start")
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=60)


READ_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="module", params=READ_BACKENDS)
def read_backend(request: pytest.FixtureRequest) -> str:
    """The database kind of a read-test module (PostgreSQL skips or fails without a server)."""
    name: str = request.param
    if name == "postgres":
        request.getfixturevalue("postgres_server")
    return name


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def read_api(
    read_backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[httpx.AsyncClient, Dataset]]:
    """The app serving the loaded dataset (once per module and backend) and the dataset."""
    tmp = tmp_path_factory.mktemp(f"reads-{read_backend}")
    data = build_dataset()
    async with database_for(read_backend, tmp) as url, serving(url, tmp) as http:
        await load(http, data)
        yield http, data
