"""The trace list's filters and their home, the URL query string.

Every filter lives in the query string (``?range=7d&status=FAILURE,WARNING&q=card``), so
a filtered list survives a reload and can be shared as a link. Parsing is lenient: a
value that does not parse is ignored, not an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import urlencode

from eventlog_schemas import EventStatus

TIME_PRESETS: Final[dict[str, tuple[str, timedelta | None]]] = {
    "all": ("Any time", None),
    "1h": ("Last hour", timedelta(hours=1)),
    "24h": ("Last 24 hours", timedelta(hours=24)),
    "7d": ("Last 7 days", timedelta(days=7)),
    "30d": ("Last 30 days", timedelta(days=30)),
    "custom": ("Custom range", None),
}
"""Range key → (label, length back from now); ``custom`` uses ``start``/``end``."""

DEFAULT_RANGE: Final = "all"
STATUS_ORDER: Final = tuple(EventStatus)
CUSTOM_FORMAT: Final = "%Y-%m-%dT%H:%M"
"""The value format of an ``<input type="datetime-local">``; read as UTC."""


def parse_local(value: str) -> datetime | None:
    """A ``datetime-local`` value (``2026-02-26T14:30``, seconds optional) as UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _flag(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "yes", "on"}


def _page(value: str | None) -> int:
    try:
        page = int(value or "1")
    except ValueError:
        return 1
    return max(page, 1)


@dataclass(frozen=True, slots=True)
class TraceFilters:
    """What the trace list shows: every field maps to one query parameter."""

    range: str = DEFAULT_RANGE
    start: str = ""
    """Custom range start (``datetime-local`` value, UTC)."""
    end: str = ""
    process: str = ""
    account: str = ""
    trace_id: str = ""
    correlation_id: str = ""
    statuses: tuple[str, ...] = ()
    errors_only: bool = False
    search: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> TraceFilters:
        """The filters a URL's query parameters describe (bad values are dropped)."""
        range_key = params.get("range", DEFAULT_RANGE)
        if range_key not in TIME_PRESETS:
            range_key = DEFAULT_RANGE
        wanted = {s.strip().upper() for s in params.get("status", "").split(",") if s.strip()}
        return cls(
            range=range_key,
            start=params.get("from", "") if parse_local(params.get("from", "")) else "",
            end=params.get("to", "") if parse_local(params.get("to", "")) else "",
            process=params.get("process", "").strip(),
            account=params.get("account", "").strip(),
            trace_id=params.get("trace", "").strip().lower(),
            correlation_id=params.get("correlation", "").strip(),
            statuses=tuple(s for s in STATUS_ORDER if s in wanted),
            errors_only=_flag(params.get("errors")),
            search=params.get("q", "").strip(),
            page=_page(params.get("page")),
        )

    def to_query(self) -> str:
        """The query string (without ``?``) of these filters; defaults are left out."""
        pairs: list[tuple[str, str]] = []
        if self.range != DEFAULT_RANGE:
            pairs.append(("range", self.range))
        if self.range == "custom":
            if self.start:
                pairs.append(("from", self.start))
            if self.end:
                pairs.append(("to", self.end))
        for key, value in (
            ("process", self.process),
            ("account", self.account),
            ("trace", self.trace_id),
            ("correlation", self.correlation_id),
            ("status", ",".join(self.statuses)),
            ("q", self.search),
        ):
            if value:
                pairs.append((key, value))
        if self.errors_only:
            pairs.append(("errors", "1"))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return urlencode(pairs)

    def href(self, path: str = "/") -> str:
        """``path`` with these filters as its query string."""
        query = self.to_query()
        return f"{path}?{query}" if query else path

    def with_changes(self, **changes: object) -> TraceFilters:
        """A copy with some fields changed; any change but the page goes back to page 1."""
        if "page" not in changes:
            changes["page"] = 1
        return replace(self, **changes)  # type: ignore[arg-type]

    def window(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """The time window (UTC) the range selects; ``None`` means open on that side."""
        if self.range == "custom":
            return parse_local(self.start), parse_local(self.end)
        length = TIME_PRESETS[self.range][1]
        if length is None:
            return None, None
        return now - length, None

    @property
    def active(self) -> bool:
        """True when anything but the defaults is set (the page number aside)."""
        return replace(self, page=1) != TraceFilters()

    @property
    def has_errors(self) -> bool | None:
        """The API's ``hasErrors``: ``True`` for errors only, else no filter."""
        return True if self.errors_only else None
