"""The base classes every wire struct derives from, and shared field types."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec


class WireRequest(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A body a client sends: camelCase, unknown fields ignored, absent optionals omitted."""


class WireResponse(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A body the server returns: camelCase; optional fields are ``null`` when empty."""


AwareDatetime = Annotated[
    datetime,
    msgspec.Meta(
        tz=True,
        description="ISO-8601 with an offset or Z; stored in UTC at millisecond precision",
    ),
]
"""An input timestamp: must carry an offset or ``Z``."""

UtcTimestamp = Annotated[
    str,
    msgspec.Meta(
        extra_json_schema={"format": "date-time", "examples": ["2026-02-26T14:30:00.000Z"]},
        description="UTC, Z suffix, millisecond precision",
    ),
]
"""An output timestamp, always formatted by ``format_timestamp``."""

NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]
PositiveInt = Annotated[int, msgspec.Meta(gt=0)]
Page = Annotated[int, msgspec.Meta(ge=1, description="1-based page number")]
JsonObject = dict[str, object]
