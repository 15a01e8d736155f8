"""How the logger's batches reach the API: over HTTP (aiohttp), or into memory for tests."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import aiohttp
import msgspec
from eventlog_schemas import (
    DEFAULT_MAX_BODY_BYTES,
    BatchError,
    BatchResponse,
    ErrorResponse,
    EventLogEntry,
    decoder_for,
    encode,
)

from .client import CONNECTION_ERRORS
from .retry import parse_retry_after
from .settings import APPLICATION_ID_HEADER, LoggerConfig

BATCH_PATH = "/v1/events/batch"
_ABANDONED: list[aiohttp.ClientSession] = []


@dataclass(frozen=True, slots=True)
class TransportResponse:
    """The API's answer to one batch: status, raw body and ``Retry-After`` (seconds)."""

    status: int
    body: bytes
    retry_after: float | None = None


class TransportError(Exception):
    """No answer: connection refused or reset, timeout."""


@runtime_checkable
class Transport(Protocol):
    """Sends one ``POST /v1/events/batch`` body; raises ``TransportError`` on no answer."""

    async def send_batch(self, body: bytes) -> TransportResponse:
        """Send the batch body and return the answer."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class AiohttpTransport:
    """The default transport: aiohttp, one session, keep-alive connections."""

    def __init__(self, config: LoggerConfig) -> None:
        self._url = config.base_url.rstrip("/") + BATCH_PATH
        self._timeout = aiohttp.ClientTimeout(
            total=config.request_timeout_s, sock_connect=config.connect_timeout_s
        )
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        headers[APPLICATION_ID_HEADER] = config.application_id
        headers.update(config.extra_headers)
        self._headers = headers
        self._session: aiohttp.ClientSession | None = None

    async def send_batch(self, body: bytes) -> TransportResponse:
        """POST the body; connection errors and timeouts become ``TransportError``."""
        session = self._session
        if session is None or session.closed:
            session = self._session = aiohttp.ClientSession(
                timeout=self._timeout, headers=self._headers
            )
        try:
            async with session.post(self._url, data=body) as response:
                payload = await response.read()
                return TransportResponse(
                    response.status,
                    payload,
                    parse_retry_after(response.headers.get("Retry-After")),
                )
        except CONNECTION_ERRORS as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        """Close the session."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def abandon(self) -> None:
        """Forget the session without closing it (its loop is gone, or it is the parent's).

        It is kept referenced for the life of the process: collecting an unclosed
        session would try to report through a loop that is closed or not ours.
        """
        if self._session is not None:
            _ABANDONED.append(self._session)
        self._session = None


Fault = Callable[[list[EventLogEntry]], TransportResponse | None]


class InMemoryTransport:
    """A transport that behaves like the API's batch endpoint, in memory, for tests.

    It decodes each entry like the server (an invalid entry is reported as a
    non-retryable error, the rest are stored), deduplicates by ``idempotencyKey``,
    answers 413 above ``max_body_bytes``, and can be told to misbehave: queue faults
    with ``fail_next`` (a status), ``disconnect_next`` (no answer), ``hang_next`` (no
    answer until ``release``), or ``transient_entries`` (retryable per-entry errors).
    """

    def __init__(self, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.max_body_bytes = max_body_bytes
        self.stored: dict[str, EventLogEntry] = {}
        """Stored events by idempotency key (events without one get a synthetic key)."""
        self.requests: list[int] = []
        """Number of entries of every batch received (faulted ones included)."""
        self.request_times: list[float] = []
        """``time.monotonic()`` of every batch received."""
        self.bodies: list[bytes] = []
        """Every batch body received."""
        self.closed = False
        self._faults: deque[Callable[[], TransportResponse | None]] = deque()
        self._transient: dict[str, int] = {}
        self._hang_next = False
        self._hanging: list[asyncio.Event] = []
        self._counter = 0

    # --- scripting -------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        error: str = "UNAVAILABLE",
    ) -> None:
        """Answer the next ``times`` batches with ``status`` and the error envelope."""
        body = encode(ErrorResponse(error=error, message=f"injected {status}"))
        for _ in range(times):
            self._faults.append(lambda: TransportResponse(status, body, retry_after))

    def disconnect_next(self, *, times: int = 1) -> None:
        """Give no answer to the next ``times`` batches (``TransportError``)."""
        for _ in range(times):
            self._faults.append(lambda: None)

    def hang_next(self) -> None:
        """Never answer the next batch until ``release()`` (then it fails)."""
        self._hang_next = True

    def release(self) -> None:
        """Let every hanging batch go (each ends without an answer)."""
        for gate in self._hanging:
            gate.set()
        self._hanging.clear()

    def transient_entries(self, keys: Mapping[str, int]) -> None:
        """The entries with these idempotency keys fail retryably that many times."""
        self._transient.update(keys)

    # --- the endpoint ----------------------------------------------------------------

    @property
    def events(self) -> list[EventLogEntry]:
        """Stored events in arrival order."""
        return list(self.stored.values())

    async def send_batch(self, body: bytes) -> TransportResponse:
        """Process one batch body like ``POST /v1/events/batch``."""
        if self.closed:
            raise TransportError("transport closed")
        await asyncio.sleep(0)
        raw = msgspec.json.decode(body)
        entries = raw.get("events", []) if isinstance(raw, dict) else []
        self.requests.append(len(entries))
        self.request_times.append(time.monotonic())
        self.bodies.append(body)
        if self._hang_next:
            self._hang_next = False
            gate = asyncio.Event()
            self._hanging.append(gate)
            await gate.wait()
            raise TransportError("hung request released without an answer")
        if self._faults:
            injected = self._faults.popleft()()
            if injected is None:
                raise TransportError("injected disconnect")
            return injected
        if len(body) > self.max_body_bytes:
            body413 = encode(ErrorResponse(error="Payload Too Large", message="too large"))
            return TransportResponse(413, body413)
        if not entries:
            body400 = encode(ErrorResponse(error="Validation Error", message="no events"))
            return TransportResponse(400, body400)
        decoder = decoder_for(EventLogEntry)
        errors: list[BatchError] = []
        ids: list[str] = []
        for index, entry in enumerate(entries):
            try:
                event = decoder.decode(msgspec.json.encode(entry))
            except msgspec.ValidationError as exc:
                errors.append(BatchError(index=index, error=str(exc), retryable=False))
                continue
            key = event.idempotency_key
            if key is None:
                self._counter += 1
                key = f"_synthetic_{self._counter}"
            remaining = self._transient.get(key, 0)
            if remaining > 0:
                self._transient[key] = remaining - 1
                errors.append(BatchError(index=index, error="transient", retryable=True))
                continue
            self.stored.setdefault(key, event)
            ids.append(key)
        response = BatchResponse(
            success=not errors,
            total_received=len(entries),
            total_inserted=len(ids),
            execution_ids=ids,
            correlation_ids=sorted({self.stored[k].correlation_id for k in ids}),
            errors=errors or None,
        )
        return TransportResponse(201, encode(response))

    async def aclose(self) -> None:
        """Mark the transport closed."""
        self.closed = True
