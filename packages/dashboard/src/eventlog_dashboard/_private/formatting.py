"""How values read on screen: durations, relative times, names in words, colours, JSON."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Final

from eventlog_schemas import EventStatus, parse_timestamp

SUCCESS_RATE_GOOD: Final = 90.0
"""A success rate at or above this is green."""
SUCCESS_RATE_FAIR: Final = 70.0
"""A success rate at or above this (and below ``SUCCESS_RATE_GOOD``) is amber; below, red."""

STATUS_COLORS: Final[dict[str, str]] = {
    EventStatus.SUCCESS: "green",
    EventStatus.FAILURE: "red",
    EventStatus.IN_PROGRESS: "blue",
    EventStatus.WARNING: "amber",
    EventStatus.SKIPPED: "gray",
}
"""Radix colour of each status (badges, dots, timeline markers)."""

STATUS_LABELS: Final[dict[str, str]] = {
    EventStatus.SUCCESS: "Success",
    EventStatus.FAILURE: "Failure",
    EventStatus.IN_PROGRESS: "In progress",
    EventStatus.WARNING: "Warning",
    EventStatus.SKIPPED: "Skipped",
}

EMPTY: Final = "—"
"""What a missing value shows as."""

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[_\-.\s/]+")


def status_color(status: str | None) -> str:
    """The Radix colour of an event or trace status (gray when unknown)."""
    return STATUS_COLORS.get(status or "", "gray")


def status_label(status: str | None) -> str:
    """A status in words ("In progress")."""
    if not status:
        return EMPTY
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def success_rate_color(rate: float | None) -> str:
    """Green at ≥ 90 %, amber at ≥ 70 %, red below (gray when there is no rate)."""
    if rate is None:
        return "gray"
    if rate >= SUCCESS_RATE_GOOD:
        return "green"
    if rate >= SUCCESS_RATE_FAIR:
        return "amber"
    return "red"


def format_percent(rate: float | None) -> str:
    """``97.5 %`` with at most one decimal (``100 %``, not ``100.0 %``)."""
    if rate is None:
        return EMPTY
    text = f"{rate:.1f}".removesuffix(".0")
    return f"{text} %"


def humanize_name(name: str | None) -> str:
    """A machine name in words: ``order_fulfilment``/``OrderFulfilment`` → ``Order fulfilment``.

    All-caps words (``KYC``, ``API``) keep their case unless the whole name is all caps
    (``PROCESS_START`` → ``Process start``).
    """
    if not name:
        return EMPTY
    words: list[str] = []
    for chunk in _SEPARATORS.split(name.strip()):
        if chunk:
            words.extend(part for part in _CAMEL_BOUNDARY.split(chunk) if part)
    if not words:
        return name
    # In a SCREAMING_SNAKE name no word is an acronym; elsewhere all-caps words are.
    shouting = name.isupper()
    out = []
    for index, word in enumerate(words):
        if word.isupper() and len(word) > 1 and not shouting:
            out.append(word)
        elif index == 0:
            out.append(word[:1].upper() + word[1:].lower())
        else:
            out.append(word.lower())
    return " ".join(out)


def format_duration_ms(ms: float | None) -> str:
    """A duration for people: ``850 ms``, ``4.2 s``, ``3 min 5 s``, ``2 h 4 min``, ``3 d 2 h``."""
    if ms is None:
        return EMPTY
    if ms < 0:
        return f"-{format_duration_ms(-ms)}"
    if ms < 1000:
        return f"{round(ms)} ms"
    seconds = ms / 1000
    if seconds < 10:
        return f"{seconds:.2f}".rstrip("0").rstrip(".") + " s"
    if seconds < 60:
        return f"{seconds:.1f}".removesuffix(".0") + " s"
    total = round(seconds)
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def to_datetime(value: str | datetime | None) -> datetime | None:
    """A wire timestamp (or datetime) as an aware UTC datetime; ``None`` when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_timestamp(value)


def to_epoch_ms(value: str | datetime | None) -> int | None:
    """Milliseconds since the epoch of a wire timestamp."""
    moment = to_datetime(value)
    return None if moment is None else int(moment.timestamp() * 1000)


def format_relative(value: str | datetime | None, now: datetime) -> str:
    """``just now``, ``42 s ago``, ``5 min ago``, ``3 h ago``, ``2 d ago`` (or ``in 5 min``)."""
    moment = to_datetime(value)
    if moment is None:
        return EMPTY
    delta = (now - moment).total_seconds()
    future = delta < 0
    delta = abs(delta)
    if delta < 5:
        return "just now"
    if delta < 60:
        text = f"{int(delta)} s"
    elif delta < 3600:
        text = f"{int(delta // 60)} min"
    elif delta < 86400:
        text = f"{int(delta // 3600)} h"
    elif delta < 86400 * 60:
        text = f"{int(delta // 86400)} d"
    else:
        return moment.strftime("%Y-%m-%d")
    return f"in {text}" if future else f"{text} ago"


def format_clock(value: str | datetime | None, *, with_date: bool = True) -> str:
    """``2026-02-26 14:30:00.123 UTC`` (or only the time of day)."""
    moment = to_datetime(value)
    if moment is None:
        return EMPTY
    millis = f"{moment.microsecond // 1000:03d}"
    if with_date:
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + millis + " UTC"
    return moment.strftime("%H:%M:%S.") + millis


def format_count(value: int | None) -> str:
    """``12,345``."""
    return EMPTY if value is None else f"{value:,}"


def short_id(value: str | None, head: int = 8, tail: int = 4) -> str:
    """``4bf92f35…4736``: enough of a long id to recognise it."""
    if not value:
        return EMPTY
    if len(value) <= head + tail + 1:
        return value
    return f"{value[:head]}…{value[-tail:]}"


def pretty_json(text: str | None) -> tuple[str, bool]:
    """``(text, True)`` indented when ``text`` is JSON, else ``(text, False)`` unchanged."""
    if text is None:
        return "", False
    stripped = text.strip()
    # Only objects and arrays gain from indenting; a bare "42" or "ok" stays as it is.
    if not stripped or stripped[0] not in "[{":
        return text, False
    try:
        value = json.loads(stripped)
    except ValueError:
        return text, False
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False), True


def dumps_pretty(value: object) -> str:
    """A JSON value (already decoded) indented for reading."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
