"""``EventLogClient``: one typed async method per endpoint of the v1 contract."""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import aiohttp
import msgspec
from eventlog_schemas import (
    AccountEventsResponse,
    AccountSummaryResponse,
    BatchEventsResponse,
    BatchRequest,
    BatchResponse,
    BatchSummaryResponse,
    CorrelationEventsResponse,
    CorrelationLink,
    CorrelationLinkCreated,
    CorrelationLinkRequest,
    CreateEventResponse,
    CreateProcessRequest,
    DashboardStats,
    EventLogEntry,
    EventLogRecord,
    EventStatus,
    HealthResponse,
    LookupRequest,
    LookupResponse,
    ProcessDefinition,
    ProcessListResponse,
    ProcessStatsResponse,
    ReadinessResponse,
    SlaComplianceResponse,
    TextSearchRequest,
    TextSearchResponse,
    TimeBucket,
    TimeSeriesResponse,
    TraceEventsResponse,
    TraceListResponse,
    UpdateProcessRequest,
    VersionResponse,
    decoder_for,
    encode,
    format_timestamp,
)

from .errors import (
    RETRYABLE_STATUSES,
    EventLogApiError,
    EventLogConnectionError,
    EventLogError,
    error_envelope,
)
from .retry import RetryPolicy, parse_retry_after
from .settings import (
    APPLICATION_ID_HEADER,
    DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_REQUEST_TIMEOUT_S,
    LoggerConfig,
)

T = TypeVar("T")

QueryValue = str | int | bool | datetime | EventStatus | Iterable[str] | None

# Exceptions that mean "no usable answer arrived": safe to retry for idempotent requests
# and for ingestion (every event the client sends carries an idempotencyKey).
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectionError,
    aiohttp.ClientPayloadError,
    TimeoutError,
)


def _defines(stored: ProcessDefinition, request: CreateProcessRequest) -> bool:
    """True when ``stored`` is what ``request`` creates (the server's own fields aside)."""
    return all(
        getattr(stored, name) == getattr(request, name)
        for name in CreateProcessRequest.__struct_fields__
    )


def _query_value(value: QueryValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, str | int):  # EventStatus is a str
        return str(value)
    return ",".join(str(v) for v in value)  # type: ignore[union-attr]


def _query(params: Mapping[str, QueryValue]) -> dict[str, str]:
    return {k: _query_value(v) for k, v in params.items() if v is not None}


def _seg(value: str) -> str:
    """One path segment, percent-encoded (ids are free text: correlation ids, names)."""
    return quote(value, safe="")


def with_idempotency_key(event: EventLogEntry) -> EventLogEntry:
    """``event`` with a fresh random ``idempotencyKey`` unless it already has one."""
    if event.idempotency_key is not None:
        return event
    return msgspec.structs.replace(event, idempotency_key=secrets.token_hex(16))


class EventLogClient:
    """Async HTTP client of the Event Log API (aiohttp).

    Use it as ``async with EventLogClient(base_url) as client:`` (or call ``aclose()``).
    Every method returns the contract's schema struct. Requests that fail with 429,
    502, 503 or 504, or that get no answer (connection refused or reset, timeout), are
    retried with exponential backoff and full jitter, honouring ``Retry-After``; any
    other non-2xx answer raises ``EventLogApiError`` at once. When retries run out the
    last ``EventLogApiError`` (or an ``EventLogConnectionError``) is raised.

    The ingestion methods give every event without an ``idempotencyKey`` a random one
    before the first attempt, so a retry after a lost answer never stores it twice.
    ``create_process`` has no such key: when its retry after a lost answer meets a 409,
    the stored definition is read back, and if it is the one sent, it is returned (the
    lost attempt created it) instead of the conflict.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        application_id: str | None = None,
        request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        session: aiohttp.ClientSession | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._timeout = aiohttp.ClientTimeout(
            total=request_timeout_s, sock_connect=connect_timeout_s
        )
        self._headers: dict[str, str] = {"Accept": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        if application_id:
            self._headers[APPLICATION_ID_HEADER] = application_id
        if headers:
            self._headers.update(headers)
        self._session = session
        self._owns_session = session is None
        self._trace_configs = list(trace_configs or ())
        self._rng = rng or random.Random()
        self._closed = False

    @classmethod
    def from_config(cls, config: LoggerConfig, **kwargs: Any) -> EventLogClient:
        """A client for the API, key, application id, timeouts and retry of ``config``."""
        retry = RetryPolicy(
            base_s=config.retry_base_s,
            cap_s=config.retry_cap_s,
            max_attempts=config.retry_max_attempts,
        )
        kwargs.setdefault("headers", dict(config.extra_headers))
        return cls(
            config.base_url,
            api_key=config.api_key,
            application_id=config.application_id,
            request_timeout_s=config.request_timeout_s,
            connect_timeout_s=config.connect_timeout_s,
            retry=retry,
            **kwargs,
        )

    # --- lifecycle -------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._ensure_session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP session (only when this client created it)."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session and not session.closed:
            await session.close()

    @property
    def closed(self) -> bool:
        """True once ``aclose()`` ran."""
        return self._closed

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise EventLogError("the client is closed")
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                headers=self._headers,
                trace_configs=self._trace_configs or None,
            )
            self._owns_session = True
        return self._session

    # --- the request loop ------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        response_type: type[T] | None,
        *,
        body: bytes | None = None,
        params: Mapping[str, QueryValue] | None = None,
        ok: frozenset[int] = frozenset({200, 201}),
        resolve_conflict: Callable[[], Awaitable[T | None]] | None = None,
    ) -> T:
        """Send one request with retries and decode a success into ``response_type``.

        ``response_type=None`` (for 204 answers) returns ``None``. Exposed for endpoints
        added to the server before this client learns them.

        ``resolve_conflict`` is for requests that are not idempotent: when an attempt
        got no answer (the server may have acted on it) and a later one gets 409, it is
        awaited, and what it returns (unless ``None``) is the answer instead of the 409.
        """
        session = self._ensure_session()
        url = f"{self.base_url}{path}"
        query = _query(params or {})
        headers = {"Content-Type": "application/json"} if body is not None else None
        policy = self.retry
        attempt = 0
        answer_lost = False
        while True:
            attempt += 1
            try:
                async with session.request(
                    method, url, data=body, params=query or None, headers=headers
                ) as response:
                    status = response.status
                    payload = await response.read()
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    reason = response.reason
            except CONNECTION_ERRORS as exc:
                if attempt >= policy.max_attempts:
                    raise EventLogConnectionError(
                        f"{type(exc).__name__}: {exc}", method=method, url=url, attempts=attempt
                    ) from exc
                answer_lost = True
                await asyncio.sleep(policy.backoff(attempt - 1, self._rng))
                continue
            if status in ok or (200 <= status < 300 and response_type is None):
                if response_type is None:
                    return None  # type: ignore[return-value]
                return decoder_for(response_type).decode(payload)
            error = EventLogApiError(
                status=status,
                error=error_envelope(status, reason, payload),
                method=method,
                url=url,
                retry_after=retry_after,
                body=payload,
            )
            if status == 409 and answer_lost and resolve_conflict is not None:
                resolved = await resolve_conflict()
                if resolved is not None:
                    return resolved
            if status not in RETRYABLE_STATUSES or attempt >= policy.max_attempts:
                raise error
            delay = policy.delay(attempt - 1, retry_after, self._rng)
            if delay is None:  # the server asked for a longer pause than the retry cap
                raise error
            await asyncio.sleep(delay)

    async def _get(
        self, path: str, response_type: type[T], params: Mapping[str, QueryValue] | None = None
    ) -> T:
        return await self.request("GET", path, response_type, params=params)

    async def _send(self, method: str, path: str, body: Any, response_type: type[T]) -> T:
        return await self.request(method, path, response_type, body=encode(body))

    # --- health ----------------------------------------------------------------------

    async def healthcheck(self) -> HealthResponse:
        """``GET /v1/healthcheck``: liveness (never touches the database)."""
        return await self._get("/v1/healthcheck", HealthResponse)

    async def readiness(self) -> ReadinessResponse:
        """``GET /v1/healthcheck/ready``: the 503 ``not_ready`` answer is returned, not raised.

        Not retried: the caller asks whether the API is ready *now*.
        """
        session = self._ensure_session()
        url = f"{self.base_url}/v1/healthcheck/ready"
        try:
            async with session.get(url) as response:
                payload = await response.read()
                if response.status in (200, 503):
                    try:
                        return decoder_for(ReadinessResponse).decode(payload)
                    except (msgspec.DecodeError, msgspec.ValidationError):
                        pass
                raise EventLogApiError(
                    status=response.status,
                    error=error_envelope(response.status, response.reason, payload),
                    method="GET",
                    url=url,
                    body=payload,
                )
        except CONNECTION_ERRORS as exc:
            raise EventLogConnectionError(str(exc), method="GET", url=url, attempts=1) from exc

    async def version(self) -> VersionResponse:
        """``GET /v1/version``."""
        return await self._get("/v1/version", VersionResponse)

    # --- ingestion -------------------------------------------------------------------

    async def create_event(self, event: EventLogEntry) -> CreateEventResponse:
        """``POST /v1/events``: store one event (gets an ``idempotencyKey`` if it has none)."""
        return await self._send(
            "POST", "/v1/events", with_idempotency_key(event), CreateEventResponse
        )

    async def create_events(
        self, events: Sequence[EventLogEntry], *, batch_id: str | None = None
    ) -> BatchResponse:
        """``POST /v1/events/batch``: store a batch; read ``errors`` for per-entry failures.

        A partial success is a 201 like any other: the answer's ``errors`` lists the
        entries not stored, each with ``retryable``.
        """
        request = BatchRequest(events=[with_idempotency_key(e) for e in events], batch_id=batch_id)
        return await self._send("POST", "/v1/events/batch", request, BatchResponse)

    # --- reading events --------------------------------------------------------------

    async def get_event(self, execution_id: str) -> EventLogRecord:
        """``GET /v1/events/{executionId}`` (404 → ``EventLogApiError``)."""
        return await self._get(f"/v1/events/{_seg(execution_id)}", EventLogRecord)

    async def get_trace_events(
        self, trace_id: str, *, page: int | None = None, page_size: int | None = None
    ) -> TraceEventsResponse:
        """``GET /v1/events/trace/{traceId}``: oldest first, aggregates of the whole trace."""
        return await self._get(
            f"/v1/events/trace/{_seg(trace_id)}",
            TraceEventsResponse,
            {"page": page, "pageSize": page_size},
        )

    async def get_correlation_events(
        self, correlation_id: str, *, page: int | None = None, page_size: int | None = None
    ) -> CorrelationEventsResponse:
        """``GET /v1/events/correlation/{correlationId}``."""
        return await self._get(
            f"/v1/events/correlation/{_seg(correlation_id)}",
            CorrelationEventsResponse,
            {"page": page, "pageSize": page_size},
        )

    async def get_account_events(
        self,
        account_id: str,
        *,
        page: int | None = None,
        page_size: int | None = None,
        start_date: datetime | str | None = None,
        end_date: datetime | str | None = None,
        process_name: str | None = None,
        event_status: EventStatus | str | None = None,
        include_linked: bool | None = None,
    ) -> AccountEventsResponse:
        """``GET /v1/events/account/{accountId}``: newest first."""
        return await self._get(
            f"/v1/events/account/{_seg(account_id)}",
            AccountEventsResponse,
            {
                "page": page,
                "pageSize": page_size,
                "startDate": start_date,
                "endDate": end_date,
                "processName": process_name,
                "eventStatus": event_status,
                "includeLinked": include_linked,
            },
        )

    async def get_account_summary(self, account_id: str) -> AccountSummaryResponse:
        """``GET /v1/events/account/{accountId}/summary`` (404 when it has no events)."""
        return await self._get(
            f"/v1/events/account/{_seg(account_id)}/summary", AccountSummaryResponse
        )

    async def get_batch_events(
        self,
        batch_id: str,
        *,
        page: int | None = None,
        page_size: int | None = None,
        event_status: EventStatus | str | None = None,
    ) -> BatchEventsResponse:
        """``GET /v1/events/batch/{batchId}``: newest first."""
        return await self._get(
            f"/v1/events/batch/{_seg(batch_id)}",
            BatchEventsResponse,
            {"page": page, "pageSize": page_size, "eventStatus": event_status},
        )

    async def get_batch_summary(self, batch_id: str) -> BatchSummaryResponse:
        """``GET /v1/events/batch/{batchId}/summary``."""
        return await self._get(f"/v1/events/batch/{_seg(batch_id)}/summary", BatchSummaryResponse)

    async def search_text(self, request: TextSearchRequest) -> TextSearchResponse:
        """``POST /v1/events/search/text``: prefix words, all must match; newest first."""
        return await self._send("POST", "/v1/events/search/text", request, TextSearchResponse)

    async def lookup(self, request: LookupRequest) -> LookupResponse:
        """``POST /v1/events/lookup``: exact filters; newest first."""
        return await self._send("POST", "/v1/events/lookup", request, LookupResponse)

    # --- traces and dashboard --------------------------------------------------------

    async def list_traces(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        start_date: datetime | str | None = None,
        end_date: datetime | str | None = None,
        process_name: str | None = None,
        account_id: str | None = None,
        trace_id: str | None = None,
        correlation_id: str | None = None,
        event_status: Iterable[EventStatus | str] | EventStatus | str | None = None,
        has_errors: bool | None = None,
    ) -> TraceListResponse:
        """``GET /v1/traces``: newest activity first; ``event_status`` may be several."""
        statuses: QueryValue
        if event_status is None or isinstance(event_status, str):
            statuses = event_status
        else:
            statuses = [str(s) for s in event_status]
        return await self._get(
            "/v1/traces",
            TraceListResponse,
            {
                "page": page,
                "pageSize": page_size,
                "startDate": start_date,
                "endDate": end_date,
                "processName": process_name,
                "accountId": account_id,
                "traceId": trace_id,
                "correlationId": correlation_id,
                "eventStatus": statuses,
                "hasErrors": has_errors,
            },
        )

    async def dashboard_stats(
        self, *, start_date: datetime | str | None = None, end_date: datetime | str | None = None
    ) -> DashboardStats:
        """``GET /v1/dashboard/stats``."""
        return await self._get(
            "/v1/dashboard/stats", DashboardStats, {"startDate": start_date, "endDate": end_date}
        )

    async def dashboard_timeseries(
        self,
        *,
        start_date: datetime | str | None = None,
        end_date: datetime | str | None = None,
        bucket: TimeBucket | str | None = None,
        process_name: str | None = None,
    ) -> TimeSeriesResponse:
        """**[ext]** ``GET /v1/dashboard/timeseries``: traces per time bucket, oldest first."""
        return await self._get(
            "/v1/dashboard/timeseries",
            TimeSeriesResponse,
            {
                "startDate": start_date,
                "endDate": end_date,
                "bucket": bucket,
                "processName": process_name,
            },
        )

    async def dashboard_processes(
        self, *, start_date: datetime | str | None = None, end_date: datetime | str | None = None
    ) -> ProcessStatsResponse:
        """**[ext]** ``GET /v1/dashboard/processes``: per-process figures, busiest first."""
        return await self._get(
            "/v1/dashboard/processes",
            ProcessStatsResponse,
            {"startDate": start_date, "endDate": end_date},
        )

    async def dashboard_sla(
        self, *, start_date: datetime | str | None = None, end_date: datetime | str | None = None
    ) -> SlaComplianceResponse:
        """**[ext]** ``GET /v1/dashboard/sla``: SLA compliance, worst first."""
        return await self._get(
            "/v1/dashboard/sla",
            SlaComplianceResponse,
            {"startDate": start_date, "endDate": end_date},
        )

    # --- correlation links -----------------------------------------------------------

    async def create_correlation_link(
        self, request: CorrelationLinkRequest
    ) -> CorrelationLinkCreated:
        """``POST /v1/correlation-links``: upsert keyed by ``correlationId``."""
        return await self._send("POST", "/v1/correlation-links", request, CorrelationLinkCreated)

    async def get_correlation_link(self, correlation_id: str) -> CorrelationLink:
        """``GET /v1/correlation-links/{correlationId}`` (404 → ``EventLogApiError``)."""
        return await self._get(f"/v1/correlation-links/{_seg(correlation_id)}", CorrelationLink)

    # --- process definitions ---------------------------------------------------------

    async def list_processes(self, *, is_active: bool | None = None) -> ProcessListResponse:
        """``GET /v1/processes``."""
        return await self._get("/v1/processes", ProcessListResponse, {"isActive": is_active})

    async def create_process(self, request: CreateProcessRequest) -> ProcessDefinition:
        """``POST /v1/processes`` (duplicate name → 409 ``EventLogApiError``).

        A retry after a lost answer that meets a 409 returns the stored definition when
        it is the one sent (the lost attempt stored it); any other 409 is raised.
        """

        async def stored_by_us() -> ProcessDefinition | None:
            stored = await self.get_process(request.process_name)
            return stored if _defines(stored, request) else None

        return await self.request(
            "POST",
            "/v1/processes",
            ProcessDefinition,
            body=encode(request),
            resolve_conflict=stored_by_us,
        )

    async def get_process(self, process_name: str) -> ProcessDefinition:
        """``GET /v1/processes/{processName}`` (404 → ``EventLogApiError``)."""
        return await self._get(f"/v1/processes/{_seg(process_name)}", ProcessDefinition)

    async def update_process(
        self, process_name: str, request: UpdateProcessRequest
    ) -> ProcessDefinition:
        """``PATCH /v1/processes/{processName}``: only the fields set in ``request`` change."""
        return await self._send(
            "PATCH", f"/v1/processes/{_seg(process_name)}", request, ProcessDefinition
        )

    # --- maintenance -----------------------------------------------------------------

    async def clear_all(self) -> None:
        """``POST /v1/debug/events/clear`` with ``{"confirm": true}``: deletes everything."""
        await self.request(
            "POST",
            "/v1/debug/events/clear",
            None,
            body=b'{"confirm":true}',
            ok=frozenset({204}),
        )
