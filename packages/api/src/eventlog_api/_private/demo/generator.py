"""Deterministic demo traffic: plausible traces built from the process catalogue.

``generate_demo(events=N, days=D, seed=S, end=E)`` yields exactly ``N`` events (fewer
only if ``N`` is 0), grouped per trace, spread over the ``D`` days before ``E`` with
a business-hours rhythm, and the same output for the same arguments.

It works in two passes so that the count is exact while start times stay ordered:
the first pass decides the traces (process and a per-trace seed) and counts their
events from a cheap skeleton; the second spreads those traces over the window, in
time order, and builds the events. Events that would lie after ``end`` are not
emitted (those instances are still running "now"), and the few events that this
drops are made up by extra traces placed earlier in the window.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from eventlog_schemas import (
    CorrelationLinkRequest,
    EventLogEntry,
    EventStatus,
    EventType,
    HttpMethod,
)

from .catalog import PROCESSES, Failure, Process, Step

_MAX_STEP_ATTEMPTS: Final = 3
_MAX_TRACE_ATTEMPTS: Final = 3
# Relative traffic per hour of the day (UTC): quiet nights, a business-day plateau.
_HOURLY: Final = (
    0.15, 0.1, 0.1, 0.1, 0.15, 0.25, 0.5, 0.8, 1.0, 1.0, 1.0, 0.95,
    0.9, 0.95, 1.0, 1.0, 0.95, 0.85, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2,
)  # fmt: skip
_WEEKEND: Final = 0.55
_CITIES: Final = ("Lisbon", "Leeds", "Lyon", "Utrecht", "Gdansk", "Porto", "Graz", "Aarhus")
_CARRIERS: Final = ("DHL", "UPS", "PostNL", "DPD", "GLS")
_MERCHANTS: Final = (
    "Corner Coffee", "City Grocers", "Nordic Outdoor", "Lumen Books", "Atlas Fuel",
    "Harbour Pharmacy", "Bluebird Travel", "Maple Electronics", "Orbit Cinemas",
)  # fmt: skip
_CUSTOMERS: Final = (
    "Ana Silva", "Tom Baker", "Lea Martin", "Jan de Vries", "Ola Nowak", "Rui Costa",
    "Eva Gruber", "Mads Jensen", "Ines Moreau", "Kai Lehmann", "Nora Quinn", "Ivo Petrov",
)  # fmt: skip
_REGIONS: Final = ("eu-west-1", "eu-central-1", "eu-north-1")
_CRASHES: Final = (
    "NullPointerException in ResponseMapper.map",
    "KeyError: 'customer_id' in payload adapter",
    "IllegalStateException: connection pool shut down",
)


@dataclass(frozen=True, slots=True)
class DemoTrace:
    """One generated trace: its events (time order) and the correlation link it implies."""

    entries: list[EventLogEntry]
    link: CorrelationLinkRequest | None


class _Proto:
    """A skeleton event: when it happens and what it is, before any text is filled in."""

    __slots__ = (
        "attempt",
        "failure",
        "has_account",
        "kind",
        "links",
        "offset",
        "parent",
        "result",
        "seq",
        "span",
        "status",
        "step",
        "template",
        "took",
    )

    def __init__(
        self,
        *,
        offset: int,
        kind: EventType,
        status: EventStatus,
        seq: int,
        step: Step | None,
        span: str,
        parent: str | None,
        template: str,
        result: str,
        took: int | None,
        links: list[str] | None,
        failure: Failure | None,
        attempt: int,
        has_account: bool,
    ) -> None:
        self.offset = offset
        self.kind = kind
        self.status = status
        self.seq = seq
        self.step = step
        self.span = span
        self.parent = parent
        self.template = template
        self.result = result
        self.took = took
        self.links = links
        self.failure = failure
        self.attempt = attempt
        self.has_account = has_account


def _span(rng: random.Random) -> str:
    return f"{rng.getrandbits(64) or 1:016x}"


class _Skeleton:
    """Builds the skeleton of one trace from a per-trace random source."""

    def __init__(self, process: Process, rng: random.Random) -> None:
        self.process = process
        self.rng = rng
        self.protos: list[_Proto] = []
        self.has_account = process.account_known
        self.attempt = 1
        self.root = ""
        self.last_seq = 0
        self.last_failure: Failure | None = None

    def build(self) -> list[_Proto]:
        """The whole instance, with trace-level retries after failures."""
        process, rng = self.process, self.rng
        name = process.display_name
        t = 0
        for attempt in range(1, _MAX_TRACE_ATTEMPTS + 1):
            self.attempt = attempt
            self.root = _span(rng)
            self._add(
                t,
                EventType.PROCESS_START,
                EventStatus.IN_PROGRESS,
                0,
                template=process.started,
                result="STARTED",
                span=self.root,
                parent=None,
            )
            outcome, t, failed = self._run(t + rng.randint(3, 30))
            if outcome == "stalled":
                break
            if outcome == "ok":
                self._add(
                    t,
                    EventType.PROCESS_END,
                    EventStatus.SUCCESS,
                    self.last_seq + 1,
                    template=f"{name} completed for {{ref}}",
                    result="COMPLETED",
                    span=self.root,
                    parent=None,
                    took=t,
                )
                break
            assert failed is not None
            if rng.random() < process.crash_rate:
                crash = rng.choice(_CRASHES)
                self._add(
                    t + 1,
                    EventType.ERROR,
                    EventStatus.FAILURE,
                    self.last_seq,
                    step=failed,
                    template=f"Unhandled error in {failed.system} while processing "
                    f"{{ref}}: {crash}",
                    result="UNHANDLED_EXCEPTION",
                    failure=Failure("UNHANDLED_EXCEPTION", crash, 500),
                )
                break
            self._add(
                t + 2,
                EventType.PROCESS_END,
                EventStatus.FAILURE,
                self.last_seq + 1,
                template=f"{name} failed for {{ref}} at step '{failed.name}'",
                result="FAILED",
                span=self.root,
                parent=None,
                took=t + 2,
                failure=self.last_failure,
            )
            if attempt == _MAX_TRACE_ATTEMPTS or rng.random() >= process.trace_retry_rate:
                break
            t += rng.randint(20_000, 300_000)
        return self.protos

    def _add(
        self,
        offset: int,
        kind: EventType,
        status: EventStatus,
        seq: int,
        *,
        template: str,
        result: str,
        step: Step | None = None,
        span: str | None = None,
        parent: str | None = "",
        took: int | None = None,
        links: list[str] | None = None,
        failure: Failure | None = None,
    ) -> None:
        if status is EventStatus.FAILURE and failure is not None:
            self.last_failure = failure
        self.protos.append(
            _Proto(
                offset=offset,
                kind=kind,
                status=status,
                seq=seq,
                step=step,
                span=span if span is not None else _span(self.rng),
                parent=self.root if parent == "" else parent,
                template=template,
                result=result,
                took=took,
                links=links,
                failure=failure,
                attempt=self.attempt,
                has_account=self.has_account,
            )
        )

    def _run(self, t: int) -> tuple[str, int, Step | None]:
        """Run the stages; returns (outcome, time, failed step)."""
        links: list[str] | None = None
        for seq, stage in enumerate(self.process.stages, start=1):
            self.last_seq = seq
            if isinstance(stage, Step):
                outcome, end, _ = self._step(stage, seq, t, links)
                if outcome != "ok":
                    return outcome, end, stage
                links = None
                t = end + self.rng.randint(2, 40)
                continue
            ends: list[int] = []
            spans: list[str] = []
            failed: Step | None = None
            stalled = False
            for branch in stage.steps:
                outcome, end, span = self._step(branch, seq, t, links)
                ends.append(end)
                spans.append(span)
                if outcome == "failed" and failed is None:
                    failed = branch
                stalled = stalled or outcome == "stalled"
            t = max(ends) + self.rng.randint(2, 40)
            if stalled:
                return "stalled", t, None
            if failed is not None:
                return "failed", t, failed
            links = spans
        return "ok", t, None

    def _step(self, step: Step, seq: int, t: int, links: list[str] | None) -> tuple[str, int, str]:
        """One step with its retries; returns (outcome, end time, span of the last attempt)."""
        rng = self.rng
        if step.stall_rate and rng.random() < step.stall_rate:
            return "stalled", t, ""
        span = _span(rng)
        took = 0
        for step_attempt in range(1, _MAX_STEP_ATTEMPTS + 1):
            span = _span(rng)
            took = max(1, int(rng.lognormvariate(math.log(step.median_ms), step.spread)))
            if not (step.transients and rng.random() < step.transient_rate):
                break
            failure = rng.choice(step.transients)
            last = step_attempt == _MAX_STEP_ATTEMPTS
            verdict = "giving up" if last else "retrying"
            self._add(
                t + took,
                EventType.STEP,
                EventStatus.FAILURE if last else EventStatus.WARNING,
                seq,
                step=step,
                span=span,
                took=took,
                links=links,
                failure=failure,
                template=f"{step.name} for {{ref}} failed on attempt {step_attempt}: "
                f"{failure.message}; {verdict}",
                result=failure.code if last else "RETRYING",
            )
            if last:
                return "failed", t + took, span
            t += took + rng.randint(100, 2_000) * step_attempt
        end = t + took
        if step.fail_rate and rng.random() < step.fail_rate:
            failure = rng.choice(step.failures)
            self._add(
                end,
                EventType.STEP,
                EventStatus.FAILURE,
                seq,
                took=took,
                failure=failure,
                template=f"{step.name} failed for {{ref}}: {failure.message}",
                result=failure.code,
                step=step,
                span=span,
                links=links,
            )
            return "failed", end, span
        if step.skip_rate and rng.random() < step.skip_rate:
            self._add(
                t + 1,
                EventType.STEP,
                EventStatus.SKIPPED,
                seq,
                took=0,
                template=f"{step.name} skipped for {{ref}}: {step.skip_reason}",
                result="SKIPPED",
                step=step,
                span=span,
                links=links,
            )
            return "ok", t + 1, span
        if step.opens_account:
            self.has_account = True
        if step.warn_rate and rng.random() < step.warn_rate:
            self._add(
                end,
                EventType.STEP,
                EventStatus.WARNING,
                seq,
                took=took,
                template=step.warning,
                result="COMPLETED_WITH_WARNINGS",
                step=step,
                span=span,
                links=links,
            )
        else:
            self._add(
                end,
                EventType.STEP,
                EventStatus.SUCCESS,
                seq,
                took=took,
                template=step.done,
                result=step.result,
                step=step,
                span=span,
                links=links,
            )
        return "ok", end, span


class _Weights:
    """Weighted choice of a process with one random draw."""

    def __init__(self, processes: tuple[Process, ...]) -> None:
        total = sum(p.weight for p in processes)
        acc = 0.0
        self.cumulative: list[float] = []
        for p in processes:
            acc += p.weight / total
            self.cumulative.append(acc)
        self.processes = processes

    def pick(self, rng: random.Random) -> Process:
        index = bisect.bisect_left(self.cumulative, rng.random())
        return self.processes[min(index, len(self.processes) - 1)]


class _Clock:
    """Spreads sorted start times over the window with a daily and weekly rhythm."""

    def __init__(self, start: datetime, end: datetime) -> None:
        self.start = start
        first_hour = start.replace(minute=0, second=0, microsecond=0)
        self.slots: list[tuple[float, float]] = []  # (slot start ms from window start, width)
        weights: list[float] = []
        hour = first_hour
        span_ms = (end - start) / timedelta(milliseconds=1)
        while hour < end:
            lo = max(0.0, (hour - start) / timedelta(milliseconds=1))
            hi = min(span_ms, (hour + timedelta(hours=1) - start) / timedelta(milliseconds=1))
            weekend = _WEEKEND if hour.weekday() >= 5 else 1.0
            weights.append(_HOURLY[hour.hour] * weekend * (hi - lo))
            self.slots.append((lo, hi - lo))
            hour += timedelta(hours=1)
        total = sum(weights) or 1.0
        self.cdf: list[float] = []
        acc = 0.0
        for w in weights:
            acc += w / total
            self.cdf.append(acc)

    def sorted_offsets(self, count: int, rng: random.Random) -> list[int]:
        """``count`` start offsets (ms from the window start), ascending."""
        draws = sorted(rng.random() for _ in range(count))
        out: list[int] = []
        slot = 0
        prev_cdf = 0.0
        for u in draws:
            while slot < len(self.cdf) - 1 and u > self.cdf[slot]:
                prev_cdf = self.cdf[slot]
                slot += 1
            lo, width = self.slots[slot]
            span = (self.cdf[slot] - prev_cdf) or 1.0
            out.append(int(lo + width * min(1.0, max(0.0, (u - prev_cdf) / span))))
        return out


class _Materialiser:
    """Turns skeletons into events with text, ids and timestamps."""

    def __init__(self, window_start: datetime, end: datetime, accounts: int) -> None:
        self.window_start = window_start
        self.end = end
        self.accounts = accounts

    def account(self, rng: random.Random) -> str:
        # A squared draw makes a few accounts much busier than most, like real customers.
        index = int(self.accounts * rng.random() ** 2)
        return f"ACC-{(index * 7_919 + 10_007) % 100_000_000:08d}"

    def trace(
        self, process: Process, sub_seed: int, start_ms: int, batch_id: str | None, budget: int
    ) -> DemoTrace:
        """Build one trace starting ``start_ms`` after the window start, at most ``budget``
        events, none after the end of the window."""
        rng = random.Random(sub_seed)
        protos = _Skeleton(process, rng).build()
        protos.sort(key=lambda p: p.offset)
        ctx_rng = random.Random(sub_seed ^ 0x5EED)
        serial = ctx_rng.randrange(1, 10_000_000)
        base = self.window_start + timedelta(milliseconds=start_ms)
        day = base.strftime("%Y%m%d")
        ref = f"{process.ref_prefix}-{day}-{serial:07d}"
        customer_no = ctx_rng.randrange(100_000, 999_999)
        account = (
            f"ACC-{ctx_rng.randrange(10**7, 10**8):08d}"
            if not process.account_known
            else self.account(ctx_rng)
        )
        amount = f"{ctx_rng.lognormvariate(3.6, 1.0):.2f}"
        ctx = {
            "ref": ref,
            "account": account,
            "amount": amount,
            "currency": ctx_rng.choice(("EUR", "EUR", "EUR", "GBP", "USD")),
            "items": ctx_rng.randint(1, 9),
            "city": ctx_rng.choice(_CITIES),
            "warehouse": f"WH-{ctx_rng.randint(1, 6)}",
            "risk": ctx_rng.randint(1, 99),
            "shipment": f"SHP{ctx_rng.randrange(10**9):09d}",
            "carrier": ctx_rng.choice(_CARRIERS),
            "customer": ctx_rng.choice(_CUSTOMERS),
            "merchant": ctx_rng.choice(_MERCHANTS),
            "docs": ctx_rng.randint(1, 4),
            "score": ctx_rng.randint(420, 880),
            "last4": f"{ctx_rng.randrange(10_000):04d}",
            "reason": ctx_rng.choice(("10.4", "13.1", "13.3", "12.6")),
            "pages": ctx_rng.randint(2, 9),
        }
        keys = process.identifiers or ("reference",)
        identifiers: dict[str, object] = {keys[0]: ref}
        if len(keys) > 1:
            identifiers[keys[1]] = f"CUST-{customer_no}"
        region = ctx_rng.choice(_REGIONS)
        trace_id = f"{ctx_rng.getrandbits(128) or 1:032x}"
        limit_ms = (self.end - base) / timedelta(milliseconds=1)
        entries: list[EventLogEntry] = []
        link: CorrelationLinkRequest | None = None
        for proto in protos:
            if len(entries) >= budget or proto.offset > limit_ms:
                break
            entries.append(
                self._event(
                    process,
                    proto,
                    ctx=ctx,
                    identifiers=identifiers,
                    trace_id=trace_id,
                    base=base,
                    batch_id=batch_id,
                    region=region,
                    account=account,
                )
            )
            if (
                proto.step is not None
                and proto.step.opens_account
                and (proto.status is EventStatus.SUCCESS)
            ):
                link = CorrelationLinkRequest(
                    correlation_id=ref,
                    account_id=account,
                    application_id=process.application_id,
                    customer_id=f"CUST-{customer_no}",
                    card_number_last4=str(ctx["last4"]),
                )
        return DemoTrace(entries=entries, link=link)

    def _event(
        self,
        process: Process,
        p: _Proto,
        *,
        ctx: Mapping[str, object],
        identifiers: dict[str, object],
        trace_id: str,
        base: datetime,
        batch_id: str | None,
        region: str,
        account: str,
    ) -> EventLogEntry:
        step = p.step
        failure = p.failure
        system = step.system if step is not None else process.orchestrator
        http_status: int | None = None
        method: HttpMethod | None = None
        endpoint: str | None = None
        request_payload: str | None = None
        response_payload: str | None = None
        if step is not None and step.method is not None and p.kind is EventType.STEP:
            method, endpoint = step.method, step.endpoint
            if failure is not None:
                http_status = failure.http_status
            elif p.status is not EventStatus.SKIPPED:
                http_status = 201 if method is HttpMethod.POST else 200
            if step.payloads and p.status is not EventStatus.SKIPPED:
                request_payload = f'{{"reference":"{ctx["ref"]}","amount":"{ctx["amount"]}"}}'
                response_payload = (
                    f'{{"status":"{p.result}","code":"{failure.code}"}}'
                    if failure is not None
                    else f'{{"status":"{p.result}","id":"{p.span[:8]}"}}'
                )
        metadata: dict[str, object] = {"region": region, "host": f"{system}-{p.span[:4]}"}
        if p.attempt > 1:
            metadata["processAttempt"] = p.attempt
        return EventLogEntry(
            trace_id=trace_id,
            correlation_id=str(ctx["ref"]),
            account_id=account if p.has_account else None,
            span_id=p.span,
            parent_span_id=p.parent,
            span_links=p.links,
            batch_id=batch_id,
            application_id=process.application_id,
            target_system=system,
            originating_system=process.originating_system,
            process_name=process.name,
            step_sequence=p.seq,
            step_name=step.name if step is not None else None,
            event_type=p.kind,
            event_status=p.status,
            identifiers=identifiers,
            summary=p.template.format(**ctx),
            result=p.result,
            metadata=metadata,
            event_timestamp=base + timedelta(milliseconds=p.offset),
            execution_time_ms=p.took,
            endpoint=endpoint,
            http_method=method,
            http_status_code=http_status,
            error_code=failure.code if failure is not None else None,
            error_message=failure.message if failure is not None else None,
            request_payload=request_payload,
            response_payload=response_payload,
        )


def _nights(window_start: datetime, end: datetime) -> list[datetime]:
    """02:00 UTC of every night in the window that leaves an hour for the batch to run."""
    night = window_start.replace(hour=2, minute=0, second=0, microsecond=0)
    if night < window_start:
        night += timedelta(days=1)
    nights: list[datetime] = []
    while night <= end - timedelta(hours=1):
        nights.append(night)
        night += timedelta(days=1)
    return nights or [window_start]


def generate_demo(
    *, events: int, days: float = 7.0, seed: int = 1, end: datetime | None = None
) -> Iterator[DemoTrace]:
    """Yield demo traces holding exactly ``events`` events, oldest traces first.

    ``end`` (default: now) is the newest moment of the window; the same arguments give
    the same traces.
    """
    if events < 0:
        raise ValueError("events must be >= 0")
    if days <= 0:
        raise ValueError("days must be > 0")
    end = (end or datetime.now(UTC)).astimezone(UTC)
    end = end.replace(microsecond=end.microsecond // 1000 * 1000)
    window_start = end - timedelta(days=days)
    rng = random.Random(seed)
    weights = _Weights(PROCESSES)

    # Pass 1: which traces, and how many events each would have.
    plans: list[tuple[Process, int]] = []
    counted = 0
    while counted < events:
        process = weights.pick(rng)
        sub_seed = rng.getrandbits(64)
        counted += len(_Skeleton(process, random.Random(sub_seed)).build())
        plans.append((process, sub_seed))

    # Pass 2: spread them over the window in time order, batches at night.
    materialiser = _Materialiser(window_start, end, accounts=max(25, len(plans) // 4))
    regular = [plan for plan in plans if not plan[0].batch]
    batched = [plan for plan in plans if plan[0].batch]
    offsets = _Clock(window_start, end).sorted_offsets(len(regular), rng)
    schedule: list[tuple[int, Process, int, str | None]] = [
        (offset, process, sub_seed, None)
        for offset, (process, sub_seed) in zip(offsets, regular, strict=True)
    ]
    nights = _nights(window_start, end)
    per_night = math.ceil(len(batched) / len(nights)) if batched else 0
    for n, night in enumerate(nights):
        chunk = batched[n * per_night : (n + 1) * per_night]
        if not chunk:
            break
        night_batch = f"batch-{night:%Y%m%d}-statements-{rng.getrandbits(24):06x}"
        at = max(0, int((night - window_start) / timedelta(milliseconds=1)))
        for process, sub_seed in chunk:
            schedule.append((at, process, sub_seed, night_batch))
            at += rng.randint(150, 700)
    schedule.sort(key=lambda item: item[0])

    produced = 0
    for offset, process, sub_seed, batch_id in schedule:
        if produced >= events:
            return
        trace = materialiser.trace(process, sub_seed, offset, batch_id, events - produced)
        produced += len(trace.entries)
        if trace.entries:
            yield trace

    # Pass 3: make up for events that fell after the end of the window, earlier on.
    span_ms = int((end - window_start) / timedelta(milliseconds=1))
    while produced < events:
        process = weights.pick(rng)
        while process.batch:
            process = weights.pick(rng)
        sub_seed = rng.getrandbits(64)
        length = max(p.offset for p in _Skeleton(process, random.Random(sub_seed)).build())
        offset = rng.randrange(max(1, span_ms - length)) if span_ms > length else 0
        trace = materialiser.trace(process, sub_seed, offset, None, events - produced)
        produced += len(trace.entries)
        yield trace
