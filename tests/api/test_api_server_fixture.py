"""The ApiServer fixtures start a real API that answers, and stop it cleanly."""

from __future__ import annotations

import aiohttp
import pytest
from support.api_server import ApiServer


async def test_sqlite_api_serves_and_stores(sqlite_api: ApiServer) -> None:
    async with (
        aiohttp.ClientSession(sqlite_api.base_url) as http,
        http.get("/v1/healthcheck/ready") as response,
    ):
        assert response.status == 200
        assert (await response.json())["database"] == "connected"
    await sqlite_api.restart()
    async with (
        aiohttp.ClientSession(sqlite_api.base_url) as http,
        http.get("/v1/healthcheck") as response,
    ):
        assert response.status == 200


@pytest.mark.postgres
async def test_postgres_api_serves(postgres_api: ApiServer) -> None:
    async with (
        aiohttp.ClientSession(postgres_api.base_url) as http,
        http.get("/v1/healthcheck/ready") as response,
    ):
        assert response.status == 200, await response.text()
