"""``GET /v1/traces`` on the real SQLite driver and the real PostgreSQL server: every
filter, the derived status rules, SLA fields and the paging edges."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest
from support.read_dataset import Dataset, Trace, read_api, read_backend, ts

pytestmark = pytest.mark.asyncio(loop_scope="module")
__all__ = ["read_api", "read_backend"]  # fixtures used by name

Api = tuple[httpx.AsyncClient, Dataset]


def _newest_first(traces: list[Trace]) -> list[str]:
    by_id = sorted(traces, key=lambda t: t.trace_id)
    return [t.trace_id for t in sorted(by_id, key=lambda t: t.last, reverse=True)]


async def _all_ids(http: httpx.AsyncClient, query: str, page_size: int = 100) -> list[str]:
    """Every trace id of a filtered list, walking the pages."""
    ids: list[str] = []
    for page in range(1, 50):
        body = (await http.get(f"/v1/traces?{query}&page={page}&pageSize={page_size}")).json()
        ids.extend(t["traceId"] for t in body["traces"])
        if not body["hasMore"]:
            return ids
    raise AssertionError("too many pages")


async def _ids(http: httpx.AsyncClient, query: str) -> list[str]:
    body = (await http.get(f"/v1/traces?{query}&pageSize=100")).json()
    assert body["totalCount"] == len(body["traces"]), body
    return [t["traceId"] for t in body["traces"]]


def _select(data: Dataset, **want: Any) -> list[Trace]:
    return [t for t in data.traces.values() if all(getattr(t, k) == v for k, v in want.items())]


async def test_unfiltered_newest_activity_first(read_api: Api) -> None:
    http, data = read_api
    body = (await http.get("/v1/traces")).json()
    assert body["totalCount"] == len(data.traces) == 34
    assert (body["page"], body["pageSize"], body["hasMore"]) == (1, 20, True)
    assert [t["traceId"] for t in body["traces"]] == _newest_first(list(data.traces.values()))[:20]


async def test_paging_last_page_and_past_the_end(read_api: Api) -> None:
    http, data = read_api
    last = (await http.get("/v1/traces?page=2&pageSize=20")).json()
    assert (len(last["traces"]), last["hasMore"], last["totalCount"]) == (14, False, 34)
    assert [t["traceId"] for t in last["traces"]] == _newest_first(list(data.traces.values()))[20:]
    past = (await http.get("/v1/traces?page=3&pageSize=20")).json()
    assert (past["traces"], past["totalCount"], past["hasMore"]) == ([], 34, False)
    exact = (await http.get("/v1/traces?page=2&pageSize=17")).json()
    assert (len(exact["traces"]), exact["hasMore"]) == (17, False)


async def test_summary_fields_and_derived_status_rules(read_api: Api) -> None:
    http, data = read_api
    body = (await http.get("/v1/traces?pageSize=100")).json()
    by_id = {t["traceId"]: t for t in body["traces"]}
    for trace in data.traces.values():
        row = by_id[trace.trace_id]
        assert row["latestStatus"] == trace.status, trace.trace_id
        assert row["hasErrors"] is trace.has_errors, trace.trace_id
        assert row["processName"] == trace.process_name, trace.trace_id
        assert row["accountId"] == trace.account_id, trace.trace_id
        assert row["eventCount"] == len(trace.events)
        assert row["durationMs"] == trace.duration_ms
        assert (row["startTime"], row["endTime"]) == (ts(trace.first), ts(trace.last))
    # The four rules, each exercised by a trace of the dataset.
    assert by_id[data.traces["t1"].trace_id]["latestStatus"] == "SUCCESS"  # END SUCCESS wins
    assert by_id[data.traces["t9"].trace_id]["latestStatus"] == "SUCCESS"  # retried trace
    assert by_id[data.traces["t2"].trace_id]["latestStatus"] == "FAILURE"
    assert by_id[data.traces["t3"].trace_id]["latestStatus"] == "WARNING"
    assert by_id[data.traces["t4"].trace_id]["latestStatus"] == "IN_PROGRESS"
    assert by_id[data.traces["t5"].trace_id]["processName"] is None  # no PROCESS_START


async def test_sla_fields(read_api: Api) -> None:
    http, data = read_api
    body = (await http.get("/v1/traces?pageSize=100")).json()
    by_id = {t["traceId"]: t for t in body["traces"]}

    def sla(name: str) -> tuple[Any, Any]:
        row = by_id[data.traces[name].trace_id]
        return row.get("slaMs"), row.get("slaBreached")

    assert sla("t1") == (3000, True)  # 4 s against 3 s
    assert sla("t2") == (2000, False)  # 600 ms
    assert sla("t9") == (2000, True)  # 61 s with the retry
    assert sla("t4") == (600_000, True)  # open for days, past its ten minutes
    assert sla("t3") == (None, None)  # no definition: the fields are absent
    assert "slaMs" not in by_id[data.traces["t3"].trace_id]
    assert sla("t5") == (None, None)


async def test_status_filter_single_and_list_with_unknown_values(read_api: Api) -> None:
    http, data = read_api
    failures = await _ids(http, "eventStatus=FAILURE")
    assert failures == _newest_first(_select(data, status="FAILURE"))
    mixed = await _ids(http, "eventStatus=FAILURE,warning,bogus")
    expected = _select(data, status="FAILURE") + _select(data, status="WARNING")
    assert mixed == _newest_first(expected)
    everything = (await http.get("/v1/traces?eventStatus=bogus")).json()
    assert everything["totalCount"] == 34


async def test_several_statuses_page_through_in_order(read_api: Api) -> None:
    http, data = read_api
    ids = await _all_ids(http, "eventStatus=SUCCESS,IN_PROGRESS", page_size=7)
    expected = _select(data, status="SUCCESS") + _select(data, status="IN_PROGRESS")
    assert ids == _newest_first(expected)
    body = (await http.get("/v1/traces?eventStatus=SUCCESS,IN_PROGRESS&pageSize=7")).json()
    assert body["totalCount"] == len(expected) == 31


async def test_has_errors_true_and_false(read_api: Api) -> None:
    http, data = read_api
    with_errors = await _ids(http, "hasErrors=true")
    assert with_errors == _newest_first(_select(data, has_errors=True))
    without = await _all_ids(http, "hasErrors=false")
    assert without == _newest_first(_select(data, has_errors=False))
    assert len(with_errors) + len(without) == 34


@pytest.mark.parametrize(
    ("name", "processes"),
    [
        ("card pay", {"card_payment"}),
        ("CARD_PAY", {"card_payment"}),
        ("statement", {"statement_generation"}),
        ("o", {"order_fulfilment", "customer_onboarding", "statement_generation"}),
        ("zzz", set()),
        ("%", set()),
    ],
)
async def test_process_name_substring(read_api: Api, name: str, processes: set[str]) -> None:
    http, data = read_api
    ids = await _all_ids(http, f"processName={quote(name)}", page_size=10)
    expected = [t for t in data.traces.values() if t.process_name in processes]
    assert ids == _newest_first(expected)


async def test_process_name_with_several_matches_and_statuses(read_api: Api) -> None:
    http, data = read_api
    ids = await _ids(http, "processName=o&eventStatus=SUCCESS,IN_PROGRESS")
    names = {"order_fulfilment", "customer_onboarding", "statement_generation"}
    expected = [
        t
        for t in data.traces.values()
        if t.process_name in names and t.status in ("SUCCESS", "IN_PROGRESS")
    ]
    assert ids == _newest_first(expected)
    assert len(ids) == 4


@pytest.mark.parametrize(
    ("account", "count"), [("acc-30", 1), ("ACC-77", 25), ("c-100", 1), ("_", 0), ("nobody", 0)]
)
async def test_account_substring_case_insensitive(read_api: Api, account: str, count: int) -> None:
    http, data = read_api
    ids = await _all_ids(http, f"accountId={quote(account)}")
    expected = [
        t
        for t in data.traces.values()
        if t.account_id is not None and account.lower() in t.account_id.lower()
    ]
    assert len(ids) == count
    assert ids == _newest_first(expected)


async def test_trace_id_and_correlation_id_exact(read_api: Api) -> None:
    http, data = read_api
    t3 = data.traces["t3"].trace_id
    assert await _ids(http, f"traceId={t3}") == [t3]
    assert await _ids(http, f"traceId={t3[:-1]}") == []
    assert await _ids(http, "correlationId=PAY-9") == [data.traces["t9"].trace_id]
    assert await _ids(http, "correlationId=PAY") == []


async def test_date_window_with_offsets_keeps_traces_active_in_it(read_api: Api) -> None:
    http, data = read_api
    # 12:00+01:00 = 11:00Z and 08:00:01-05:00 = 13:00:01Z.
    query = "startDate=2026-02-20T12:00:00%2B01:00&endDate=2026-02-20T08:00:01-05:00"
    ids = await _ids(http, query)
    assert ids == _newest_first([data.traces["t2"], data.traces["t3"], data.traces["t4"]])
    only_start = await _all_ids(http, "startDate=2026-02-22T10:00:00Z")
    assert len(only_start) == 25
    only_end = await _ids(http, "endDate=2026-02-20T10:00:00.000Z")
    assert only_end == [data.traces["t1"].trace_id]  # its first event is exactly at the end


async def test_filters_combine(read_api: Api) -> None:
    http, data = read_api
    ids = await _ids(http, "processName=card&hasErrors=true&startDate=2026-02-21T00:00:00Z")
    assert ids == [data.traces["t9"].trace_id]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("pageSize=101", "pageSize"),
        ("page=0", "page"),
        ("startDate=2026-02-20T10:00:00", "startDate"),
        ("startDate=2026-02-21T00:00:00Z&endDate=2026-02-20T00:00:00Z", "endDate"),
        ("hasErrors=maybe", "hasErrors"),
    ],
)
async def test_guardrails(read_api: Api, query: str, field: str) -> None:
    http, _ = read_api
    response = await http.get(f"/v1/traces?{query}")
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "Validation Error"
    assert body["details"][0]["field"] == field


async def test_page_size_maximum_and_trailing_slash(read_api: Api) -> None:
    http, _ = read_api
    response = await http.get("/v1/traces/?pageSize=100")
    assert response.status_code == 200
    assert response.json()["pageSize"] == 100


@pytest.mark.parametrize("page_size", [1, 3, 7, 17, 34])
async def test_every_page_in_order_whichever_end_it_is_read_from(
    read_api: Api, page_size: int
) -> None:
    http, data = read_api
    everything = _newest_first(list(data.traces.values()))
    assert await _all_ids(http, "hasErrors=", page_size=page_size) == everything
    singles = await _all_ids(http, "processName=card_payment", page_size=page_size)
    assert singles == _newest_first(
        [t for t in data.traces.values() if t.process_name == "card_payment"]
    )


async def test_window_inside_the_longest_trace_finds_it(read_api: Api) -> None:
    http, data = read_api
    # t9 runs from 15:00:00 to 15:01:01 on 21 February; a one-second window in the middle
    # holds none of its events but lies inside it (the scan bound must reach that far).
    ids = await _ids(http, "startDate=2026-02-21T15:00:30Z&endDate=2026-02-21T15:00:31Z")
    assert ids == [data.traces["t9"].trace_id]
    stats = (
        await http.get(
            "/v1/dashboard/stats?startDate=2026-02-21T15:00:30Z&endDate=2026-02-21T15:00:31Z"
        )
    ).json()
    assert (stats["totalTraces"], stats["totalEvents"]) == (1, 0)
