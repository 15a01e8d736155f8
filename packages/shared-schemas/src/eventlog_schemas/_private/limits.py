"""Size limits and page-size families of the contract, named once for every package."""

from __future__ import annotations

from typing import Final, NamedTuple


class PageSize(NamedTuple):
    """Default and maximum ``pageSize`` of one family of list endpoints."""

    default: int
    maximum: int


STANDARD_PAGE: Final = PageSize(20, 100)
"""Account, batch, lookup, trace-list and other standard lists."""
TRACE_EVENTS_PAGE: Final = PageSize(200, 500)
"""Events of one trace or one correlation id."""
SEARCH_PAGE: Final = PageSize(20, 50)
"""Full-text search results."""

DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
"""The server's default request body limit (``EVENTLOG_MAX_BODY_BYTES``)."""
LOOKUP_MAX_WINDOW_DAYS: Final = 30
"""The widest date window ``POST /v1/events/lookup`` accepts."""
