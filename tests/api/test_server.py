"""The ``eventlog-api`` command and the served process: serve, migrate, check, logs, start-up."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from eventlog_api import Dialect
from eventlog_api._private.storage.migrations import load_migrations
from eventlog_schemas import format_traceparent, new_span_id, new_trace_id
from support.api_events import event
from support.api_server import ApiServer, free_port
from support.tcp_proxy import TcpProxy


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eventlog_api", *args],
        env={**os.environ, "EVENTLOG_LOG_FORMAT": "json", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def log_lines(server: ApiServer) -> list[dict[str, Any]]:
    lines = []
    for line in server.log_path.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_migrate_then_check(tmp_path: Path) -> None:
    env = {"EVENTLOG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    total = len(load_migrations(Dialect.SQLITE))
    first = run_cli("migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert f"{total} migration(s) pending" in first.stdout
    assert f"applied {total} migration(s)" in first.stdout
    second = run_cli("migrate", env=env)
    assert second.returncode == 0, second.stderr
    assert "0 migration(s) pending" in second.stdout
    check = run_cli("check", env=env)
    assert check.returncode == 0, check.stderr
    assert "sqlite" in check.stdout
    assert "reachable" in check.stdout
    assert "up to date" in check.stdout


def test_check_reports_an_unreachable_database() -> None:
    url = f"postgresql://nobody:secret@127.0.0.1:{free_port()}/nothing"
    result = run_cli("check", env={"EVENTLOG_DATABASE_URL": url, "EVENTLOG_CONNECT_TIMEOUT_S": "2"})
    assert result.returncode == 1
    assert "unreachable" in result.stdout
    assert "secret" not in result.stdout


def test_bad_settings_exit_with_a_message() -> None:
    result = run_cli("check", env={"EVENTLOG_DATABASE_URL": "mysql://h/d"})
    assert result.returncode == 2
    assert "EVENTLOG_DATABASE_URL" in result.stderr


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    env = {"EVENTLOG_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    result = run_cli("serve", "--workers", "2", "--port", str(free_port()), env=env)
    assert result.returncode == 2
    assert "SQLite" in result.stderr
    assert "--workers" in result.stderr


async def test_request_log_lines_carry_ids(sqlite_api: ApiServer) -> None:
    trace_id = new_trace_id()
    body = event()
    async with aiohttp.ClientSession(sqlite_api.base_url) as http:
        headers = {
            "X-Request-ID": "log-test-1",
            "traceparent": format_traceparent(trace_id, new_span_id()),
        }
        async with http.get("/v1/version", headers=headers) as response:
            assert response.status == 200
            assert response.headers["X-Request-ID"] == "log-test-1"
        async with http.post("/v1/events", json=body) as response:
            assert response.status == 201
            request_id = response.headers["X-Request-ID"]
    await sqlite_api.stop()  # flushes the log
    lines = [line for line in log_lines(sqlite_api) if line.get("event") == "request"]
    by_id = {line["request_id"]: line for line in lines}
    first = by_id["log-test-1"]
    assert (first["method"], first["path"], first["status"]) == ("GET", "/v1/version", 200)
    assert first["trace_id"] == trace_id
    assert isinstance(first["duration_ms"], float | int)
    assert first["level"] == "info"
    assert first["timestamp"].endswith("Z")
    # Without traceparent, a single event's own trace id is logged.
    assert by_id[request_id]["trace_id"] == body["traceId"]


async def test_openapi_document(sqlite_api: ApiServer) -> None:
    async with aiohttp.ClientSession(sqlite_api.base_url) as http:
        async with http.get("/schema/openapi.json") as response:
            assert response.status == 200
            document = await response.json()
        async with http.get("/schema/swagger") as response:
            assert response.status == 200
            assert "swagger" in (await response.text()).lower()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for path in (
        "/v1/healthcheck",
        "/v1/healthcheck/ready",
        "/v1/version",
        "/v1/events",
        "/v1/events/batch",
        "/v1/correlation-links",
        "/v1/correlation-links/{correlationId}",
        "/v1/processes",
        "/v1/processes/{processName}",
        "/v1/debug/events/clear",
    ):
        assert path in paths, path
    schemas = document["components"]["schemas"]

    def body_ref(path: str, method: str) -> str:
        ref: str = paths[path][method]["requestBody"]["content"]["application/json"]["schema"][
            "$ref"
        ]
        return ref.rsplit("/", 1)[-1]

    assert body_ref("/v1/events", "post") == "EventLogEntry"
    assert body_ref("/v1/events/batch", "post") == "BatchRequest"
    assert body_ref("/v1/processes", "post") == "CreateProcessRequest"
    assert body_ref("/v1/processes/{processName}", "patch") == "UpdateProcessRequest"
    assert "traceId" in schemas["EventLogEntry"]["properties"]
    assert "executionIds" in schemas["CreateEventResponse"]["properties"]
    assert "totalInserted" in schemas["BatchResponse"]["properties"]
    error = paths["/v1/events/batch"]["post"]["responses"]["400"]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    assert set(schemas["ErrorResponse"]["properties"]) == {"error", "message", "details"}


@pytest.mark.postgres
async def test_starts_while_the_database_is_down_and_recovers(postgres_database: str) -> None:
    target = urlsplit(postgres_database)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    url = target._replace(netloc=f"{target.username}@127.0.0.1:{proxy.port}").geturl()
    async with (
        ApiServer(url, env={"EVENTLOG_CONNECT_TIMEOUT_S": "2"}) as api,
        aiohttp.ClientSession(api.base_url) as http,
    ):
        async with http.get("/v1/healthcheck") as response:
            assert response.status == 200
        async with http.get("/v1/healthcheck/ready") as response:
            assert response.status == 503
            body = await response.json()
            assert (body["status"], body["database"]) == ("not_ready", "error")
            assert body["error"]
            assert body["timestamp"].endswith("Z")
        async with http.post("/v1/events", json=event()) as response:
            assert response.status == 503
            assert response.headers["Retry-After"].isdigit()
            assert (await response.json())["error"] == "UNAVAILABLE"

        await proxy.start()  # the database "comes back"
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline:
            async with http.get("/v1/healthcheck/ready") as response:
                status = response.status
            if status == 200:
                break
            await asyncio.sleep(0.2)
        assert status == 200, api.log_tail()
        async with http.post("/v1/events", json=event()) as response:
            assert response.status == 201, await response.text()
    await proxy.stop()


@pytest.mark.postgres
async def test_a_hung_database_gives_503s_in_bounded_time(postgres_database: str) -> None:
    target = urlsplit(postgres_database)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    url = target._replace(netloc=f"{target.username}@127.0.0.1:{proxy.port}").geturl()
    env = {"EVENTLOG_QUERY_TIMEOUT_S": "2", "EVENTLOG_CONNECT_TIMEOUT_S": "2"}
    try:
        async with ApiServer(url, env=env) as api, aiohttp.ClientSession(api.base_url) as http:
            async with http.post("/v1/events", json=event()) as response:
                assert response.status == 201
            proxy.pause()  # the host stops answering; nothing is refused or reset
            started = time.monotonic()
            async with http.get("/v1/healthcheck/ready") as response:
                assert response.status == 503
            assert time.monotonic() - started < 6  # the contract's 3 s, plus slack
            started = time.monotonic()
            async with http.post("/v1/events", json=event(idempotencyKey="hung")) as response:
                assert response.status == 503
                assert response.headers["Retry-After"].isdigit()
            assert time.monotonic() - started < 8
            async with http.get("/v1/healthcheck") as response:
                assert response.status == 200  # liveness never waits on the database
            proxy.resume()
            deadline = time.monotonic() + 30
            status = 0
            while time.monotonic() < deadline and status != 201:
                async with http.post("/v1/events", json=event(idempotencyKey="hung")) as response:
                    status = response.status
                await asyncio.sleep(0.2)
            assert status == 201, api.log_tail()
    finally:
        proxy.resume()
        await proxy.stop()
