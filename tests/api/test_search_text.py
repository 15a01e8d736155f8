"""``POST /v1/events/search/text`` on the real SQLite driver (FTS5) and the real
PostgreSQL server (tsvector): prefix and AND semantics, newest first, filters, guardrails."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from eventlog_api._private.storage.queries import search
from support.read_dataset import Dataset, read_api, read_backend

pytestmark = pytest.mark.asyncio(loop_scope="module")
__all__ = ["read_api", "read_backend"]  # fixtures used by name

Api = tuple[httpx.AsyncClient, Dataset]


async def _search(http: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await http.post("/v1/events/search/text", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _summaries(body: dict[str, Any]) -> list[str]:
    return [e["summary"] for e in body["events"]]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("decl", 1),  # a prefix of "declined"
        ("DECLINED", 1),
        ("payment", 5),
        ("payment decl", 1),  # every word must occur
        ("decl payment", 1),  # in any order
        ("payment zzz", 0),
        ("77123", 5),  # digits after a hyphen are words of their own
        ("ORD-77123", 5),
        ("honour", 1),  # errorMessage is searched
        ("card_declined", 1),  # result is searched
        ("gateway timeout", 1),
        ("---", 0),  # no word at all
        ('"payment', 5),  # search syntax characters are plain text
        ("payment*", 5),
        ("AND", 0),
    ],
)
async def test_prefix_and_semantics(read_api: Api, query: str, count: int) -> None:
    http, _ = read_api
    body = await _search(http, query=query)
    assert body["totalCount"] == count, _summaries(body)
    assert len(body["events"]) == count
    assert body["query"] == query
    assert (body["page"], body["pageSize"]) == (1, 20)


async def test_newest_first(read_api: Api) -> None:
    http, _ = read_api
    body = await _search(http, query="statement")
    times = [e["eventTimestamp"] for e in body["events"]]
    assert times == sorted(times, reverse=True)
    assert body["totalCount"] == 5
    assert _summaries(body)[0] == "Statement STM-3 started"


async def test_filters(read_api: Api) -> None:
    http, _ = read_api
    by_account = await _search(http, query="payment", accountId="ACC-2002")
    assert by_account["totalCount"] == 3
    by_process = await _search(http, query="payment", processName="order_fulfilment")
    assert _summaries(by_process) == [
        "Payment authorised for order ORD-77123",
        "Payment gateway timed out for ORD-77123",
    ]
    windowed = await _search(
        http,
        query="payment",
        startDate="2026-02-20T11:00:00+01:00",
        endDate="2026-02-20T10:30:00Z",
    )
    assert windowed["totalCount"] == 2
    assert (await _search(http, query="payment", processName="order"))["totalCount"] == 0


async def test_pages(read_api: Api) -> None:
    http, _ = read_api
    last = await _search(http, query="payment", page=3, pageSize=2)
    assert (len(last["events"]), last["totalCount"]) == (1, 5)
    past = await _search(http, query="payment", page=4, pageSize=2)
    assert (past["events"], past["totalCount"]) == ([], 5)
    assert (await _search(http, query="payment", pageSize=50))["pageSize"] == 50


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": ""}, "query"),
        ({"query": "   "}, "query"),
        ({}, "query"),
        ({"query": "payment", "pageSize": 51}, "pageSize"),
        ({"query": "payment", "page": 0}, "page"),
        ({"query": "payment", "startDate": "2026-02-20T00:00:00Z"}, "endDate"),
        ({"query": "payment", "endDate": "2026-02-20T00:00:00Z"}, "startDate"),
        (
            {
                "query": "payment",
                "startDate": "2026-02-21T00:00:00Z",
                "endDate": "2026-02-20T00:00:00Z",
            },
            "endDate",
        ),
        (
            {
                "query": "payment",
                "startDate": "2026-02-20T00:00:00",
                "endDate": "2026-02-21T00:00:00Z",
            },
            "startDate",
        ),
    ],
)
async def test_guardrails(read_api: Api, body: dict[str, Any], field: str) -> None:
    http, _ = read_api
    response = await http.post("/v1/events/search/text", json=body)
    assert response.status_code == 400, response.text
    envelope = response.json()
    assert envelope["error"] == "Validation Error"
    assert envelope["details"][0]["field"] == field


async def test_dense_matches_read_along_the_time_index_give_the_same_page(
    read_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, _ = read_api
    queries = [
        {"query": "pay"},
        {"query": "pay", "page": 2, "pageSize": 7},
        {"query": "payment", "processName": "card_payment"},
    ]
    sparse = [await _search(http, **q) for q in queries]
    monkeypatch.setattr(search, "DENSE_MATCHES", 0)
    dense = [await _search(http, **q) for q in queries]
    assert dense == sparse
    assert sparse[0]["totalCount"] == 60
    assert len(sparse[1]["events"]) == 7
