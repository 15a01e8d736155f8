"""Building valid events (as wire dicts) for the API tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from eventlog_schemas import new_span_id, new_trace_id

_counter = itertools.count(1)
BASE_TIME = datetime(2026, 2, 26, 14, 30, tzinfo=UTC)


def wire_time(offset_ms: int = 0) -> str:
    """A wire timestamp ``offset_ms`` after ``BASE_TIME``."""
    value = BASE_TIME + timedelta(milliseconds=offset_ms)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def event(**fields: Any) -> dict[str, Any]:
    """A valid EventLogEntry as a dict; ``fields`` override (``None`` removes a field)."""
    n = next(_counter)
    body: dict[str, Any] = {
        "traceId": new_trace_id(),
        "spanId": new_span_id(),
        "correlationId": f"corr-{n}",
        "accountId": f"acct-{n % 7}",
        "applicationId": "checkout-service",
        "targetSystem": "payments",
        "originatingSystem": "web",
        "processName": "Order Fulfilment",
        "stepSequence": 1,
        "stepName": "Authorise payment",
        "eventType": "STEP",
        "eventStatus": "SUCCESS",
        "identifiers": {"orderId": f"ORD-{n}"},
        "summary": f"Payment authorised for order ORD-{n}",
        "result": "AUTHORISED",
        "eventTimestamp": wire_time(n),
    }
    for key, value in fields.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body
