"""A small scripted HTTP server for behaviours the real API cannot be made to show on demand.

Only for: 429 with ``Retry-After``, 5xx answers, retryable per-entry batch errors and
hangs. Everything else is tested against the real API. Unscripted requests to
``/v1/events/batch`` succeed (every entry "stored", deduplicated by idempotencyKey);
``GET /v1/healthcheck`` answers ``{"status": "ok"}``.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import msgspec
from aiohttp import web


@dataclass
class Reply:
    """One scripted answer: a status with the error envelope, or a hang."""

    status: int = 503
    retry_after: str | None = None
    hang: bool = False
    body: dict[str, Any] | None = None


@dataclass
class Received:
    """One request the server got."""

    method: str
    path: str
    at: float
    entries: int
    headers: dict[str, str] = field(default_factory=dict)


class FaultServer:
    """``async with FaultServer() as server:`` then ``server.base_url``; script with ``push``."""

    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.received: list[Received] = []
        self.stored: dict[str, dict[str, Any]] = {}
        self.transient: dict[str, int] = {}
        """Idempotency key → how many more times that entry fails retryably."""
        self._runner: web.AppRunner | None = None
        self._release = asyncio.Event()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def push(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def release_hangs(self) -> None:
        self._release.set()

    async def __aenter__(self) -> FaultServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        entries: list[dict[str, Any]] = []
        if request.path.rstrip("/") == "/v1/events/batch" and raw:
            entries = msgspec.json.decode(raw).get("events", [])
        self.received.append(
            Received(
                request.method, request.path, time.monotonic(), len(entries), dict(request.headers)
            )
        )
        if self.script:
            reply = self.script.popleft()
            if reply.hang:
                await self._release.wait()
                return web.Response(status=504)
            headers = {"Retry-After": reply.retry_after} if reply.retry_after else {}
            body = reply.body or {"error": "UNAVAILABLE", "message": f"scripted {reply.status}"}
            return web.json_response(body, status=reply.status, headers=headers)
        if request.path.rstrip("/") == "/v1/healthcheck":
            return web.json_response({"status": "ok"})
        if request.path.rstrip("/") != "/v1/events/batch":
            return web.json_response({"error": "NOT_FOUND", "message": "no route"}, status=404)
        errors = []
        ids = []
        for index, entry in enumerate(entries):
            key = entry.get("idempotencyKey") or f"anon-{len(self.stored)}"
            left = self.transient.get(key, 0)
            if left:
                self.transient[key] = left - 1
                errors.append({"index": index, "error": "storage busy", "retryable": True})
                continue
            self.stored.setdefault(key, entry)
            ids.append(key)
        body: dict[str, Any] = {
            "success": not errors,
            "totalReceived": len(entries),
            "totalInserted": len(ids),
            "executionIds": ids,
            "correlationIds": sorted({self.stored[k]["correlationId"] for k in ids}),
        }
        if errors:
            body["errors"] = errors
        return web.json_response(body, status=201)

    def batch_requests(self) -> list[Received]:
        return [r for r in self.received if r.path.rstrip("/") == "/v1/events/batch"]
