"""Process definitions: display names, owners, expected steps and SLAs."""

from __future__ import annotations

from typing import Annotated

import msgspec

from .base import PositiveInt, UtcTimestamp, WireRequest, WireResponse
from .events import ProcessName

DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=510)]
Description = Annotated[str, msgspec.Meta(min_length=1)]
OwningTeam = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class ProcessDefinition(WireResponse, frozen=True, kw_only=True):
    """A registered process."""

    process_id: int
    process_name: str
    display_name: str
    description: str
    owning_team: str
    expected_steps: int | None
    sla_ms: int | None
    is_active: bool
    created_at: UtcTimestamp
    updated_at: UtcTimestamp


class ProcessListResponse(WireResponse, frozen=True, kw_only=True):
    """``GET /v1/processes``."""

    processes: list[ProcessDefinition]


class CreateProcessRequest(WireRequest, frozen=True, kw_only=True):
    """``POST /v1/processes``."""

    process_name: ProcessName
    display_name: DisplayName
    description: Description
    owning_team: OwningTeam
    expected_steps: PositiveInt | None = None
    sla_ms: PositiveInt | None = None


class UpdateProcessRequest(WireRequest, frozen=True, kw_only=True):
    """``PATCH /v1/processes/{processName}``: only the fields present change.

    ``expectedSteps`` and ``slaMs`` may be set to ``null`` to clear them.
    """

    display_name: DisplayName | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    owning_team: OwningTeam | msgspec.UnsetType = msgspec.UNSET
    expected_steps: PositiveInt | msgspec.UnsetType | None = msgspec.UNSET
    sla_ms: PositiveInt | msgspec.UnsetType | None = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
