"""``GET /v1/dashboard/stats`` and the chart endpoints on the real SQLite driver and the
real PostgreSQL server: totals over windows with partial hours, buckets, percentiles,
SLA compliance, and their place in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from support.read_dataset import Dataset, read_api, read_backend

pytestmark = pytest.mark.asyncio(loop_scope="module")
__all__ = ["read_api", "read_backend"]  # fixtures used by name

Api = tuple[httpx.AsyncClient, Dataset]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def _get(http: httpx.AsyncClient, path: str) -> dict[str, Any]:
    response = await http.get(path)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_stats_over_everything(read_api: Api) -> None:
    http, data = read_api
    body = await _get(http, "/v1/dashboard/stats")
    traces = list(data.traces.values())
    clean = sum(1 for t in traces if not t.has_errors)
    assert body["totalTraces"] == 34
    assert body["totalEvents"] == len(data.events) == 75
    assert body["totalAccounts"] == len({t.account_id for t in traces if t.account_id}) == 33
    assert body["successRate"] == round(clean * 100 / 34, 2) == 88.24
    assert body["systemNames"] == sorted({e["targetSystem"] for e in data.events})


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-02-20T10:00:02.500Z", "2026-02-20T13:00:01Z"),  # partial hours at both ends
        ("2026-02-20T11:00:02.500+01:00", "2026-02-20T08:00:01-05:00"),  # the same, offsets
        ("2026-02-20T10:00:01Z", "2026-02-20T10:00:03Z"),  # inside one hour
        ("2026-02-20T11:00:00Z", "2026-02-21T12:07:00Z"),  # whole hours plus an edge
    ],
)
async def test_stats_over_a_window(read_api: Api, start: str, end: str) -> None:
    http, data = read_api
    query = f"startDate={start.replace('+', '%2B')}&endDate={end.replace('+', '%2B')}"
    body = await _get(http, f"/v1/dashboard/stats?{query}")
    lo, hi = _at(start), _at(end)
    in_window = [e for e in data.events if lo <= _at(e["eventTimestamp"]) <= hi]
    active = [t for t in data.traces.values() if t.last >= lo and t.first <= hi]
    assert body["totalEvents"] == len(in_window)
    assert body["systemNames"] == sorted({e["targetSystem"] for e in in_window})
    assert body["totalTraces"] == len(active)
    assert body["totalAccounts"] == len({t.account_id for t in active if t.account_id})
    clean = sum(1 for t in active if not t.has_errors)
    assert body["successRate"] == round(clean * 100 / len(active), 2)


async def test_stats_of_an_empty_window(read_api: Api) -> None:
    http, _ = read_api
    body = await _get(
        http, "/v1/dashboard/stats?startDate=2020-01-01T00:00:00Z&endDate=2020-01-02T00:00:00Z"
    )
    assert body == {
        "totalTraces": 0,
        "totalAccounts": 0,
        "totalEvents": 0,
        "successRate": 100.0,
        "systemNames": [],
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("startDate=2026-02-20", "startDate"),
        ("startDate=2026-02-21T00:00:00Z&endDate=2026-02-20T00:00:00Z", "endDate"),
    ],
)
async def test_stats_guardrails(read_api: Api, query: str, field: str) -> None:
    http, _ = read_api
    response = await http.get(f"/v1/dashboard/stats?{query}")
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == field


async def test_hourly_series_with_gaps_and_statuses(read_api: Api) -> None:
    http, _ = read_api
    body = await _get(
        http,
        "/v1/dashboard/timeseries?bucket=hour&startDate=2026-02-20T09:30:00Z"
        "&endDate=2026-02-20T14:00:00Z",
    )
    assert body["bucket"] == "hour"
    assert body["processName"] is None
    assert (body["startDate"], body["endDate"]) == (
        "2026-02-20T09:30:00.000Z",
        "2026-02-20T14:00:00.000Z",
    )
    points = {p["bucketStart"][11:16]: p for p in body["points"]}
    assert list(points) == ["09:00", "10:00", "11:00", "12:00", "13:00"]
    assert points["09:00"] == {
        "bucketStart": "2026-02-20T09:00:00.000Z",
        "traceCount": 0,
        "successCount": 0,
        "failureCount": 0,
        "warningCount": 0,
        "inProgressCount": 0,
        "errorTraceCount": 0,
        "successRate": None,
        "p50DurationMs": None,
        "p95DurationMs": None,
    }
    ten = points["10:00"]
    assert (ten["traceCount"], ten["successCount"], ten["errorTraceCount"]) == (1, 1, 1)
    assert (ten["successRate"], ten["p50DurationMs"], ten["p95DurationMs"]) == (0.0, 4000, 4000)
    eleven = points["11:00"]
    assert (eleven["failureCount"], eleven["p50DurationMs"]) == (1, 600)
    twelve = points["12:00"]
    assert (twelve["warningCount"], twelve["successRate"], twelve["p50DurationMs"]) == (
        1,
        100.0,
        None,  # unfinished traces have no duration percentile
    )
    assert points["13:00"]["inProgressCount"] == 1


async def test_daily_series_nearest_rank_percentiles(read_api: Api) -> None:
    http, _ = read_api
    window = "startDate=2026-02-22T00:00:00Z&endDate=2026-02-23T00:00:00Z"
    body = await _get(http, f"/v1/dashboard/timeseries?bucket=day&{window}")
    (point,) = body["points"]
    # 25 traces of 100, 200, ... 2500 ms: ranks ceil(12.5) = 13 and ceil(23.75) = 24.
    assert (point["traceCount"], point["p50DurationMs"], point["p95DurationMs"]) == (25, 1300, 2400)
    assert point["successRate"] == 100.0
    same = await _get(
        http, f"/v1/dashboard/timeseries?bucket=day&{window}&processName=card_payment"
    )
    assert same["points"] == body["points"]
    assert same["processName"] == "card_payment"
    other = await _get(http, f"/v1/dashboard/timeseries?bucket=day&{window}&processName=card")
    assert other["points"][0]["traceCount"] == 0  # exact name


async def test_series_bucket_defaults_and_limits(read_api: Api) -> None:
    http, _ = read_api
    days = await _get(
        http, "/v1/dashboard/timeseries?startDate=2026-02-20T00:00:00Z&endDate=2026-02-24T00:00:00Z"
    )
    assert days["bucket"] == "day"
    assert [p["traceCount"] for p in days["points"]] == [4, 5, 25, 0]
    hours = await _get(
        http, "/v1/dashboard/timeseries?startDate=2026-02-20T00:00:00Z&endDate=2026-02-21T00:00:00Z"
    )
    assert (hours["bucket"], len(hours["points"])) == ("hour", 24)
    default = await _get(http, "/v1/dashboard/timeseries")
    assert default["bucket"] == "day"
    assert 7 <= len(default["points"]) <= 8
    for query, field in (
        ("bucket=hour&startDate=2026-01-01T00:00:00Z&endDate=2026-02-20T00:00:00Z", "bucket"),
        ("bucket=week", "bucket"),
        ("startDate=2026-02-20T00:00:00Z&endDate=2026-02-20T00:00:00Z", "endDate"),
        ("startDate=2026-02-20T00:00:00", "startDate"),
    ):
        response = await http.get(f"/v1/dashboard/timeseries?{query}")
        assert response.status_code == 400, query
        assert response.json()["details"][0]["field"] == field, query


async def test_process_figures_and_sla(read_api: Api) -> None:
    http, _ = read_api
    window = "startDate=2026-02-19T00:00:00Z&endDate=2026-02-24T00:00:00Z"
    body = await _get(http, f"/v1/dashboard/processes?{window}")
    rows = {p["processName"]: p for p in body["processes"]}
    assert [p["processName"] for p in body["processes"]] == [
        "card_payment",
        "statement_generation",
        "address_change",
        "customer_onboarding",
        "order_fulfilment",
    ]
    card = rows["card_payment"]
    assert card["displayName"] == "Card payment"
    assert (card["traceCount"], card["successCount"], card["failureCount"]) == (27, 26, 1)
    assert card["errorTraceCount"] == 2
    assert card["successRate"] == round(25 * 100 / 27, 2)
    assert card["slaMs"] == 2000
    # within: 100..2000 ms (20) and the 600 ms failure; breached: 2100..2500 ms and 61 s.
    assert (card["withinSla"], card["breached"], card["openPastSla"]) == (21, 6, 0)
    assert card["slaComplianceRate"] == round(21 * 100 / 27, 2)
    order = rows["order_fulfilment"]
    assert (order["withinSla"], order["breached"], order["slaComplianceRate"]) == (0, 1, 0.0)
    onboarding = rows["customer_onboarding"]
    assert (onboarding["openPastSla"], onboarding["openWithinSla"]) == (1, 0)
    assert onboarding["p50DurationMs"] is None
    statements = rows["statement_generation"]
    assert (statements["displayName"], statements["slaMs"]) == (None, None)
    assert (
        statements["successCount"],
        statements["failureCount"],
        statements["inProgressCount"],
    ) == (1, 1, 1)
    assert statements["slaComplianceRate"] is None
    assert rows["address_change"]["warningCount"] == 1


async def test_open_traces_within_their_sla(read_api: Api) -> None:
    http, _ = read_api
    # Measured to the end of the window: three seconds after the start, still inside 10 min.
    window = "startDate=2026-02-20T13:00:00Z&endDate=2026-02-20T13:00:03Z"
    body = await _get(http, f"/v1/dashboard/processes?{window}")
    (row,) = body["processes"]
    assert row["processName"] == "customer_onboarding"
    assert (row["openPastSla"], row["openWithinSla"], row["slaComplianceRate"]) == (0, 1, None)


async def test_sla_compliance_worst_first(read_api: Api) -> None:
    http, _ = read_api
    window = "startDate=2026-02-19T00:00:00Z&endDate=2026-02-24T00:00:00Z"
    body = await _get(http, f"/v1/dashboard/sla?{window}")
    assert [(p["processName"], p["complianceRate"]) for p in body["processes"]] == [
        ("customer_onboarding", 0.0),
        ("order_fulfilment", 0.0),
        ("card_payment", round(21 * 100 / 27, 2)),
    ]
    card = body["processes"][2]
    assert (card["slaMs"], card["traceCount"], card["withinSla"], card["breached"]) == (
        2000,
        27,
        21,
        6,
    )


async def test_chart_endpoints_are_in_the_openapi_document(read_api: Api) -> None:
    http, _ = read_api
    document = await _get(http, "/schema/openapi.json")
    paths = document["paths"]
    for path in (
        "/v1/dashboard/stats",
        "/v1/dashboard/timeseries",
        "/v1/dashboard/processes",
        "/v1/dashboard/sla",
        "/v1/traces",
    ):
        assert "get" in paths[path], path
    series = paths["/v1/dashboard/timeseries"]["get"]
    assert {p["name"] for p in series["parameters"]} >= {
        "startDate",
        "endDate",
        "bucket",
        "processName",
    }
    schemas = document["components"]["schemas"]
    for name in (
        "TimeSeriesResponse",
        "ChartPoint",
        "ProcessStatsResponse",
        "SlaComplianceResponse",
    ):
        assert name in schemas, name
    traces = {p["name"] for p in paths["/v1/traces"]["get"]["parameters"]}
    assert traces >= {
        "page",
        "pageSize",
        "startDate",
        "endDate",
        "processName",
        "accountId",
        "traceId",
        "correlationId",
        "eventStatus",
        "hasErrors",
    }
