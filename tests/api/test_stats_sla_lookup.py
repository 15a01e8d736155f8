"""The per-process chart's SLA lookup on the real SQLite driver and the real PostgreSQL
server: the SLAs written into the query as a CASE (few definitions) and the per-trace
lookup used beyond ``_INLINE_SLAS_UP_TO`` definitions give the same figures."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from eventlog_api._private.storage.queries import charts
from support.read_dataset import Dataset, read_api, read_backend

pytestmark = pytest.mark.asyncio(loop_scope="module")
__all__ = ["read_api", "read_backend"]  # fixtures used by name

Api = tuple[httpx.AsyncClient, Dataset]

_WINDOWS = [
    # Finished traces within and past their SLA.
    "startDate=2026-02-19T00:00:00Z&endDate=2026-02-24T00:00:00Z",
    # An open trace measured to the end of the window, still within its SLA.
    "startDate=2026-02-20T13:00:00Z&endDate=2026-02-20T13:00:03Z",
]


async def _processes(http: httpx.AsyncClient, window: str) -> dict[str, Any]:
    response = await http.get(f"/v1/dashboard/processes?{window}")
    assert response.status_code == 200, response.text
    return {p["processName"]: p for p in response.json()["processes"]}


@pytest.mark.parametrize("window", _WINDOWS)
async def test_inline_and_looked_up_slas_agree(
    read_api: Api, window: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, _ = read_api
    inline = await _processes(http, window)
    monkeypatch.setattr(charts, "_INLINE_SLAS_UP_TO", 0)
    looked_up = await _processes(http, window)
    assert looked_up == inline
    # Not an empty agreement: the SLA figures are there in both.
    judged = [
        (p["withinSla"], p["breached"], p["openPastSla"], p["openWithinSla"])
        for p in looked_up.values()
        if p["slaMs"] is not None
    ]
    assert judged
    assert any(sum(figures) for figures in judged)


async def test_card_payment_sla_through_the_lookup(
    read_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, _ = read_api
    monkeypatch.setattr(charts, "_INLINE_SLAS_UP_TO", 0)
    card = (await _processes(http, _WINDOWS[0]))["card_payment"]
    assert (card["slaMs"], card["withinSla"], card["breached"], card["openPastSla"]) == (
        2000,
        21,
        6,
        0,
    )
