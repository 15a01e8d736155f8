"""Skip-or-fail for tests that need a real outside part (PostgreSQL, Chromium).

On a developer machine without the part the test skips with the reason; CI sets
``EVENTLOG_REQUIRE_<PART>=1`` so that the same absence fails the run instead.
"""

from __future__ import annotations

import os

import pytest


def require(part: str, available: bool, reason: str) -> None:
    """Skip (or fail, when ``EVENTLOG_REQUIRE_<PART>`` is set) unless ``available``."""
    if available:
        return
    if os.environ.get(f"EVENTLOG_REQUIRE_{part.upper()}") == "1":
        pytest.fail(f"{part} is required here (EVENTLOG_REQUIRE_{part.upper()}=1): {reason}")
    pytest.skip(reason)
