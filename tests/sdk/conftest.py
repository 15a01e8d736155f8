"""Fixtures of the SDK tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def spill_dir(tmp_path: Path) -> Path:
    """A fresh spillover folder."""
    return tmp_path / "spill"
