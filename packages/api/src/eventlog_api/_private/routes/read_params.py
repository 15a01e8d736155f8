"""Parsing the query parameters of the read endpoints into validated values.

Integers with bounds are declared on the handlers (Litestar checks them and the error
handler turns a failure into the contract's 400 with ``details``). Dates, booleans and
status lists are parsed here, so that a timestamp without an offset, ``hasErrors=maybe``
or ``eventStatus=NOPE`` (where a single status is expected) is a 400 naming the query
parameter.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from eventlog_schemas import ErrorDetail, EventStatus, parse_timestamp

from eventlog_api._private.errors import ApiError, validation_failed

# A query string turns an unencoded "+" into a space: "10:00:00 01:00" meant "+01:00".
_SPACE_OFFSET: Final = re.compile(r" (\d{2}:?\d{2})$")
_TRUE: Final = frozenset({"true", "1", "yes"})
_FALSE: Final = frozenset({"false", "0", "no"})


def invalid(field: str, message: str) -> ApiError:
    """A 400 naming one query parameter or body field."""
    return validation_failed(
        "The request failed validation.", [ErrorDetail(field=field, message=message)]
    )


def parse_date(field: str, value: str | None) -> datetime | None:
    """An ISO-8601 timestamp with an offset or ``Z`` (400 otherwise); ``None`` if absent."""
    if value is None or value == "":
        return None
    text = _SPACE_OFFSET.sub(r"+\1", value.strip())
    try:
        return parse_timestamp(text)
    except ValueError:
        raise invalid(
            field, "Expected an ISO-8601 timestamp with an offset or Z, e.g. 2026-02-26T14:30:00Z"
        ) from None


def parse_bool(field: str, value: str | None) -> bool | None:
    """``true``/``false`` (also 1/0, yes/no), case-insensitive; ``None`` if absent."""
    if value is None or value == "":
        return None
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise invalid(field, "Expected true or false")


def parse_status(field: str, value: str | None) -> EventStatus | None:
    """One event status (400 when it is not one); ``None`` if absent."""
    if value is None or value == "":
        return None
    try:
        return EventStatus(value.strip().upper())
    except ValueError:
        allowed = ", ".join(s.value for s in EventStatus)
        raise invalid(field, f"Expected one of {allowed}") from None


def parse_status_list(value: str | None) -> tuple[EventStatus, ...]:
    """A comma-separated list of statuses; unknown values are ignored (the contract)."""
    if not value:
        return ()
    known: list[EventStatus] = []
    for part in value.split(","):
        try:
            status = EventStatus(part.strip().upper())
        except ValueError:
            continue
        if status not in known:
            known.append(status)
    return tuple(known)


def check_order(
    start: datetime | None, end: datetime | None, *, end_field: str = "endDate"
) -> None:
    """400 when both bounds are given and ``end`` is before ``start``."""
    if start is not None and end is not None and end < start:
        raise invalid(end_field, "endDate must not be before startDate")
