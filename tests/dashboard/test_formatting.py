"""How values read on screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from eventlog_dashboard._private.formatting import (
    format_clock,
    format_duration_ms,
    format_percent,
    format_relative,
    humanize_name,
    pretty_json,
    short_id,
    status_color,
    status_label,
    success_rate_color,
)

NOW = datetime(2026, 2, 26, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (None, "—"),
        (0, "0 ms"),
        (850, "850 ms"),
        (1000, "1 s"),
        (4200, "4.2 s"),
        (4250, "4.25 s"),
        (12_340, "12.3 s"),
        (60_000, "1 min"),
        (185_000, "3 min 5 s"),
        (7_440_000, "2 h 4 min"),
        (3 * 86_400_000 + 7_200_000, "3 d 2 h"),
        (-1500, "-1.5 s"),
    ],
)
def test_durations(ms: int | None, text: str) -> None:
    assert format_duration_ms(ms) == text


@pytest.mark.parametrize(
    ("rate", "color"),
    [
        (100.0, "green"),
        (90.0, "green"),
        (89.99, "amber"),
        (70.0, "amber"),
        (69.9, "red"),
        (0.0, "red"),
        (None, "gray"),
    ],
)
def test_success_rate_colours(rate: float | None, color: str) -> None:
    assert success_rate_color(rate) == color


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("order_fulfilment", "Order fulfilment"),
        ("OrderFulfilment", "Order fulfilment"),
        ("payment-capture", "Payment capture"),
        ("KYC_check", "KYC check"),
        ("loadAPIKeys", "Load API keys"),
        (None, "—"),
        ("", "—"),
        ("PROCESS_START", "Process start"),
    ],
)
def test_names_in_words(name: str | None, words: str) -> None:
    assert humanize_name(name) == words


def test_relative_times() -> None:
    assert format_relative(NOW - timedelta(seconds=2), NOW) == "just now"
    assert format_relative(NOW - timedelta(seconds=42), NOW) == "42 s ago"
    assert format_relative("2026-02-26T14:25:00.000Z", NOW) == "5 min ago"
    assert format_relative(NOW - timedelta(hours=3, minutes=5), NOW) == "3 h ago"
    assert format_relative(NOW - timedelta(days=2), NOW) == "2 d ago"
    assert format_relative(NOW + timedelta(minutes=5), NOW) == "in 5 min"
    assert format_relative(NOW - timedelta(days=400), NOW) == "2025-01-22"
    assert format_relative(None, NOW) == "—"


def test_clock_ids_percent_status() -> None:
    assert format_clock("2026-02-26T14:30:00.123Z") == "2026-02-26 14:30:00.123 UTC"
    assert format_clock("2026-02-26T14:30:00.123Z", with_date=False) == "14:30:00.123"
    assert short_id("4bf92f3577b34da6a3ce929d0e0e4736") == "4bf92f35…4736"
    assert short_id("short") == "short"
    assert format_percent(97.5) == "97.5 %"
    assert format_percent(100.0) == "100 %"
    assert status_color("FAILURE") == "red"
    assert status_color("nonsense") == "gray"
    assert status_label("IN_PROGRESS") == "In progress"


def test_pretty_json() -> None:
    assert pretty_json('{"a":1,"b":[1,2]}') == (
        '{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}',
        True,
    )
    assert pretty_json("not json {") == ("not json {", False)
    assert pretty_json("{broken") == ("{broken", False)
    assert pretty_json("42") == ("42", False)
    assert pretty_json(None) == ("", False)
    assert pretty_json('{"name": "Zoë"}')[0] == '{\n  "name": "Zoë"\n}'
