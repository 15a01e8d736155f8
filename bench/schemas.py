"""Decode+validate throughput of 100-event batches, next to stdlib ``json.loads``.

Both decoders read the same bytes in the same run, in interleaved rounds (the machines
are noisy and shared: absolute times drift, the ratio is what counts). The target
(DESIGN.md, issue 2): ``eventlog_schemas.decode_batch`` -- parsing, validating every
field, normalising timestamps and building frozen structs -- is faster than
``json.loads``, which only parses into dicts. A miss prints MISS and still exits 0; only
a crash (or a decode that disagrees with json.loads) exits non-zero.

Run: ``make bench`` or ``.venv/bin/python bench/schemas.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from eventlog_schemas import BatchRequest, decode_batch, new_span_id, new_trace_id

EVENTS_PER_BATCH = 100
BATCHES = 20
ROUNDS = 40
TARGET_RATIO = 1.0

_STEPS = ["validate order", "reserve stock", "authorise payment", "pick", "pack", "ship"]
_STATUSES = ["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "IN_PROGRESS", "WARNING"]
# What real clients send: the SDK (UTC, milliseconds), Java (nanoseconds), and services
# that log local time with an offset.
_TIMESTAMPS = [
    "2026-02-26T14:30:{s:02d}.{ms:03d}Z",
    "2026-02-26T14:30:{s:02d}.{ms:03d}456789Z",
    "2026-02-26T15:30:{s:02d}.{ms:03d}+01:00",
]


def make_event(rng: random.Random, index: int) -> dict[str, Any]:
    """One realistic event: every required field and most optional ones, varied values."""
    step = index % len(_STEPS)
    status = rng.choice(_STATUSES)
    order = f"o-{rng.randrange(10**6):06d}"
    event: dict[str, Any] = {
        "traceId": new_trace_id(),
        "correlationId": f"order-2026-{order}",
        "accountId": f"ACC-{rng.randrange(10**5):05d}" if rng.random() < 0.9 else None,
        "spanId": new_span_id(),
        "parentSpanId": "0000000000000000" if step == 0 else new_span_id(),
        "applicationId": "order-service",
        "targetSystem": rng.choice(["payment-gateway", "warehouse", "carrier-api"]),
        "originatingSystem": "web-shop",
        "processName": "ORDER_FULFILMENT",
        "stepSequence": step,
        "stepName": _STEPS[step],
        "eventType": "PROCESS_START" if step == 0 else "STEP",
        "eventStatus": status,
        "identifiers": {"orderId": order, "cartId": f"c-{rng.randrange(10**4)}"},
        "summary": f"Step '{_STEPS[step]}' of order {order} ended with {status.lower()} "
        f"after {rng.randrange(5, 900)} ms (attempt {rng.randrange(1, 3)}) — Zahlung geprüft",
        "result": status if status != "SUCCESS" else "OK",
        "metadata": {"attempt": 1, "region": "eu-west", "amount": round(rng.random() * 500, 2)},
        "eventTimestamp": _TIMESTAMPS[index % 3].format(
            s=rng.randrange(60), ms=rng.randrange(1000)
        ),
        "executionTimeMs": rng.randrange(5, 900),
        "endpoint": f"/v2/{_STEPS[step].replace(' ', '-')}",
        "httpMethod": "POST",
        "httpStatusCode": 200 if status == "SUCCESS" else 502,
        "idempotencyKey": f"{order}:{step}:1",
    }
    if status == "FAILURE":
        event["errorCode"] = "UPSTREAM_TIMEOUT"
        event["errorMessage"] = "The payment gateway did not answer within 5000 ms"
    if index % 10 == 0:
        event["requestPayload"] = json.dumps({"orderId": order, "lines": [1, 2, 3]})
        event["spanLinks"] = [new_span_id(), new_span_id()]
    return event


def make_batches(seed: int = 2026) -> list[bytes]:
    """``BATCHES`` distinct request bodies of ``EVENTS_PER_BATCH`` events each."""
    rng = random.Random(seed)
    return [
        json.dumps(
            {"events": [make_event(rng, i) for i in range(EVENTS_PER_BATCH)]},
            ensure_ascii=False,
        ).encode()
        for _ in range(BATCHES)
    ]


def check_agreement(bodies: list[bytes]) -> None:
    """Both decoders must read the same events, or the comparison means nothing."""
    for body in bodies:
        typed: BatchRequest = decode_batch(body)
        plain = json.loads(body)["events"]
        assert len(typed.events) == len(plain) == EVENTS_PER_BATCH
        for event, raw in zip(typed.events, plain, strict=True):
            assert event.trace_id == raw["traceId"]
            assert event.summary == raw["summary"]


def time_once(decode: Callable[[bytes], object], bodies: list[bytes]) -> float:
    """Seconds to decode every body once."""
    start = time.perf_counter()
    for body in bodies:
        decode(body)
    return time.perf_counter() - start


def main() -> int:
    """Measure, print both throughputs and their ratio, and PASS or MISS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="interleaved rounds")
    args = parser.parse_args()

    bodies = make_batches()
    check_agreement(bodies)
    events = BATCHES * EVENTS_PER_BATCH
    candidates: dict[str, Callable[[bytes], object]] = {
        "eventlog_schemas.decode_batch": decode_batch,
        "json.loads (no validation)": json.loads,
    }
    for decode in candidates.values():  # warm caches and the allocator
        time_once(decode, bodies)

    samples: dict[str, list[float]] = {name: [] for name in candidates}
    deadline = time.monotonic() + 20
    for round_ in range(max(1, args.rounds)):
        # Alternate which goes first so neither always inherits a warm cache.
        order = list(candidates.items())
        if round_ % 2:
            order.reverse()
        for name, decode in order:
            samples[name].append(events / time_once(decode, bodies))
        if time.monotonic() > deadline:
            break

    size = sum(map(len, bodies)) / len(bodies)
    print(
        f"decode+validate, {EVENTS_PER_BATCH}-event batches ({size / 1024:.1f} KiB each), "
        f"{len(next(iter(samples.values())))} interleaved rounds of {events} events"
    )
    for name, rates in samples.items():
        print(
            f"  {name:32s} best {max(rates):>10,.0f} events/s   "
            f"median {statistics.median(rates):>10,.0f} events/s"
        )
    ours, reference = (samples[name] for name in candidates)
    best_ratio = max(ours) / max(reference)
    # Each round times both back to back: the per-round ratio cancels most of the drift
    # that other processes cause, and its median ignores the rounds they disturbed.
    paired_ratio = statistics.median(o / r for o, r in zip(ours, reference, strict=True))
    print(
        f"  ratio decode_batch / json.loads: median of rounds {paired_ratio:.2f}x, "
        f"best vs best {best_ratio:.2f}x"
    )
    verdict = "PASS" if paired_ratio > TARGET_RATIO else "MISS"
    print(
        f"{verdict}: decoding with validation is {paired_ratio:.2f}x json.loads "
        f"(target > {TARGET_RATIO:.1f}x, median of per-round ratios)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
