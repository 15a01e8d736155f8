"""Known traces for the dashboard tests (imported as ``dashboard.scenarios``).

Each builder returns the events a real producer would send (``EventLogEntry``), so the
browser tests ingest them through the real API; ``to_records`` turns them into what the
API reads back, for the unit tests of the timeline and narrative logic.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from eventlog_schemas import (
    EventLogEntry,
    EventLogRecord,
    EventStatus,
    EventType,
    format_timestamp,
)

S, F, P, W = EventStatus.SUCCESS, EventStatus.FAILURE, EventStatus.IN_PROGRESS, EventStatus.WARNING


class Ids:
    """Deterministic span ids: ``span(n)`` is 16 hex digits, never all zeros."""

    def __init__(self, salt: int) -> None:
        self.salt = salt

    def span(self, n: int) -> str:
        return f"{self.salt:08x}{n + 1:08x}"


class TraceBuilder:
    """Appends events of one trace, each a given number of milliseconds after the start."""

    def __init__(
        self,
        trace_id: str,
        *,
        process: str,
        start: datetime,
        account: str | None,
        correlation: str,
        salt: int,
        batch: str | None = None,
    ) -> None:
        self.trace_id = trace_id
        self.process = process
        self.start = start
        self.account = account
        self.correlation = correlation
        self.batch = batch
        self.ids = Ids(salt)
        self.events: list[EventLogEntry] = []
        self._spans = 0

    def new_span(self) -> str:
        self._spans += 1
        return self.ids.span(self._spans)

    def add(
        self,
        at_ms: int,
        kind: EventType,
        status: EventStatus,
        *,
        span: str,
        parent: str | None,
        seq: int | None,
        step: str | None,
        summary: str,
        system: str = "orders",
        took: int | None = None,
        **extra: Any,
    ) -> None:
        fields: dict[str, Any] = {
            "trace_id": self.trace_id,
            "correlation_id": self.correlation,
            "account_id": self.account,
            "span_id": span,
            "parent_span_id": parent,
            "batch_id": self.batch,
            "application_id": "dashboard-tests",
            "target_system": system,
            "originating_system": "web-shop",
            "process_name": self.process,
            "step_sequence": seq,
            "step_name": step,
            "event_type": kind,
            "event_status": status,
            "identifiers": {"orderId": f"ORD-{self.correlation}"},
            "summary": summary,
            "result": "OK" if status is not F else "FAILED",
            "event_timestamp": self.start + timedelta(milliseconds=at_ms),
            "execution_time_ms": took,
            "idempotency_key": f"{self.trace_id}-{len(self.events)}",
        }
        fields.update(extra)
        self.events.append(EventLogEntry(**fields))


CAPTURED = json.dumps(
    {
        "status": "captured",
        "authCode": "A1B2",
        "amount": {"value": 42.5, "currency": "EUR"},
        "card": {"brand": "VISA", "last4": "4242", "expiry": "12/29"},
        "checks": {"cvc": "pass", "avs": "pass", "threeDs": "frictionless"},
        "settlement": {"batch": "2026-02-26", "expected": "2026-02-27"},
    }
)
"""A long response payload: the page folds it and offers "Expand"."""


def parallel_retry_trace(
    trace_id: str, start: datetime, *, account: str = "ACC-PARALLEL-1", salt: int = 1
) -> list[EventLogEntry]:
    """Order fulfilment: validate, then three parallel steps (charge card retried twice and
    resolved on the third attempt), then ship, then a successful end."""
    t = TraceBuilder(
        trace_id,
        process="order_fulfilment",
        start=start,
        account=account,
        correlation=f"corr-{trace_id[:8]}",
        salt=salt,
    )
    root = t.new_span()
    t.add(
        0,
        EventType.PROCESS_START,
        P,
        span=root,
        parent=None,
        seq=0,
        step=None,
        summary="Order fulfilment started for the customer's basket",
    )
    t.add(
        120,
        EventType.STEP,
        S,
        span=t.new_span(),
        parent=root,
        seq=1,
        step="Validate order",
        summary="Order validated",
        took=110,
        system="orders",
    )
    reserve = t.new_span()
    t.add(
        400,
        EventType.STEP,
        S,
        span=reserve,
        parent=root,
        seq=2,
        step="Reserve stock",
        summary="Stock reserved in the Lisbon warehouse",
        took=260,
        system="inventory",
    )
    for attempt, (at, status) in enumerate(((300, F), (900, F), (1700, S)), start=1):
        t.add(
            at,
            EventType.STEP,
            status,
            span=t.new_span(),
            parent=root,
            seq=2,
            step="Charge card",
            summary=f"Card charge attempt {attempt}"
            + (" declined by the gateway" if status is F else " accepted"),
            took=180,
            system="payments",
            error_code="GATEWAY_TIMEOUT" if status is F else None,
            error_message="The payment gateway did not answer in time" if status is F else None,
            request_payload='{"amount": 42.5, "currency": "EUR", "card": "****4242"}',
            response_payload='{"status": "timeout"}' if status is F else CAPTURED,
        )
    t.add(
        500,
        EventType.STEP,
        S,
        span=t.new_span(),
        parent=root,
        seq=2,
        step="Notify customer",
        summary="Confirmation e-mail queued",
        took=40,
        system="notifications",
    )
    t.add(
        2600,
        EventType.STEP,
        S,
        span=t.new_span(),
        parent=root,
        seq=3,
        step="Ship parcel",
        summary="Parcel handed to the carrier",
        took=800,
        system="logistics",
    )
    t.add(
        2700,
        EventType.PROCESS_END,
        S,
        span=root,
        parent=None,
        seq=4,
        step=None,
        summary="Order fulfilled",
        took=2700,
    )
    return t.events


def trace_retry_trace(
    trace_id: str, start: datetime, *, account: str = "ACC-RETRY-1", salt: int = 2
) -> list[EventLogEntry]:
    """Payment capture started twice: the first run failed, the second succeeded."""
    t = TraceBuilder(
        trace_id,
        process="payment_capture",
        start=start,
        account=account,
        correlation=f"corr-{trace_id[:8]}",
        salt=salt,
    )
    first = t.new_span()
    t.add(
        0,
        EventType.PROCESS_START,
        P,
        span=first,
        parent=None,
        seq=0,
        step=None,
        summary="Payment capture started",
    )
    t.add(
        200,
        EventType.STEP,
        F,
        span=t.new_span(),
        parent=first,
        seq=1,
        step="Capture funds",
        summary="Capture refused: insufficient funds",
        system="payments",
        error_code="INSUFFICIENT_FUNDS",
        error_message="Balance too low",
    )
    t.add(
        250,
        EventType.PROCESS_END,
        F,
        span=first,
        parent=None,
        seq=2,
        step=None,
        summary="Payment capture failed",
    )
    second = t.new_span()
    t.add(
        60_000,
        EventType.PROCESS_START,
        P,
        span=second,
        parent=None,
        seq=0,
        step=None,
        summary="Payment capture started again",
    )
    t.add(
        60_300,
        EventType.STEP,
        S,
        span=t.new_span(),
        parent=second,
        seq=1,
        step="Capture funds",
        summary="Funds captured",
        system="payments",
    )
    t.add(
        60_400,
        EventType.PROCESS_END,
        S,
        span=second,
        parent=None,
        seq=2,
        step=None,
        summary="Payment captured",
    )
    return t.events


def big_trace(
    trace_id: str, start: datetime, *, events: int = 500, salt: int = 3
) -> list[EventLogEntry]:
    """A long batch-settlement trace of exactly ``events`` events (start, steps, end).

    Every tenth step position runs three parallel branches; every 25th step is retried once.
    """
    t = TraceBuilder(
        trace_id,
        process="batch_settlement",
        start=start,
        account="ACC-BIG-1",
        correlation=f"corr-{trace_id[:8]}",
        salt=salt,
        batch="BATCH-BIG-1",
    )
    root = t.new_span()
    t.add(
        0,
        EventType.PROCESS_START,
        P,
        span=root,
        parent=None,
        seq=0,
        step=None,
        summary="Settlement of the nightly batch started",
    )
    at, seq = 0, 0
    while len(t.events) < events - 1:
        seq += 1
        at += 37
        room = events - 1 - len(t.events)
        if seq % 10 == 0 and room >= 3:
            for name in ("Post ledger", "Notify bank", "Archive slip"):
                t.add(
                    at,
                    EventType.STEP,
                    S,
                    span=t.new_span(),
                    parent=root,
                    seq=seq,
                    step=f"{name} {seq}",
                    summary=f"{name} for item {seq}",
                    took=30,
                )
            continue
        if seq % 25 == 0 and room >= 2:
            t.add(
                at,
                EventType.STEP,
                F,
                span=t.new_span(),
                parent=root,
                seq=seq,
                step=f"Settle item {seq}",
                summary=f"Settlement of item {seq} failed",
                error_code="LOCKED",
            )
            at += 20
        t.add(
            at,
            EventType.STEP,
            S,
            span=t.new_span(),
            parent=root,
            seq=seq,
            step=f"Settle item {seq}",
            summary=f"Item {seq} settled",
            took=25,
        )
    t.add(
        at + 50,
        EventType.PROCESS_END,
        S,
        span=root,
        parent=None,
        seq=seq + 1,
        step=None,
        summary="Settlement finished",
    )
    assert len(t.events) == events
    return t.events


def simple_trace(
    trace_id: str,
    start: datetime,
    *,
    process: str,
    account: str | None,
    correlation: str,
    outcome: EventStatus,
    summary_word: str = "routine",
    salt: int = 9,
    end: bool = True,
) -> list[EventLogEntry]:
    """Start, one step and (unless in progress, or ``end`` is false) an end; the step
    carries ``outcome``."""
    t = TraceBuilder(
        trace_id, process=process, start=start, account=account, correlation=correlation, salt=salt
    )
    root = t.new_span()
    t.add(
        0,
        EventType.PROCESS_START,
        P,
        span=root,
        parent=None,
        seq=0,
        step=None,
        summary=f"{process} started",
    )
    t.add(
        500,
        EventType.STEP,
        outcome,
        span=t.new_span(),
        parent=root,
        seq=1,
        step="Do work",
        summary=f"The {summary_word} work step finished",
        took=450,
        error_code="BOOM" if outcome is F else None,
    )
    if outcome is not P and end:
        t.add(
            900,
            EventType.PROCESS_END,
            S if outcome in (S, W) else F,
            span=root,
            parent=None,
            seq=2,
            step=None,
            summary=f"{process} ended",
        )
    return t.events


def to_records(entries: Sequence[EventLogEntry]) -> list[EventLogRecord]:
    """What the API would read back for ``entries`` (server fields filled in)."""
    out = []
    now = format_timestamp(datetime.now(UTC))
    for index, e in enumerate(entries, start=1):
        out.append(
            EventLogRecord(
                event_log_id=index,
                execution_id=str(uuid.UUID(int=index)),
                trace_id=e.trace_id,
                correlation_id=e.correlation_id,
                account_id=e.account_id,
                span_id=e.span_id or f"{index:016x}",
                parent_span_id=e.parent_span_id,
                span_links=e.span_links,
                batch_id=e.batch_id,
                application_id=e.application_id,
                target_system=e.target_system,
                originating_system=e.originating_system,
                process_name=e.process_name,
                step_sequence=e.step_sequence,
                step_name=e.step_name,
                event_type=e.event_type,
                event_status=e.event_status,
                identifiers=e.identifiers,
                summary=e.summary,
                result=e.result,
                metadata=e.metadata,
                event_timestamp=format_timestamp(e.event_timestamp),
                execution_time_ms=e.execution_time_ms,
                endpoint=e.endpoint,
                http_method=e.http_method,
                http_status_code=e.http_status_code,
                error_code=e.error_code,
                error_message=e.error_message,
                request_payload=e.request_payload,
                response_payload=e.response_payload,
                idempotency_key=e.idempotency_key,
                created_at=now,
            )
        )
    return out


def hex_id(n: int, width: int = 32) -> str:
    """A deterministic lowercase hex id (never all zeros)."""
    return f"{n + 1:0{width}x}"


def chunks(items: Sequence[EventLogEntry], size: int) -> Iterator[Sequence[EventLogEntry]]:
    """``items`` in slices of at most ``size``."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- the browser tests' data set ----------------------------------------------------------


class SeededTrace:
    """One trace of the data set and what the dashboard should say about it."""

    def __init__(
        self,
        trace_id: str,
        entries: list[EventLogEntry],
        *,
        status: EventStatus,
    ) -> None:
        self.trace_id = trace_id
        self.entries = entries
        self.status = status
        first = entries[0]
        self.process = first.process_name
        self.account = first.account_id
        self.correlation = first.correlation_id
        self.start = min(e.event_timestamp for e in entries)
        self.end = max(e.event_timestamp for e in entries)
        self.has_errors = any(e.event_status is F for e in entries)


class DataSet:
    """Known traces spread over the last 30 days, with process definitions."""

    SEARCH_WORD = "zanzibar"
    LINKED_CORRELATION = "late-link-01"
    LINKED_ACCOUNT = "ACC-K01"

    def __init__(self, now: datetime) -> None:
        self.now = now
        ago = lambda **kw: now - timedelta(**kw)  # noqa: E731
        self.parallel = SeededTrace(
            hex_id(0xA1), parallel_retry_trace(hex_id(0xA1), ago(minutes=10)), status=S
        )
        self.retried = SeededTrace(
            hex_id(0xA2), trace_retry_trace(hex_id(0xA2), ago(hours=2)), status=S
        )
        self.big = SeededTrace(hex_id(0xA3), big_trace(hex_id(0xA3), ago(minutes=30)), status=S)
        traces = [self.parallel, self.retried, self.big]
        kyc = [
            (S, timedelta(minutes=20)),
            (F, timedelta(minutes=40)),
            (S, timedelta(hours=5)),
            (P, timedelta(hours=6)),
            (W, timedelta(hours=7)),
            (S, timedelta(days=3)),
            (F, timedelta(days=3, hours=2)),
            (S, timedelta(days=10)),
            (P, timedelta(days=10, hours=1)),
            (S, timedelta(days=20)),
            (F, timedelta(days=20, hours=3)),
            (S, timedelta(days=25)),
        ]
        for n, (outcome, age) in enumerate(kyc, start=1):
            trace_id = hex_id(0xB00 + n)
            entries = simple_trace(
                trace_id,
                now - age,
                process="kyc_check",
                account=f"ACC-K{n:02d}",
                correlation=f"kyc-corr-{n:02d}",
                outcome=outcome,
                salt=0xB00 + n,
                end=outcome is not W,
            )
            status = outcome  # the WARNING trace has no end, so its derived status is WARNING
            traces.append(SeededTrace(trace_id, entries, status=status))
        refunds = [
            timedelta(minutes=50),
            timedelta(hours=9),
            timedelta(days=2),
            timedelta(days=12),
            timedelta(days=15),
            timedelta(days=28),
        ]
        for n, age in enumerate(refunds, start=1):
            trace_id = hex_id(0xC00 + n)
            word = self.SEARCH_WORD if n == 4 else "routine"
            entries = simple_trace(
                trace_id,
                now - age,
                process="refund_request",
                account=f"ACC-R{n:02d}",
                correlation=f"refund-corr-{n:02d}",
                outcome=S,
                summary_word=word,
                salt=0xC00 + n,
            )
            traces.append(SeededTrace(trace_id, entries, status=S))
        # Logged before the account existed (no accountId), linked to ACC-K01 afterwards.
        late = hex_id(0xE01)
        self.linked = SeededTrace(
            late,
            simple_trace(
                late,
                now - timedelta(minutes=15),
                process="refund_request",
                account=None,
                correlation=self.LINKED_CORRELATION,
                outcome=S,
                salt=0xE01,
            ),
            status=S,
        )
        traces.append(self.linked)
        self.traces = traces
        self.searched = next(t for t in traces if t.trace_id == hex_id(0xC04))

    def entries(self) -> list[EventLogEntry]:
        """Every event of the data set."""
        return [e for t in self.traces for e in t.entries]

    def ids(self, predicate: Any = None) -> set[str]:
        """Trace ids of the traces that ``predicate`` accepts (all without one)."""
        return {t.trace_id for t in self.traces if predicate is None or predicate(t)}

    def within(self, length: timedelta) -> set[str]:
        """Traces with activity in the last ``length`` (none lies near a boundary)."""
        return self.ids(lambda t: t.end >= self.now - length)


DEFINITIONS: list[dict[str, Any]] = [
    {
        "process_name": "order_fulfilment",
        "display_name": "Order fulfilment",
        "description": "From a paid basket to a parcel with the carrier.",
        "owning_team": "Fulfilment",
        "expected_steps": 5,
        "sla_ms": 2000,
    },
    {
        "process_name": "payment_capture",
        "display_name": "Payment capture",
        "description": "Capture an authorised card payment.",
        "owning_team": "Payments",
        "expected_steps": 2,
        "sla_ms": 120_000,
    },
    {
        "process_name": "kyc_check",
        "display_name": "KYC check",
        "description": "Know-your-customer identity verification.",
        "owning_team": "Compliance",
        "expected_steps": 1,
        "sla_ms": 5000,
    },
    {
        "process_name": "batch_settlement",
        "display_name": "Batch settlement",
        "description": "Nightly settlement of the card batch.",
        "owning_team": "Finance",
        "expected_steps": None,
        "sla_ms": None,
    },
]
"""Process definitions the browser tests register (refund_request stays unregistered)."""
