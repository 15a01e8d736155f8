"""Closed vocabularies of the wire."""

from __future__ import annotations

import enum


class EventType(enum.StrEnum):
    """What an event records within a process instance."""

    PROCESS_START = "PROCESS_START"
    STEP = "STEP"
    PROCESS_END = "PROCESS_END"
    ERROR = "ERROR"


class EventStatus(enum.StrEnum):
    """The outcome of an event; a trace's derived status uses the same values."""

    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    IN_PROGRESS = "IN_PROGRESS"
    SKIPPED = "SKIPPED"
    WARNING = "WARNING"


class HttpMethod(enum.StrEnum):
    """HTTP methods an event may record for the call it describes."""

    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    DELETE = "DELETE"
    PATCH = "PATCH"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"
