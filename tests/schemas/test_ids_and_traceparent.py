"""W3C trace-context ids, ``traceparent`` parse/format, and the id generators."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from eventlog_schemas import (
    BatchRequest,
    EventLogEntry,
    TraceParent,
    decode,
    encode,
    format_traceparent,
    is_span_id,
    is_trace_id,
    new_batch_id,
    new_span_id,
    new_trace_id,
    parse_traceparent,
)
from hypothesis import given, settings
from hypothesis import strategies as st

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"
VALID = f"00-{TRACE}-{SPAN}-01"

trace_ids = st.integers(1, 2**128 - 1).map(lambda n: f"{n:032x}")
span_ids = st.integers(1, 2**64 - 1).map(lambda n: f"{n:016x}")
flags = st.integers(0, 255)
PROFILE = settings(deadline=None, max_examples=200)


# --- ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (TRACE, True),
        ("0" * 31 + "1", True),
        ("0" * 32, False),
        (TRACE.upper(), False),
        (TRACE[:-1], False),
        (TRACE + "0", False),
        (TRACE[:-1] + "g", False),
        (TRACE[:-1] + "\n", False),
        ("", False),
    ],
)
def test_is_trace_id(value: str, valid: bool) -> None:
    assert is_trace_id(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (SPAN, True),
        ("0" * 15 + "1", True),
        ("0" * 16, False),
        ("00F067AA0BA902B7", False),
        (SPAN[:-1], False),
        (SPAN + "0", False),
        (SPAN[:-1] + "z", False),
        (SPAN + "\n", False),
    ],
)
def test_is_span_id(value: str, valid: bool) -> None:
    assert is_span_id(value) is valid


def test_generated_ids_are_valid_and_distinct() -> None:
    traces = {new_trace_id() for _ in range(500)}
    spans = {new_span_id() for _ in range(500)}
    assert len(traces) == 500
    assert len(spans) == 500
    assert all(is_trace_id(t) for t in traces)
    assert all(is_span_id(s) for s in spans)


_BATCH_ID = re.compile(r"batch-(\d{8})-([A-Za-z0-9_.-]+)-([a-z0-9]{6})")


def test_batch_id_format() -> None:
    batch_id = new_batch_id("order-service")
    match = _BATCH_ID.fullmatch(batch_id)
    assert match is not None, batch_id
    assert match[1] == datetime.now(UTC).strftime("%Y%m%d") or match[1] == (
        datetime.now(UTC) - timedelta(minutes=1)
    ).strftime("%Y%m%d")
    assert match[2] == "order-service"


def test_batch_id_day_is_the_utc_day() -> None:
    evening_in_new_york = datetime(2026, 2, 26, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert new_batch_id("orders", now=evening_in_new_york).startswith("batch-20260227-orders-")
    early_in_tokyo = datetime(2026, 3, 1, 1, 0, tzinfo=timezone(timedelta(hours=9)))
    assert new_batch_id("orders", now=early_in_tokyo).startswith("batch-20260228-orders-")


@pytest.mark.parametrize(
    ("source", "cleaned"),
    [
        ("order-service", "order-service"),
        ("order service/v2", "order-service-v2"),
        ("billing_job.eu", "billing_job.eu"),
        ("  spaced  ", "spaced"),
        ("Zahlungsdienst-ü", "Zahlungsdienst"),
        ("", "unknown"),
        ("///", "unknown"),
        ("😀", "unknown"),
    ],
)
def test_batch_id_source_is_made_url_safe(source: str, cleaned: str) -> None:
    match = _BATCH_ID.fullmatch(new_batch_id(source, now=datetime(2026, 2, 26, tzinfo=UTC)))
    assert match is not None
    assert match[1] == "20260226"
    assert match[2] == cleaned


def test_batch_ids_are_random_per_call() -> None:
    now = datetime(2026, 2, 26, tzinfo=UTC)
    assert len({new_batch_id("orders", now=now) for _ in range(200)}) == 200


@given(st.text(max_size=400))
@PROFILE
def test_any_batch_id_is_a_valid_batch_id_on_the_wire(source: str) -> None:
    batch_id = new_batch_id(source)
    assert _BATCH_ID.fullmatch(batch_id) is not None
    assert len(batch_id) <= 200
    event = {
        "traceId": TRACE,
        "correlationId": "c",
        "applicationId": "a",
        "targetSystem": "t",
        "originatingSystem": "o",
        "processName": "p",
        "eventType": "STEP",
        "eventStatus": "SUCCESS",
        "identifiers": {},
        "summary": "s",
        "result": "r",
        "eventTimestamp": "2026-02-26T14:30:00Z",
        "batchId": batch_id,
    }
    batch = decode(encode({"events": [event], "batchId": batch_id}), BatchRequest)
    assert batch.batch_id == batch_id
    assert decode(encode(event), EventLogEntry).batch_id == batch_id


# --- traceparent ------------------------------------------------------------------------


def test_parse_the_spec_example() -> None:
    parsed = parse_traceparent(VALID)
    assert parsed == TraceParent(trace_id=TRACE, parent_id=SPAN, flags=1, version=0)
    assert parsed is not None
    assert parsed.sampled


def test_flags_are_kept() -> None:
    unsampled = parse_traceparent(f"00-{TRACE}-{SPAN}-00")
    assert unsampled is not None
    assert (unsampled.flags, unsampled.sampled) == (0, False)
    other_bits = parse_traceparent(f"00-{TRACE}-{SPAN}-fe")
    assert other_bits is not None
    assert (other_bits.flags, other_bits.sampled) == (0xFE, False)
    assert format_traceparent(TRACE, SPAN, flags=other_bits.flags) == f"00-{TRACE}-{SPAN}-fe"


@given(trace_ids, span_ids, flags)
@PROFILE
def test_format_then_parse_round_trips(trace_id: str, span_id: str, trace_flags: int) -> None:
    header = format_traceparent(trace_id, span_id, flags=trace_flags)
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}", header)
    parsed = parse_traceparent(header)
    assert parsed == TraceParent(trace_id=trace_id, parent_id=span_id, flags=trace_flags)
    assert format_traceparent(parsed.trace_id, parsed.parent_id, flags=parsed.flags) == header


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="absent"),
        pytest.param("", id="empty"),
        pytest.param(f"ff-{TRACE}-{SPAN}-01", id="version ff"),
        pytest.param(f"0-{TRACE}-{SPAN}-01", id="version one digit"),
        pytest.param(f"000-{TRACE}-{SPAN}-01", id="version three digits"),
        pytest.param(f"0g-{TRACE}-{SPAN}-01", id="version not hex"),
        pytest.param(f"0A-{TRACE}-{SPAN}-01", id="version uppercase"),
        pytest.param(f"00-{TRACE.upper()}-{SPAN}-01", id="trace id uppercase"),
        pytest.param(f"00-{TRACE}-{SPAN.upper()}-01", id="parent id uppercase"),
        pytest.param(f"00-{TRACE}-{SPAN}-0A", id="flags uppercase"),
        pytest.param(f"00-{'0' * 32}-{SPAN}-01", id="trace id all zeros"),
        pytest.param(f"00-{TRACE}-{'0' * 16}-01", id="parent id all zeros"),
        pytest.param(f"00-{TRACE[:-1]}-{SPAN}-01", id="trace id 31"),
        pytest.param(f"00-{TRACE}0-{SPAN}-01", id="trace id 33"),
        pytest.param(f"00-{TRACE}-{SPAN[:-1]}-01", id="parent id 15"),
        pytest.param(f"00-{TRACE}-{SPAN}0-01", id="parent id 17"),
        pytest.param(f"00-{TRACE}-{SPAN}-1", id="flags one digit"),
        pytest.param(f"00-{TRACE}-{SPAN}-001", id="flags three digits"),
        pytest.param(f"00-{TRACE[:-1]}x-{SPAN}-01", id="trace id not hex"),
        pytest.param(f"00-{TRACE}-{SPAN[:-1]}x-01", id="parent id not hex"),
        pytest.param(f"00-{TRACE}-{SPAN}-0x", id="flags not hex"),
        pytest.param(f"00-{TRACE}-{SPAN}-01-", id="version 00 trailing dash"),
        pytest.param(f"00-{TRACE}-{SPAN}-01-what-the-future-will-be-like", id="00 extra fields"),
        pytest.param(f"00_{TRACE}_{SPAN}_01", id="wrong delimiter"),
        pytest.param(f"00-{TRACE}-{SPAN}", id="no flags"),
        pytest.param(f"00-{TRACE}{SPAN}-01", id="missing delimiter"),
        pytest.param(f"cc-{TRACE}-{SPAN}-01x", id="future version, no dash after flags"),
        pytest.param(f"cc-{TRACE.upper()}-{SPAN}-01-extra", id="future version, bad trace id"),
        pytest.param(f"cc-{TRACE}-{SPAN}", id="future version, too short"),
    ],
)
def test_invalid_headers_are_rejected(header: str | None) -> None:
    assert parse_traceparent(header) is None


@pytest.mark.parametrize(
    ("header", "version", "trace_flags"),
    [
        (f"01-{TRACE}-{SPAN}-01", 1, 1),
        (f"cc-{TRACE}-{SPAN}-00", 0xCC, 0),
        (f"cc-{TRACE}-{SPAN}-01-what-the-future-will-be-like", 0xCC, 1),
        (f"fe-{TRACE}-{SPAN}-09-", 0xFE, 9),
    ],
)
def test_future_versions_are_parsed_by_their_first_four_fields(
    header: str, version: int, trace_flags: int
) -> None:
    assert parse_traceparent(header) == TraceParent(
        trace_id=TRACE, parent_id=SPAN, flags=trace_flags, version=version
    )


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_traceparent(f"  {VALID}\t") == parse_traceparent(VALID)


@given(st.text(max_size=80))
@PROFILE
def test_parse_never_raises(header: str) -> None:
    parsed = parse_traceparent(header)
    if parsed is not None:
        assert is_trace_id(parsed.trace_id)
        assert is_span_id(parsed.parent_id)
        assert 0 <= parsed.flags <= 255
        assert parsed.version != 0xFF


@pytest.mark.parametrize(
    ("trace_id", "span_id", "trace_flags"),
    [
        ("0" * 32, SPAN, 1),
        (TRACE.upper(), SPAN, 1),
        (TRACE, "0" * 16, 1),
        (TRACE, SPAN[:-1], 1),
        (TRACE, SPAN, -1),
        (TRACE, SPAN, 256),
    ],
)
def test_format_rejects_what_it_could_not_parse(
    trace_id: str, span_id: str, trace_flags: int
) -> None:
    with pytest.raises(ValueError, match=r"trace id|span id|flags"):
        format_traceparent(trace_id, span_id, flags=trace_flags)
