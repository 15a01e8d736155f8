"""Helpers of the browser tests (imported as ``dashboard.browsing``): waiting for data,
reading the trace table, screenshots."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Final

REPO: Final = Path(__file__).resolve().parents[2]
ARTIFACTS: Final = REPO / "artifacts" / "dashboard"
WAIT_S: Final = 15.0


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of the page under ``artifacts/dashboard/``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def trace_ids_on_page(page: Any) -> list[str]:
    """The trace ids of the trace table's rows, in order."""
    ids: list[str] = page.eval_on_selector_all(
        ".trace-row", "rows => rows.map(r => r.getAttribute('data-trace-id'))"
    )
    return ids


def wait_for_rows(
    page: Any, expected: set[str] | None = None, *, limit_s: float = WAIT_S
) -> list[str]:
    """Wait until the trace list has loaded (and shows exactly ``expected``, if given).

    A list that is loading keeps its old rows on screen, so "loaded" means the results
    panel says it is not loading and the rows are the expected ones.
    """
    deadline = time.monotonic() + limit_s
    last: list[str] = []
    while time.monotonic() < deadline:
        loading = page.get_attribute("#trace-results", "data-loading")
        if loading == "false":
            last = trace_ids_on_page(page)
            empty = page.locator(".empty-state").count() > 0
            if expected is None and (last or empty):
                return last
            if expected is not None and set(last) == expected and (last or empty):
                return last
        time.sleep(0.05)
    raise AssertionError(
        f"the trace list did not show the expected rows within {limit_s:g} s\n"
        f"expected: {sorted(expected) if expected is not None else 'any'}\nshown: {sorted(last)}\n"
        f"url: {page.url}"
    )


def wait_loaded(page: Any, selector: str, *, limit_s: float = WAIT_S) -> None:
    """Wait until the page is not loading and ``selector`` is on it."""
    page.wait_for_selector(f"[data-loading='false'] {selector}", timeout=limit_s * 1000)
