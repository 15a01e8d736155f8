"""Event reads on the real SQLite driver and the real PostgreSQL server: by trace,
correlation, account, batch, execution id, and the lookup with its guardrails."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.read_dataset import BATCH_ID, T0, Dataset, read_api, read_backend, ts

pytestmark = pytest.mark.asyncio(loop_scope="module")
__all__ = ["read_api", "read_backend"]  # fixtures used by name

Api = tuple[httpx.AsyncClient, Dataset]


def _validation_field(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "Validation Error"
    assert body["message"]
    return str(body["details"][0]["field"])


# -- trace ----------------------------------------------------------------------------------


async def test_trace_events_oldest_first_with_whole_trace_aggregates(read_api: Api) -> None:
    http, data = read_api
    t1 = data.traces["t1"]
    body = (await http.get(f"/v1/events/trace/{t1.trace_id}")).json()
    assert [e["eventTimestamp"] for e in body["events"]] == [e["eventTimestamp"] for e in t1.events]
    assert body["totalCount"] == 5
    assert (body["page"], body["pageSize"], body["hasMore"]) == (1, 200, False)
    assert body["statusCounts"] == {
        "success": 3,
        "failure": 1,
        "inProgress": 1,
        "skipped": 0,
        "warning": 0,
    }
    assert body["systemsInvolved"] == ["orchestrator", "order-service", "payment-gateway"]
    assert body["totalDurationMs"] == 4000
    assert body["processName"] == "order_fulfilment"
    assert body["accountId"] == "ACC-1001"
    assert body["startTime"] == ts(T0)
    assert body["endTime"] == "2026-02-20T10:00:04.000Z"
    event = body["events"][2]
    assert event["errorCode"] == "UPSTREAM_TIMEOUT"
    assert event["isDeleted"] is False
    assert event["identifiers"] == {"ref": "ORD-77123"}
    assert len(event["executionId"]) == 36
    assert isinstance(event["eventLogId"], int)


async def test_trace_pages_keep_aggregates_and_true_total(read_api: Api) -> None:
    http, data = read_api
    tid = data.traces["t1"].trace_id
    last = (await http.get(f"/v1/events/trace/{tid}?page=3&pageSize=2")).json()
    assert [e["eventTimestamp"] for e in last["events"]] == ["2026-02-20T10:00:04.000Z"]
    assert (last["totalCount"], last["hasMore"]) == (5, False)
    assert last["totalDurationMs"] == 4000
    middle = (await http.get(f"/v1/events/trace/{tid}?page=2&pageSize=2")).json()
    assert middle["hasMore"] is True
    assert len(middle["events"]) == 2
    past = (await http.get(f"/v1/events/trace/{tid}?page=9&pageSize=2")).json()
    assert past["events"] == []
    assert (past["totalCount"], past["hasMore"]) == (5, False)
    assert past["statusCounts"]["failure"] == 1


async def test_unknown_trace_is_empty_with_null_aggregates(read_api: Api) -> None:
    http, _ = read_api
    response = await http.get(f"/v1/events/trace/{'f' * 32}")
    assert response.status_code == 200
    body = response.json()
    assert body["events"] == []
    assert body["totalCount"] == 0
    for key in (
        "systemsInvolved",
        "totalDurationMs",
        "statusCounts",
        "processName",
        "accountId",
        "startTime",
        "endTime",
    ):
        assert body[key] is None, key


@pytest.mark.parametrize(
    ("query", "field"),
    [("pageSize=501", "pageSize"), ("pageSize=0", "pageSize"), ("page=0", "page")],
)
async def test_trace_page_guardrails(read_api: Api, query: str, field: str) -> None:
    http, data = read_api
    response = await http.get(f"/v1/events/trace/{data.traces['t1'].trace_id}?{query}")
    assert _validation_field(response) == field


async def test_trace_page_size_at_the_maximum_is_fine(read_api: Api) -> None:
    http, data = read_api
    response = await http.get(f"/v1/events/trace/{data.traces['t1'].trace_id}/?pageSize=500")
    assert response.status_code == 200
    assert response.json()["pageSize"] == 500


# -- correlation ----------------------------------------------------------------------------


async def test_correlation_orders_by_step_then_time_and_has_no_link(read_api: Api) -> None:
    http, _ = read_api
    body = (await http.get("/v1/events/correlation/PAY-9")).json()
    assert body["correlationId"] == "PAY-9"
    assert (body["accountId"], body["isLinked"]) == (None, False)
    pairs = [(e["stepSequence"], e["eventTimestamp"]) for e in body["events"]]
    assert pairs == sorted(pairs)
    assert [p[0] for p in pairs] == [0, 0, 1, 1, 2]
    assert body["totalCount"] == 5


async def test_correlation_carries_its_link(read_api: Api) -> None:
    http, _ = read_api
    body = (await http.get("/v1/events/correlation/APP-4?pageSize=1")).json()
    assert (body["accountId"], body["isLinked"]) == ("ACC-1001", True)
    assert (body["totalCount"], body["hasMore"], len(body["events"])) == (2, True, 1)
    assert body["events"][0]["accountId"] is None


async def test_unknown_correlation_is_empty(read_api: Api) -> None:
    http, _ = read_api
    response = await http.get("/v1/events/correlation/NOPE-1")
    assert response.status_code == 200
    body = response.json()
    assert (body["events"], body["totalCount"], body["isLinked"]) == ([], 0, False)


# -- account --------------------------------------------------------------------------------


def _times(body: dict[str, Any]) -> list[str]:
    return [e["eventTimestamp"] for e in body["events"]]


async def test_account_timeline_newest_first(read_api: Api) -> None:
    http, _ = read_api
    body = (await http.get("/v1/events/account/ACC-1001")).json()
    assert body["accountId"] == "ACC-1001"
    assert body["totalCount"] == 5
    assert _times(body) == sorted(_times(body), reverse=True)
    assert (body["page"], body["pageSize"], body["hasMore"]) == (1, 20, False)


async def test_account_timeline_include_linked(read_api: Api) -> None:
    http, _ = read_api
    own = (await http.get("/v1/events/account/ACC-1001?includeLinked=false")).json()
    linked = (await http.get("/v1/events/account/ACC-1001?includeLinked=true")).json()
    assert own["totalCount"] == 5
    assert linked["totalCount"] == 7
    assert {e["correlationId"] for e in linked["events"]} == {"ORD-77123", "APP-4"}
    assert _times(linked) == sorted(_times(linked), reverse=True)
    # The linked events are the newest (three hours later), so they lead.
    assert [e["correlationId"] for e in linked["events"][:2]] == ["APP-4", "APP-4"]


async def test_account_timeline_filters(read_api: Api) -> None:
    http, _ = read_api
    # 11:00:01+01:00 is 10:00:01Z: inclusive bounds, offsets converted to UTC.
    window = "startDate=2026-02-20T11:00:01%2B01:00&endDate=2026-02-20T05:00:03-05:00"
    body = (await http.get(f"/v1/events/account/ACC-1001?{window}")).json()
    assert _times(body) == ["2026-02-20T10:00:03.000Z", "2026-02-20T10:00:02.000Z",
                            "2026-02-20T10:00:01.000Z"]  # fmt: skip
    failed = (await http.get("/v1/events/account/ACC-1001?eventStatus=FAILURE")).json()
    assert [e["eventStatus"] for e in failed["events"]] == ["FAILURE"]
    none = (await http.get("/v1/events/account/ACC-1001?processName=order")).json()
    assert none["totalCount"] == 0  # exact match, not a substring
    exact = (await http.get("/v1/events/account/ACC-1001?processName=order_fulfilment")).json()
    assert exact["totalCount"] == 5
    paged = (await http.get("/v1/events/account/ACC-1001?pageSize=2&page=3")).json()
    assert (len(paged["events"]), paged["hasMore"], paged["totalCount"]) == (1, False, 5)
    past = (await http.get("/v1/events/account/ACC-1001?pageSize=2&page=4")).json()
    assert (past["events"], past["totalCount"]) == ([], 5)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("pageSize=101", "pageSize"),
        ("startDate=2026-02-20T10:00:00", "startDate"),
        ("endDate=yesterday", "endDate"),
        ("eventStatus=DONE", "eventStatus"),
        ("includeLinked=perhaps", "includeLinked"),
        ("startDate=2026-02-21T00:00:00Z&endDate=2026-02-20T00:00:00Z", "endDate"),
    ],
)
async def test_account_timeline_guardrails(read_api: Api, query: str, field: str) -> None:
    http, _ = read_api
    assert _validation_field(await http.get(f"/v1/events/account/ACC-1001?{query}")) == field


async def test_account_summary_is_computed_from_events(read_api: Api) -> None:
    http, _ = read_api
    response = await http.get("/v1/events/account/ACC-1001/summary")
    assert response.status_code == 200
    body = response.json()
    summary = body["summary"]
    assert summary["accountId"] == "ACC-1001"
    assert summary["totalEvents"] == 5
    assert summary["totalProcesses"] == 1
    assert summary["errorCount"] == 1
    assert summary["firstEventAt"] == ts(T0)
    assert summary["lastEventAt"] == "2026-02-20T10:00:04.000Z"
    assert summary["lastProcess"] == "order_fulfilment"
    assert summary["systemsTouched"] == ["orchestrator", "order-service", "payment-gateway"]
    assert summary["correlationIds"] == ["ORD-77123"]
    assert summary["updatedAt"] is not None
    assert len(body["recentEvents"]) == 5
    assert _times({"events": body["recentEvents"]})[0] == "2026-02-20T10:00:04.000Z"
    assert [e["eventStatus"] for e in body["recentErrors"]] == ["FAILURE"]


async def test_account_summary_caps_recent_lists(read_api: Api) -> None:
    http, data = read_api
    # ACC-9009 has five events; the quick payments share no account, so use the batch one.
    body = (await http.get("/v1/events/account/ACC-9009/summary")).json()
    assert body["summary"]["totalEvents"] == 5
    assert len(body["recentEvents"]) == 5
    assert len(body["recentErrors"]) == 2
    assert all(e["eventStatus"] == "FAILURE" for e in body["recentErrors"])
    assert data.traces["t9"].account_id == "ACC-9009"


async def test_account_summary_404_for_an_account_without_events(read_api: Api) -> None:
    http, _ = read_api
    response = await http.get("/v1/events/account/ACC-NOBODY/summary")
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"


# -- batch ----------------------------------------------------------------------------------


async def test_batch_events_with_distinct_correlation_counts(read_api: Api) -> None:
    http, _ = read_api
    body = (await http.get(f"/v1/events/batch/{BATCH_ID}")).json()
    assert body["batchId"] == BATCH_ID
    assert body["totalCount"] == 6
    assert body["uniqueCorrelationIds"] == 3
    assert body["successCount"] == 1  # STM-1 only has SUCCESS events
    assert body["failureCount"] == 1  # STM-2
    assert _times(body) == sorted(_times(body), reverse=True)
    filtered = (await http.get(f"/v1/events/batch/{BATCH_ID}?eventStatus=IN_PROGRESS")).json()
    assert filtered["totalCount"] == 3
    assert {e["eventStatus"] for e in filtered["events"]} == {"IN_PROGRESS"}
    # The status filters the list only, not the counts.
    assert (filtered["uniqueCorrelationIds"], filtered["failureCount"]) == (3, 1)
    paged = (await http.get(f"/v1/events/batch/{BATCH_ID}?pageSize=4&page=2")).json()
    assert (len(paged["events"]), paged["hasMore"]) == (2, False)


async def test_batch_summary(read_api: Api) -> None:
    http, _ = read_api
    body = (await http.get(f"/v1/events/batch/{BATCH_ID}/summary")).json()
    assert body == {
        "batchId": BATCH_ID,
        "totalProcesses": 3,
        "completed": 1,
        "inProgress": 1,
        "failed": 1,
        "correlationIds": ["STM-1", "STM-2", "STM-3"],
        "startedAt": "2026-02-21T12:06:00.000Z",
        "lastEventAt": "2026-02-21T12:08:00.000Z",
    }


async def test_unknown_batch_is_zeros_and_nulls(read_api: Api) -> None:
    http, _ = read_api
    summary = await http.get("/v1/events/batch/batch-nothing/summary")
    assert summary.status_code == 200
    assert summary.json() == {
        "batchId": "batch-nothing",
        "totalProcesses": 0,
        "completed": 0,
        "inProgress": 0,
        "failed": 0,
        "correlationIds": [],
        "startedAt": None,
        "lastEventAt": None,
    }
    events = (await http.get("/v1/events/batch/batch-nothing")).json()
    assert (events["events"], events["totalCount"], events["uniqueCorrelationIds"]) == ([], 0, 0)


# -- one event --------------------------------------------------------------------------------


async def test_event_by_execution_id(read_api: Api) -> None:
    http, data = read_api
    listed = (await http.get(f"/v1/events/trace/{data.traces['t2'].trace_id}")).json()
    wanted = listed["events"][1]
    response = await http.get(f"/v1/events/{wanted['executionId']}")
    assert response.status_code == 200
    assert response.json() == wanted
    assert (await http.get(f"/v1/events/{wanted['executionId'].upper()}")).status_code == 200


async def test_unknown_execution_id_is_404(read_api: Api) -> None:
    http, _ = read_api
    for value in ("00000000-0000-4000-8000-000000000000", "not-a-uuid"):
        response = await http.get(f"/v1/events/{value}")
        assert response.status_code == 404
        assert response.json()["error"] == "NOT_FOUND"


# -- lookup -----------------------------------------------------------------------------------


async def test_lookup_exact_filters_newest_first(read_api: Api) -> None:
    http, _ = read_api
    body = (
        await http.post(
            "/v1/events/lookup",
            json={"processName": "card_payment", "eventStatus": "FAILURE", "pageSize": 2},
        )
    ).json()
    assert body["totalCount"] == 4
    assert (body["pageSize"], body["hasMore"], len(body["events"])) == (2, True, 2)
    assert _times(body) == sorted(_times(body), reverse=True)
    window = (
        await http.post(
            "/v1/events/lookup",
            json={
                "accountId": "ACC-2002",
                "startDate": "2026-02-20T12:00:00.5+01:00",
                "endDate": "2026-02-20T11:00:00.600Z",
            },
        )
    ).json()
    assert [e["eventStatus"] for e in window["events"]] == ["FAILURE", "FAILURE"]
    nothing = (await http.post("/v1/events/lookup", json={"accountId": "acc-1001"})).json()
    assert nothing["totalCount"] == 0  # exact, case included


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "accountId"),
        ({"eventStatus": "FAILURE"}, "accountId"),
        ({"accountId": "ACC-1001", "startDate": "2026-02-20T00:00:00Z"}, "endDate"),
        ({"accountId": "ACC-1001", "endDate": "2026-02-20T00:00:00Z"}, "startDate"),
        (
            {
                "accountId": "ACC-1001",
                "startDate": "2026-01-01T00:00:00Z",
                "endDate": "2026-02-20T00:00:00Z",
            },
            "endDate",
        ),
        (
            {
                "accountId": "ACC-1001",
                "startDate": "2026-02-20T00:00:00Z",
                "endDate": "2026-02-19T00:00:00Z",
            },
            "endDate",
        ),
        ({"accountId": "ACC-1001", "pageSize": 101}, "pageSize"),
        ({"accountId": "ACC-1001", "startDate": "2026-02-20T00:00:00"}, "startDate"),
    ],
)
async def test_lookup_guardrails(read_api: Api, body: dict[str, Any], field: str) -> None:
    http, _ = read_api
    assert _validation_field(await http.post("/v1/events/lookup", json=body)) == field


async def test_lookup_window_of_exactly_thirty_days_is_allowed(read_api: Api) -> None:
    http, _ = read_api
    response = await http.post(
        "/v1/events/lookup",
        json={
            "accountId": "ACC-1001",
            "startDate": "2026-01-21T10:00:00Z",
            "endDate": "2026-02-20T10:00:00Z",
        },
    )
    assert response.status_code == 200
    assert response.json()["totalCount"] == 1
