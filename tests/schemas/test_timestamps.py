"""Timestamps: offsets required on input, UTC milliseconds stored, ``...000Z`` on output."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from eventlog_schemas import format_timestamp, parse_timestamp, to_utc_millis, utc_now
from hypothesis import given, settings
from hypothesis import strategies as st

WIRE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
PROFILE = settings(deadline=None, max_examples=300)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-02-26T14:30:00Z", datetime(2026, 2, 26, 14, 30, tzinfo=UTC)),
        ("2026-02-26T14:30:00.000Z", datetime(2026, 2, 26, 14, 30, tzinfo=UTC)),
        ("2026-02-26T20:00:00+05:30", datetime(2026, 2, 26, 14, 30, tzinfo=UTC)),
        ("2026-02-26T06:30:00-08:00", datetime(2026, 2, 26, 14, 30, tzinfo=UTC)),
        ("2026-02-26T14:30:00+00:00", datetime(2026, 2, 26, 14, 30, tzinfo=UTC)),
        ("2026-02-26T14:30:00.5Z", datetime(2026, 2, 26, 14, 30, 0, 500_000, tzinfo=UTC)),
        ("2026-02-26T14:30:00.123456Z", datetime(2026, 2, 26, 14, 30, 0, 123_000, tzinfo=UTC)),
        ("2026-02-26T14:30:00.999999Z", datetime(2026, 2, 26, 14, 30, 0, 999_000, tzinfo=UTC)),
        # Java clients send nanoseconds.
        ("2026-02-26T14:30:00.123456789Z", datetime(2026, 2, 26, 14, 30, 0, 123_000, tzinfo=UTC)),
        # An offset can move the date, the month and the year.
        ("2027-01-01T00:30:00+01:00", datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),
        ("2024-02-28T23:00:00-01:00", datetime(2024, 2, 29, 0, 0, tzinfo=UTC)),
    ],
)
def test_parse_converts_to_utc_milliseconds(text: str, utc: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == utc
    assert parsed.tzinfo is UTC
    assert parsed.microsecond % 1000 == 0


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-26T14:30:00",
        "2026-02-26T14:30:00.123",
        "2026-02-26",
        "14:30:00Z",
        "2026-02-30T14:30:00Z",
        "2026-02-26T14:30:00+25:00",
        "yesterday",
        "",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_parse_rejects_naive_malformed_and_out_of_range(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_timestamp(text)


def test_to_utc_millis_truncates_and_converts() -> None:
    local = datetime(2026, 2, 26, 15, 30, 0, 123_999, tzinfo=timezone(timedelta(hours=1)))
    assert to_utc_millis(local) == datetime(2026, 2, 26, 14, 30, 0, 123_000, tzinfo=UTC)
    assert to_utc_millis(local).tzinfo is UTC


def test_to_utc_millis_rejects_naive() -> None:
    with pytest.raises(ValueError, match="offset"):
        to_utc_millis(datetime(2026, 2, 26, 14, 30))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2026, 2, 26, 14, 30, tzinfo=UTC), "2026-02-26T14:30:00.000Z"),
        (datetime(2026, 2, 26, 14, 30, 0, 7_000, tzinfo=UTC), "2026-02-26T14:30:00.007Z"),
        (datetime(2026, 2, 26, 14, 30, 0, 999_999, tzinfo=UTC), "2026-02-26T14:30:00.999Z"),
        (
            datetime(
                2026, 2, 26, 9, 0, 0, 123_456, tzinfo=timezone(timedelta(hours=-5, minutes=-30))
            ),
            "2026-02-26T14:30:00.123Z",
        ),
        # Database drivers drop the offset: a naive value is already UTC.
        (datetime(2026, 2, 26, 14, 30, 0, 250_000), "2026-02-26T14:30:00.250Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000Z"),
        (datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC), "9999-12-31T23:59:59.999Z"),
    ],
)
def test_format_is_utc_z_with_three_digits(value: datetime, text: str) -> None:
    assert format_timestamp(value) == text


@given(st.datetimes(timezones=st.timezones() | st.just(UTC)))
@PROFILE
def test_format_then_parse_gives_the_same_instant(value: datetime) -> None:
    try:
        expected = to_utc_millis(value)
    except ValueError:
        return  # an instant outside years 1-9999 once in UTC has no wire form
    text = format_timestamp(value)
    assert WIRE.fullmatch(text), text
    assert parse_timestamp(text) == expected
    assert format_timestamp(parse_timestamp(text)) == text


@given(
    st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
    st.integers(-(23 * 60 + 59), 23 * 60 + 59),
)
@PROFILE
def test_to_utc_millis_keeps_the_instant_to_the_millisecond(wall: datetime, minutes: int) -> None:
    value = wall.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    utc = to_utc_millis(value)
    assert utc.tzinfo is UTC
    assert utc.microsecond % 1000 == 0
    assert timedelta(0) <= value - utc < timedelta(milliseconds=1)


def test_utc_now_is_utc_milliseconds_now() -> None:
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    now = utc_now()
    after = datetime.now(UTC)
    assert now.tzinfo is UTC
    assert now.microsecond % 1000 == 0
    assert before <= now <= after
